import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startWebhookSink, type WebhookSink } from '@strata/alertmanager/testing';
import { controlPlaneService } from '@strata/control-plane';
import { freePort, type RunningNatsServer, which } from '@strata/devstack';
import { gatewayService } from '@strata/gateway';
import { eventsService } from '@strata/events';
import { ingesterService } from '@strata/ingester';
import { logflowService } from '@strata/logflow';
import { notificationService } from '@strata/notification';
import {
  batchAt,
  eventually,
  removeTestDirs,
  startInProcess,
  startTestNats,
  strataEnv,
} from '@strata/platform/testing';
import { queryService } from '@strata/query';
import { encodeWriteRequestV1, REMOTE_WRITE_V1_HEADERS } from '@strata/remote-write/testing';
import { routerService } from '@strata/router';
import { rulerService } from '@strata/ruler';
import { storeService } from '@strata/store';
import { type PipelineStats, type ServingQueries } from '@strata/contracts';
import { type RunningServices } from '@strata/service-kit';
import { freshDatabase, type FreshDatabase } from '@strata/testing';

jest.setTimeout(180_000);

const ROOT = join(__dirname, '../../..');
const ADMIN = 'console-e2e-admin-token-0123456789';
const TENANT = 'acme-console';
const METRIC = 'console_e2e_requests';
/** Screenshots of every page, kept after the run (gitignored). */
const ARTIFACTS = join(ROOT, '.strata/artifacts/console');

/** A tenant Alertmanager configuration that sends every group to `url` within a second. */
const webhookConfig = (url: string): string =>
  `alertmanager_config: |\n${[
    'route:',
    '  receiver: hook',
    '  group_by: [alertname]',
    '  group_wait: 1s',
    '  group_interval: 1s',
    'receivers:',
    '  - name: hook',
    `    webhook_configs: [{ url: '${url}' }]`,
  ]
    .map((l) => `  ${l}`)
    .join('\n')}\n`;

/**
 * The web console in Debian's Chromium against the real platform (gateway, control plane on
 * Postgres, router, ingester, query): what a platform team does in it, checked against the API.
 */
describe('the web console in a real browser', () => {
  let db: FreshDatabase;
  let nats: RunningNatsServer;
  let platform: RunningServices;
  let browser: Browser;
  let page: Page;
  let base = '';
  let sink: WebhookSink;
  /** Where the throughput test's pipeline delivers (apart from the notification receiver). */
  let logSink: WebhookSink;

  beforeAll(async () => {
    // The same build step the README's two commands run; a no-op when the build is current.
    const build = spawnSync(process.execPath, ['tools/platform/console-build.mjs'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    if (build.status !== 0) throw new Error(`console build failed: ${build.stderr}`);
    mkdirSync(ARTIFACTS, { recursive: true });
    sink = await startWebhookSink();
    logSink = await startWebhookSink();
    db = await freshDatabase('console_e2e');
    const started = await startTestNats();
    nats = started.server;
    const port = await freePort();
    platform = await startInProcess(
      strataEnv(nats, join(started.dir, 'data'), {
        DATABASE_URL: db.url,
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: String(port),
        STRATA_ADMIN_TOKEN: ADMIN,
        STRATA_RULER_POLL_INTERVAL_SECONDS: '1',
      }),
      [
        gatewayService,
        controlPlaneService,
        routerService,
        ingesterService,
        storeService,
        queryService,
        rulerService,
        notificationService,
        eventsService,
        logflowService,
      ],
    );
    base = `http://127.0.0.1:${port}`;
    const executablePath = which('chromium');
    if (!executablePath) throw new Error("Debian's chromium package is not installed");
    browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
    // UTC, so the datetime-local fields read the same instants as the API's.
    const context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      timezoneId: 'UTC',
    });
    page = await context.newPage();
    page.setDefaultTimeout(30_000);
  });

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
    await sink?.close();
    await logSink?.close();
    await nats?.process.stop();
    removeTestDirs();
    await db?.drop();
  });

  const api = async <T>(path: string, init: RequestInit = {}, secret = ADMIN) => {
    const response = await fetch(`${base}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${secret}`, ...init.headers },
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
  // Each series its own values (series i: value × (i + 1)), so a mixed-up row cannot pass.
  const distinct = (batch: ReturnType<typeof batchAt>): ReturnType<typeof batchAt> => ({
    ...batch,
    series: batch.series.map((s, i) => ({
      ...s,
      values: s.values.map((v) => v * (i + 1)),
    })),
  });
  const shoot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
  const alertText = async () => (await page.getByRole('alert').first().textContent()) ?? '';
  // The tenants page's table only: the audit page's replayed state has rows of the same shape.
  const tenantsTable = () => page.getByRole('table', { name: 'Tenants and their quotas' });
  const quotaCell = (tenant: string) =>
    tenantsTable().locator(`tr[data-tenant="${tenant}"] td[data-field="maxActiveSeries"]`);
  const setQuotaInUi = async (maxActiveSeries: number) => {
    await page.getByRole('button', { name: `Set quota of ${TENANT}` }).click();
    await page.getByRole('spinbutton', { name: 'maxActiveSeries' }).fill(String(maxActiveSeries));
    await page.getByRole('button', { name: 'Save quota' }).click();
    const dialog = page.getByRole('dialog', { name: `Set the quota of ${TENANT}?` });
    await dialog.getByRole('button', { name: 'Set quota' }).click();
    await quotaCell(TENANT)
      .filter({ hasText: String(maxActiveSeries) })
      .waitFor();
  };

  it('serves the console at / to browsers only, leaving JSON clients and the API paths alone', async () => {
    const html = await fetch(`${base}/`, { headers: { accept: 'text/html' } });
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await html.text()).toContain('/console/assets/');
    // An Elasticsearch client's product check at the same path still gets the ES answer.
    const json = await fetch(`${base}/`, {
      headers: { accept: 'application/json', authorization: `Bearer ${ADMIN}` },
    });
    expect(json.headers.get('content-type') ?? '').not.toMatch(/text\/html/);
    expect(json.headers.get('x-elastic-product')).toBe('Elasticsearch');
    expect((await fetch(`${base}/api/v1/admin/tenants`)).status).toBe(401);
  });

  it('shows the API error code and message for a wrong token', async () => {
    await page.goto(`${base}/`);
    await page.getByLabel('Admin token or API key').fill('not-the-admin-token-0000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    const refused = await api<{ error: { code: string; message: string } }>(
      '/api/v1/user_limits',
      {},
      'not-the-admin-token-0000',
    );
    expect(refused.status).toBe(401);
    expect(await alertText()).toBe(`${refused.body.error.code}: ${refused.body.error.message}`);
    await shoot('sign-in-refused');
  });

  it('signs in with the admin token, creates a tenant and sets its quota after confirming', async () => {
    await page.getByLabel('Admin token or API key').fill(ADMIN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Pages' }).first().waitFor();
    await page.getByRole('link', { name: 'Tenants' }).click();
    const create = page.getByRole('form', { name: 'Create a tenant' });
    await create.getByLabel('Tenant id').fill(TENANT);
    await create.getByLabel('Display name').fill('Acme in the console');
    await create.getByRole('button', { name: 'Create tenant' }).click();
    await quotaCell(TENANT).waitFor();

    await setQuotaInUi(1000);
    const first = await api<{ quota: { maxActiveSeries: number }; version: number }>(
      `/api/v1/admin/tenants/${TENANT}/quota`,
    );
    expect(first.body.quota.maxActiveSeries).toBe(1000);
    await shoot('tenants');
  });

  it('pages through the tenants 20 at a time', async () => {
    for (let i = 0; i < 20; i++) {
      const created = await api(`/api/v1/admin/tenants`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ tenantId: `paged-${i}`, displayName: `Paged ${i}` }),
      });
      expect(created.status).toBe(201);
    }
    const rows = tenantsTable().locator('tr[data-tenant]');
    const ids = () => rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-tenant')));
    // The list was loaded before these tenants existed; the next page loads it afresh.
    await page.getByRole('link', { name: 'Audit' }).click();
    await page.getByRole('link', { name: 'Tenants' }).click();
    await rows.nth(19).waitFor();
    const first = await ids();
    expect(first).toHaveLength(20);
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByRole('button', { name: 'Next page', disabled: true }).waitFor();
    await rows.nth(0).waitFor();
    const second = await ids();
    expect(second).toHaveLength(1);
    expect(new Set([...first, ...second])).toEqual(
      new Set([TENANT, ...Array.from({ length: 20 }, (_, i) => `paged-${i}`)]),
    );
    await page.getByRole('button', { name: 'Previous page' }).click();
    await rows.nth(19).waitFor();
    expect(await ids()).toEqual(first);
  });

  it('shows the control plane as of an instant between two quota changes', async () => {
    // An instant strictly between the two changes, on the audit trail's own clock.
    const audit = await api<{ items: Array<{ type: string; recordedAt: string }> }>(
      `/api/v1/admin/audit?tenant=${TENANT}&type=QuotaSet`,
    );
    const firstAt = Date.parse(audit.body.items[audit.body.items.length - 1].recordedAt);
    await eventually(async () => (Date.now() > firstAt + 5 ? true : undefined), 5_000, 'a tick');
    await setQuotaInUi(2000);
    const between = new Date(firstAt + 1).toISOString().replace('Z', '');

    await page.getByRole('link', { name: 'Audit' }).click();
    const filters = page.getByRole('form', { name: 'Audit filters' });
    await filters.getByLabel('Tenant').fill(TENANT);
    await filters.getByRole('button', { name: 'Filter' }).click();
    // Unfiltered, the trail also holds the other tenants' events: the filtered list is 3 rows.
    await page.locator('td.audit-type').nth(3).waitFor({ state: 'detached' });
    await page.locator('td.audit-type').nth(2).waitFor();
    const types = await page.locator('td.audit-type').allTextContents();
    expect(types).toEqual(['TenantCreated', 'QuotaSet', 'QuotaSet']);

    const quotaSets = await api<{ items: Array<{ position: number }> }>(
      `/api/v1/admin/audit?tenant=${TENANT}&type=QuotaSet`,
    );
    const [firstSet, secondSet] = quotaSets.body.items.map((e) => e.position);
    const asOf = page.locator('section[aria-labelledby="asof-title"]');
    const stateAt = (position: number) =>
      asOf.getByRole('table', { name: new RegExp(`State at position ${position}\\b`) });
    const quotaThen = () =>
      asOf.locator(`tr[data-tenant="${TENANT}"] td[data-field="maxActiveSeries"]`).textContent();
    // The page opens on the latest state, so each wait below is for a state it did not show yet.
    await stateAt(secondSet).waitFor();
    await page.getByRole('textbox', { name: 'Instant' }).fill(between);
    await page.getByRole('button', { name: 'Replay' }).click();
    await stateAt(firstSet).waitFor();
    expect(await quotaThen()).toBe('1000');

    // The slider replays by position, from the keyboard and by dragging.
    const slider = page.getByRole('slider', { name: /Position in the audit trail/ });
    await slider.focus();
    for (let p = firstSet; p < secondSet; p++) await page.keyboard.press('ArrowRight');
    await stateAt(secondSet).waitFor();
    expect(await quotaThen()).toBe('2000');
    await slider.fill(String(firstSet));
    await stateAt(firstSet).waitFor();
    expect(await quotaThen()).toBe('1000');
    await page.getByRole('button', { name: 'Verify the hash chain' }).click();
    await page.getByRole('status').filter({ hasText: 'hash chain is intact' }).waitFor();
    await shoot('audit');
  });

  it('issues a key whose secret is shown once and works, then revokes it after confirming', async () => {
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByRole('combobox', { name: 'Tenant', exact: true }).selectOption(TENANT);
    const issue = page.getByRole('form', { name: 'Issue a key' });
    await issue.getByLabel('Key name').fill('grafana');
    await issue.getByRole('button', { name: 'Issue key' }).click();
    const secret = (await page.getByLabel('New key secret').textContent()) ?? '';
    expect(secret).not.toBe('');
    expect((await api('/api/v1/user_limits', {}, secret)).status).toBe(200);
    await shoot('api-key-issued');
    await page.getByRole('button', { name: 'I have stored it' }).click();
    expect(await page.getByLabel('New key secret').count()).toBe(0);

    await page.getByRole('button', { name: 'Revoke grafana' }).click();
    await page
      .getByRole('dialog', { name: 'Revoke key grafana?' })
      .getByRole('button', { name: 'Revoke key' })
      .click();
    await page.locator('td[data-field="status"]', { hasText: 'revoked' }).waitFor();
    expect((await api('/api/v1/user_limits', {}, secret)).status).toBe(401);
    await shoot('api-keys');
  });

  it('graphs a range query over remote-written data with the series and values the API returns', async () => {
    const now = Date.now();
    for (const [offset, value] of [
      [180_000, 100],
      [120_000, 200],
      [60_000, 300],
    ]) {
      const written = await fetch(`${base}/api/v1/write`, {
        method: 'POST',
        body: encodeWriteRequestV1(distinct(batchAt(METRIC, 3, now - offset, value))),
        headers: {
          ...REMOTE_WRITE_V1_HEADERS,
          authorization: `Bearer ${ADMIN}`,
          'x-scope-orgid': TENANT,
        },
      });
      expect(written.status).toBe(204);
    }
    type Matrix = {
      data: { result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> };
    };
    const end = Math.floor(Date.now() / 1000);
    const fromApi = await eventually(
      async () => {
        const answer = await api<Matrix>(
          `/api/v1/query_range?query=${METRIC}&start=${end - 900}&end=${end}&step=15`,
          { headers: { 'x-scope-orgid': TENANT } },
        );
        if (answer.status !== 200) throw new Error(JSON.stringify(answer.body));
        return answer.body.data.result.length === 3 ? answer.body.data.result : undefined;
      },
      30_000,
      'the written series to be queryable',
    );

    await page.getByRole('link', { name: 'Explore' }).click();
    await page.getByRole('combobox', { name: 'Tenant', exact: true }).selectOption(TENANT);
    // Metric names are offered from the tenant's own label values.
    await page.locator(`datalist#expression-completions option[value="${METRIC}"]`).waitFor({
      state: 'attached',
    });
    // Inside braces the completions are the tenant's label names.
    await page.getByLabel('Expression').fill(`${METRIC}{in`);
    await page
      .locator(`datalist#expression-completions option[value="${METRIC}{instance"]`)
      .waitFor({ state: 'attached' });
    await page.getByLabel('Expression').fill(METRIC);
    await page.getByLabel('Range', { exact: true }).selectOption({ label: '15 minutes' });
    await page.getByLabel('Step (seconds)').fill('15');
    await page.getByRole('button', { name: 'Run query' }).click();
    await page.locator('table.series-table tbody tr').nth(2).waitFor();
    expect(await page.locator('[data-series-count]').getAttribute('data-series-count')).toBe('3');
    // uPlot draws (after the table, in an effect) one legend row per series besides the time axis.
    await page.locator('.u-legend .u-series').nth(fromApi.length).waitFor();
    expect(await page.locator('.u-legend .u-series').count()).toBe(1 + fromApi.length);
    const rows = await page
      .locator('table.series-table tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) => [
          tr.querySelector('.series-name')?.textContent ?? '',
          tr.querySelector('.series-value')?.textContent ?? '',
        ]),
      );
    const expected = fromApi.map((r) => [
      `${METRIC}{instance=${JSON.stringify(r.metric.instance)}, job=${JSON.stringify(r.metric.job)}}`,
      String(Number(r.values[r.values.length - 1][1])),
    ]);
    expect(rows.sort()).toEqual(expected.sort());
    expect(rows.map((r) => r[1]).sort()).toEqual(['300', '600', '900']);
    const points = fromApi.reduce((n, r) => n + r.values.length, 0);
    const stat = (name: string) => page.locator(`[data-stat="${name}"]`).textContent();
    expect(await stat('series')).toBe('3 series');
    expect(await stat('step')).toBe('15s');
    // The API answered a moment earlier; a point may have slid in or out of the range since.
    expect(Math.abs(parseInt((await stat('points')) ?? '', 10) - points)).toBeLessThanOrEqual(3);
    await shoot('explorer');

    // The graph's own values, read from uPlot's legend at the newest point; stacked, they add up.
    const legendAtEnd = async (expected: number[]) =>
      eventually(
        async () => {
          const box = (await page.locator('.u-over').boundingBox())!;
          await page.mouse.move(box.x + box.width - 2, box.y + box.height / 2);
          const values = (await page.locator('.u-legend .u-series .u-value').allTextContents())
            .slice(1)
            .map((v) => Number(v.replace(/,/g, '')))
            .sort((a, b) => a - b);
          return values.join() === expected.join() ? values : undefined;
        },
        10_000,
        `the legend to read ${expected.join(', ')}`,
      );
    await legendAtEnd([300, 600, 900]);
    await page.getByLabel('Stacked').check();
    await legendAtEnd([300, 900, 1800]);
    await page.getByLabel('Stacked').uncheck();
  });

  it("shows the PromQL parser's message with its position for an invalid expression", async () => {
    const bad = `sum(rate(${METRIC}[5m])`;
    await page.getByLabel('Expression').fill(bad);
    await page.getByRole('button', { name: 'Run query' }).click();
    await page.getByRole('alert').waitFor();
    const end = Math.floor(Date.now() / 1000);
    const refused = await api<{ errorType: string; error: string }>(
      `/api/v1/query_range?query=${encodeURIComponent(bad)}&start=${end - 900}&end=${end}&step=15`,
      { headers: { 'x-scope-orgid': TENANT } },
    );
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatch(/\d+:\d+/);
    expect(await alertText()).toBe(`${refused.body.errorType}: ${refused.body.error}`);
    await shoot('explorer-bad-promql');
  });

  it("shows rule groups with each rule's health, state and last evaluation as the API does", async () => {
    const uploaded = await fetch(`${base}/prometheus/config/v1/rules/console`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${ADMIN}`,
        'x-scope-orgid': TENANT,
        'content-type': 'application/yaml',
      },
      body: `name: console\ninterval: 1s\nrules:\n  - record: console:requests:sum\n    expr: sum(${METRIC})\n  - alert: ConsoleAlwaysPending\n    expr: vector(1) > 0\n    for: 1h\n`,
    });
    expect(uploaded.status).toBe(202);
    type Rules = {
      data: {
        groups: Array<{
          name: string;
          rules: Array<{ name: string; health: string; state?: string; lastEvaluation: string }>;
        }>;
      };
    };
    const fromApi = await eventually(
      async () => {
        const answer = await api<Rules>('/api/v1/rules', { headers: { 'x-scope-orgid': TENANT } });
        const rules = answer.body.data.groups.find((g) => g.name === 'console')?.rules ?? [];
        return rules.length === 2 && rules.every((r) => r.health === 'ok') ? rules : undefined;
      },
      60_000,
      'the group to be evaluated',
    );
    await page.getByRole('link', { name: 'Rules' }).click();
    await page.getByRole('combobox', { name: 'Tenant', exact: true }).selectOption(TENANT);
    const group = page.getByRole('table', { name: 'Rule group console' });
    await group.locator('tr[data-rule="ConsoleAlwaysPending"]').waitFor();
    const cell = (rule: string, field: string) =>
      group.locator(`tr[data-rule="${rule}"] td[data-field="${field}"]`).textContent();
    expect(await cell('console:requests:sum', 'health')).toBe('ok');
    expect(await cell('ConsoleAlwaysPending', 'health')).toBe('ok');
    expect(await cell('ConsoleAlwaysPending', 'state')).toBe(
      fromApi.find((r) => r.name === 'ConsoleAlwaysPending')?.state,
    );
    expect(await cell('ConsoleAlwaysPending', 'alerts')).toBe('1');
    const evaluated = Date.parse((await cell('console:requests:sum', 'lastEvaluation')) ?? '');
    expect(evaluated).toBeGreaterThanOrEqual(
      Date.parse(fromApi.find((r) => r.name === 'console:requests:sum')!.lastEvaluation),
    );
    await shoot('rules');
  });

  it('silences an alert after naming its matchers, and expires the silence after confirming', async () => {
    const configured = await api('/alertmanager/api/v1/alerts', {
      method: 'POST',
      headers: { 'content-type': 'application/yaml', 'x-scope-orgid': TENANT },
      body: webhookConfig(`${sink.url}/console`),
    });
    expect(configured.status).toBe(201);
    const posted = await api('/alertmanager/api/v2/alerts', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-scope-orgid': TENANT },
      body: JSON.stringify([{ labels: { alertname: 'ConsoleDiskFull', severity: 'page' } }]),
    });
    expect(posted.status).toBe(200);
    await page.getByRole('link', { name: 'Alerts' }).click();
    await page.getByRole('combobox', { name: 'Tenant', exact: true }).selectOption(TENANT);
    const alertState = page.locator('tr[data-alert="ConsoleDiskFull"] td[data-field="state"]');
    await alertState.filter({ hasText: 'active' }).waitFor();

    const form = page.getByRole('form', { name: 'Create a silence' });
    await form.getByLabel('Matchers').fill('alertname="ConsoleDiskFull"');
    await form.getByLabel('Comment').fill('disk being replaced');
    await form.getByRole('button', { name: 'Create silence' }).click();
    type Silence = { id: string; status: { state: string }; comment: string };
    const [silence] = await eventually(
      async () => {
        const list = await api<Silence[]>('/alertmanager/api/v2/silences', {
          headers: { 'x-scope-orgid': TENANT },
        });
        return list.body.length === 1 ? list.body : undefined;
      },
      10_000,
      'the silence in the API',
    );
    expect(silence).toMatchObject({ status: { state: 'active' }, comment: 'disk being replaced' });
    const silenceState = page.locator(`tr[data-silence="${silence.id}"] td[data-field="state"]`);
    await silenceState.filter({ hasText: 'active' }).waitFor();
    // The alert is suppressed from the next evaluation on; the page shows it after a reload.
    await eventually(
      async () => {
        await page.getByRole('link', { name: 'Rules' }).click();
        await page.getByRole('link', { name: 'Alerts' }).click();
        await page.getByRole('combobox', { name: 'Tenant', exact: true }).selectOption(TENANT);
        await alertState.waitFor();
        return (await alertState.textContent()) === 'suppressed' ? true : undefined;
      },
      30_000,
      'the alert to show as suppressed',
    );
    await shoot('alerts-silenced');

    await page.getByRole('button', { name: `Expire silence ${silence.id}` }).click();
    await page
      .getByRole('dialog', { name: 'Expire this silence?' })
      .getByRole('button', { name: 'Expire silence' })
      .click();
    await silenceState.filter({ hasText: 'expired' }).waitFor();
    const after = await api<Silence[]>('/alertmanager/api/v2/silences', {
      headers: { 'x-scope-orgid': TENANT },
    });
    expect(after.body.map((s) => s.status.state)).toEqual(['expired']);
    await shoot('silences');
  });

  it('shows the notification history as the API answers it', async () => {
    type History = {
      items: Array<{ id: string; receiver: string; status: string; alerts: unknown[] }>;
    };
    const fromApi = await eventually(
      async () => {
        const h = await api<History>('/api/v1/notifications/history', {
          headers: { 'x-scope-orgid': TENANT },
        });
        return h.body.items.length > 0 ? h.body.items : undefined;
      },
      30_000,
      'a delivery in the history',
    );
    expect(sink.requests.some((r) => r.path === '/console')).toBe(true);
    await page.getByRole('link', { name: 'Rules' }).click();
    await page.getByRole('link', { name: 'Alerts' }).click();
    await page.getByRole('combobox', { name: 'Tenant', exact: true }).selectOption(TENANT);
    const history = page.getByRole('table', { name: 'Notification history' });
    await history.locator(`tr[data-delivery="${fromApi[0].id}"]`).waitFor();
    const row = history.locator(`tr[data-delivery="${fromApi[0].id}"]`);
    expect(await row.locator('td[data-field="receiver"]').textContent()).toBe('hook');
    expect(await row.locator('td[data-field="status"]').textContent()).toBe(fromApi[0].status);
    expect(await row.locator('td[data-field="alerts"]').textContent()).toBe('ConsoleDiskFull');
    await page.getByRole('combobox', { name: 'Delivery status' }).selectOption('failed');
    await history.locator('tr[data-delivery]').first().waitFor({ state: 'detached' });
    await shoot('notification-history');
  });

  it('searches archived Kubernetes events with a histogram whose bars add up to the total', async () => {
    const now = Date.now();
    const events = Array.from({ length: 5 }, (_, i) => ({
      kind: 'Event',
      apiVersion: 'v1',
      metadata: { name: `web-${i}.start`, namespace: 'shop', uid: `console-e2e-${i}` },
      involvedObject: { kind: 'Pod', name: `web-${i}`, namespace: 'shop' },
      reason: i < 3 ? 'BackOff' : 'Started',
      type: i < 3 ? 'Warning' : 'Normal',
      message: i < 3 ? `back-off restarting web-${i}` : `started web-${i}`,
      count: 1,
      lastTimestamp: new Date(now - i * 600_000).toISOString(),
    }));
    const posted = await api('/api/v1/events?cluster=prod', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-scope-orgid': TENANT },
      body: JSON.stringify(events),
    });
    expect(posted.status).toBe(200);
    type Search = { total: number; histogram: Array<{ count: number }> };
    const q = `start=${new Date(now - 3_600_000).toISOString()}&end=${new Date(now + 60_000).toISOString()}&q=back-off&interval=5m&limit=0`;
    const fromApi = await eventually(
      async () => {
        const answer = await api<Search>(`/api/v1/events/search?${q}`, {
          headers: { 'x-scope-orgid': TENANT },
        });
        return answer.body.total === 3 ? answer.body : undefined;
      },
      30_000,
      'the events to be archived',
    );
    await page.getByRole('link', { name: 'Events' }).click();
    await page.getByRole('combobox', { name: 'Tenant', exact: true }).selectOption(TENANT);
    const form = page.getByRole('form', { name: 'Search events' });
    await form.getByLabel('Text').fill('back-off');
    await form.getByRole('button', { name: 'Search' }).click();
    await page.locator('p.total').waitFor();
    expect(await page.locator('p.total').getAttribute('data-total')).toBe(String(fromApi.total));
    expect(
      await page.getByRole('table', { name: 'Matching events' }).locator('tbody tr').count(),
    ).toBe(3);
    const bars = await page
      .locator('.histogram rect')
      .evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('data-count'))));
    // A bar for every 5 minutes of the hour, empty ones included; the API's buckets are the rest.
    expect(bars.length).toBeGreaterThanOrEqual(12);
    expect(bars.filter((c) => c > 0).sort()).toEqual(fromApi.histogram.map((b) => b.count).sort());
    expect(bars.reduce((a, b) => a + b, 0)).toBe(3);
    await shoot('events');
  });

  it('lists log pipelines and opens one to its transforms and sinks', async () => {
    const put = await api(`/api/v1/admin/tenants/${TENANT}/log-pipelines/web`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'web',
        transforms: { json: { type: 'parse_json', inputs: ['source'] } },
        sinks: { out: { type: 'http', inputs: ['json'], url: 'http://127.0.0.1:9/logs' } },
      }),
    });
    expect(put.status).toBeLessThan(300);
    await page.getByRole('link', { name: 'Pipelines' }).click();
    await page.getByRole('combobox', { name: 'Tenant', exact: true }).selectOption(TENANT);
    await page.locator('tr[data-pipeline="web"]').waitFor();
    expect(await page.locator('tr[data-pipeline="web"] td[data-field="sinks"]').textContent()).toBe(
      'out',
    );
    await page.getByRole('button', { name: 'web', exact: true }).click();
    const parts = page.getByRole('table', { name: 'Components of web' });
    await parts.locator('tr[data-component="out"]').waitFor();
    expect(
      await parts.locator('tr[data-component="json"] td[data-field="type"]').textContent(),
    ).toBe('parse_json');
    expect(
      await parts.locator('tr[data-component="out"] td[data-field="type"]').textContent(),
    ).toBe('http');
    await shoot('pipelines');
  });

  it("shows a pipeline's records in and out per second and its errors, refreshed, as the API counts them", async () => {
    const asTenant = { 'content-type': 'application/json', 'x-scope-orgid': TENANT };
    const put = await api(`/api/v1/admin/tenants/${TENANT}/log-pipelines/flow`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'flow',
        sinks: {
          good: { type: 'http', inputs: ['source'], url: `${logSink.url}/logs`, encoding: 'json' },
          // Nothing listens on port 9: each send fails twice, then its records are dead-lettered.
          bad: {
            type: 'http',
            inputs: ['source'],
            url: 'http://127.0.0.1:9/logs',
            delivery: { max_attempts: 2, backoff_ms: 20 },
          },
        },
      }),
    });
    expect(put.status).toBeLessThan(300);
    const stats = async () =>
      (await api<PipelineStats>('/api/v1/logs/pipelines/flow/stats', { headers: asTenant })).body;
    let sent = 0;
    const sendLine = async () => {
      const res = await api('/api/v1/logs', {
        method: 'POST',
        headers: { ...asTenant, 'content-type': 'application/x-ndjson' },
        body: `${JSON.stringify({ line: `console flow line ${sent++}` })}\n`,
      });
      expect(res.status).toBe(200);
    };
    // The pipeline reads what is stored after its consumer exists: send until one line is counted.
    await eventually(
      async () => {
        await sendLine();
        return (await stats()).totals.receivedEvents > 0 ? true : undefined;
      },
      60_000,
      'the pipeline to count a line',
    );

    // Opened afresh (the test before left the page open), so the new pipeline is listed.
    await page.getByRole('link', { name: 'Explore' }).click();
    await page.getByRole('link', { name: 'Pipelines' }).click();
    await page.getByRole('combobox', { name: 'Tenant', exact: true }).selectOption(TENANT);
    const row = page.locator('tr[data-pipeline="flow"]');
    await row.waitFor();
    const cell = async (field: string) =>
      Number(await row.locator(`td[data-field="${field}"]`).textContent());
    // Lines keep coming for a while; the page, reading every few seconds, shows the rates.
    const until = Date.now() + 60_000;
    while (
      Date.now() < until &&
      !((await cell('inPerSecond')) > 0 && (await cell('errorsPerSecond')) > 0)
    ) {
      await sendLine();
      await page.waitForTimeout(200);
    }
    expect(await cell('inPerSecond')).toBeGreaterThan(0);
    expect(await cell('outPerSecond')).toBeGreaterThan(0);
    expect(await cell('errorsPerSecond')).toBeGreaterThan(0);
    await shoot('pipelines-throughput');

    // Once every line went through, the page settles on the API's counters.
    const settled = await eventually(
      async () => {
        const first = await stats();
        await new Promise((r) => setTimeout(r, 1_500));
        const s = await stats();
        const t = s.totals;
        return t.receivedEvents === first.totals.receivedEvents &&
          t.sinks.bad.deadEvents === t.receivedEvents &&
          t.sinks.good.sentEvents === t.receivedEvents
          ? s
          : undefined;
      },
      60_000,
      'every counted line delivered and dead-lettered',
    );
    await row
      .locator('td[data-field="receivedEvents"]')
      .filter({ hasText: new RegExp(`^${settled.totals.receivedEvents}$`) })
      .waitFor();
    await page.getByRole('button', { name: 'flow', exact: true }).click();
    const table = page.getByRole('table', { name: 'Throughput of flow' });
    await table.locator('tr[data-throughput="bad"]').waitFor();
    const shown = await table.locator('tr[data-throughput]').evaluateAll((trs) =>
      trs.map((tr) => ({
        row: tr.getAttribute('data-throughput'),
        received: tr.querySelector('[data-field="receivedEvents"]')?.textContent,
        sent: tr.querySelector('[data-field="sentEvents"]')?.textContent,
        dead: tr.querySelector('[data-field="deadEvents"]')?.textContent,
        failed: tr.querySelector('[data-field="failedSends"]')?.textContent,
      })),
    );
    const t = settled.totals;
    const rowOf = (row: string, c: typeof t.sinks.good) => ({
      row,
      received: String(c.receivedEvents),
      sent: String(c.sentEvents),
      dead: String(c.deadEvents),
      failed: String(c.failedSends),
    });
    // The whole pipeline, then its sinks in the order the API lists them.
    expect(shown).toEqual([
      rowOf('pipeline', t),
      ...Object.entries(t.sinks).map(([id, c]) => rowOf(id, c)),
    ]);
    expect(Object.keys(t.sinks).sort()).toEqual(['bad', 'good']);
    // The good sink's server got every line the counters say it delivered.
    expect(logSink.requests.flatMap((r) => r.body as unknown[])).toHaveLength(
      t.sinks.good.sentEvents,
    );
    expect(t.sinks.bad.failedSends).toBe(2 * t.batches);
    await shoot('pipeline-throughput-detail');
  });

  it("lists registered models and shows a model's versions and aliases as the registry does", async () => {
    const asTenant = { 'content-type': 'application/json', 'x-scope-orgid': TENANT };
    await api('/api/v1/registry/models', {
      method: 'POST',
      headers: asTenant,
      body: JSON.stringify({ name: 'churn' }),
    });
    for (const source of ['s3://models/churn/1', 's3://models/churn/2'])
      expect(
        (
          await api('/api/v1/registry/models/churn/versions', {
            method: 'POST',
            headers: asTenant,
            body: JSON.stringify({ source, runId: 'run-7' }),
          })
        ).status,
      ).toBe(201);
    await api('/api/v1/registry/models/churn/aliases/champion', {
      method: 'PUT',
      headers: asTenant,
      body: JSON.stringify({ version: 1 }),
    });
    const model = await api<{
      latestVersion: number;
      versions: Array<{ version: number; aliases: string[]; source: string }>;
    }>('/api/v1/registry/models/churn', { headers: asTenant });
    await page.getByRole('link', { name: 'Models' }).click();
    await page.getByRole('combobox', { name: 'Tenant', exact: true }).selectOption(TENANT);
    await page.locator('tr[data-model="churn"]').waitFor();
    expect(
      await page.locator('tr[data-model="churn"] td[data-field="latestVersion"]').textContent(),
    ).toBe(String(model.body.latestVersion));
    await page.getByRole('button', { name: 'churn', exact: true }).click();
    const versions = page.getByRole('table', { name: 'Versions of churn' });
    await versions.locator('tr[data-version]').nth(1).waitFor();
    const rows = await versions.locator('tr[data-version]').evaluateAll((trs) =>
      trs.map((tr) => ({
        version: Number(tr.getAttribute('data-version')),
        aliases: tr.querySelector('[data-field="aliases"]')?.textContent ?? '',
        source: tr.querySelector('[data-field="source"]')?.textContent ?? '',
      })),
    );
    expect(rows).toEqual(
      model.body.versions.map((v) => ({
        version: v.version,
        aliases: v.aliases.join(', ') || '-',
        source: v.source,
      })),
    );
    expect(rows[0].aliases).toBe('champion');
    await shoot('models');
  });

  it("shows a version's lineage from its run to the workloads serving it, with their queries", async () => {
    const asTenant = { 'content-type': 'application/json', 'x-scope-orgid': TENANT };
    const created = await api<{ version: number }>('/api/v1/registry/models/churn/versions', {
      method: 'POST',
      headers: asTenant,
      body: JSON.stringify({
        source: 's3://models/churn/3',
        runId: 'run-9',
        runLink: 'http://mlflow.example/#/experiments/1/runs/run-9',
        serving: [{ namespace: 'ml', deployment: 'churn-api' }],
      }),
    });
    expect(created.status).toBe(201);
    const version = created.body.version;
    await api(`/api/v1/registry/models/churn/aliases/canary`, {
      method: 'PUT',
      headers: asTenant,
      body: JSON.stringify({ version }),
    });
    const fromApi = await api<{
      source: string;
      runLink: string;
      aliases: string[];
      servingQueries: ServingQueries[];
    }>(`/api/v1/registry/models/churn/versions/${version}`, { headers: asTenant });

    // Opened afresh, so the versions listed include the new one.
    await page.getByRole('link', { name: 'Explore' }).click();
    await page.getByRole('link', { name: 'Models' }).click();
    await page.getByRole('combobox', { name: 'Tenant', exact: true }).selectOption(TENANT);
    await page.getByRole('button', { name: 'churn', exact: true }).click();
    await page.getByRole('button', { name: `Lineage of version ${version}` }).click();
    const lineage = page.getByRole('list', { name: `Lineage of churn version ${version}` });
    await lineage.waitFor();
    // In order, as a screen reader reads it: run, version, aliases, serving.
    expect(
      await lineage
        .locator(':scope > li')
        .evaluateAll((lis) => lis.map((li) => li.getAttribute('data-step'))),
    ).toEqual(['run', 'version', 'aliases', 'serving']);
    const run = lineage.getByRole('link', { name: 'run-9' });
    expect(await run.getAttribute('href')).toBe(fromApi.body.runLink);
    expect(await lineage.locator('[data-field="source"]').textContent()).toBe(fromApi.body.source);
    expect(await lineage.locator('[data-field="aliases"]').textContent()).toBe(
      fromApi.body.aliases.join(', '),
    );
    const [queries] = fromApi.body.servingQueries;
    const workload = lineage.locator('li[data-workload="ml/churn-api"]');
    expect(await workload.locator('[data-query="logs"]').textContent()).toBe(queries.logs);
    for (const kind of ['cpu', 'memory', 'restarts'] as const) {
      const href = (await workload.locator(`a[data-query="${kind}"]`).getAttribute('href')) ?? '';
      const params = new URLSearchParams(href.split('?')[1]);
      expect(params.get('expr')).toBe(queries.promql[kind]);
      expect(params.get('tenant')).toBe(TENANT);
    }
    await shoot('model-lineage');
    // Reached by keyboard, the CPU link opens the explorer on its query.
    await workload.getByRole('link', { name: 'CPU of churn-api' }).focus();
    await page.keyboard.press('Enter');
    await page.getByLabel('Expression').waitFor();
    expect(await page.getByLabel('Expression').inputValue()).toBe(queries.promql.cpu);
  });

  it("signs in with an API key, bound to its tenant, and queries that tenant's data", async () => {
    const issued = await api<{ secret: string }>(`/api/v1/admin/tenants/${TENANT}/api-keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'reader', scopes: ['read'] }),
    });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Admin token or API key').fill(issued.body.secret);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText(`key of ${TENANT}`).waitFor();
    await page.getByRole('link', { name: 'Explore' }).click();
    await page.getByText(`Tenant: ${TENANT}`).waitFor();
    await page.getByLabel('Expression').fill(`sum(${METRIC})`);
    await page.getByRole('button', { name: 'Run query' }).click();
    await page.locator('table.series-table tbody tr').first().waitFor();
    expect(await page.locator('table.series-table .series-value').allTextContents()).toEqual([
      '1800',
    ]);
    await shoot('explorer-as-key');
  });

  it('fits a phone-width screen without sideways scrolling', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('link', { name: 'Tenants' }).click();
    // Signed in with the read key now: its own tenant and quota only.
    await quotaCell(TENANT).filter({ hasText: '2000' }).waitFor();
    expect(await tenantsTable().locator('tr[data-tenant]').count()).toBe(1);
    // Evaluated in the page: the spec's own types know no DOM.
    const overflow = await page.evaluate<number>(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await shoot('tenants-phone');
    // Every other page too, each with what it lists for the key's tenant.
    for (const [link, ready] of [
      ['Rules', 'tr[data-rule="ConsoleAlwaysPending"]'],
      ['Alerts', 'tr[data-alert="ConsoleDiskFull"]'],
      ['Events', 'form[aria-label="Search events"]'],
      ['Pipelines', 'tr[data-pipeline="web"]'],
      ['Models', 'tr[data-model="churn"]'],
      ['Audit', 'td.audit-type'],
      ['Explore', 'form[aria-label="Range query"]'],
      ['Send data', 'article[data-endpoint="audit"]'],
    ]) {
      await page.getByRole('link', { name: link, exact: true }).click();
      await page.locator(ready).first().waitFor();
      const wide = await page.evaluate<number>(
        'document.documentElement.scrollWidth - document.documentElement.clientWidth',
      );
      expect(wide > 0 ? `${link} scrolls sideways by ${wide}px` : link).toBe(link);
      await shoot(`${link.toLowerCase().replace(' ', '-')}-phone`);
    }
    await page.setViewportSize({ width: 1280, height: 800 });
  });
  it("shows a tenant's use against its quota, then suspends, resumes, renames and deletes it", async () => {
    const tenant = 'acme-lifecycle';
    const created = await api(`/api/v1/admin/tenants`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenantId: tenant, displayName: 'Lifecycle' }),
    });
    expect(created.status).toBe(201);
    const written = await fetch(`${base}/api/v1/write`, {
      method: 'POST',
      body: encodeWriteRequestV1(batchAt('console_lifecycle_up', 4, Date.now(), 1)),
      headers: {
        ...REMOTE_WRITE_V1_HEADERS,
        authorization: `Bearer ${ADMIN}`,
        'x-scope-orgid': tenant,
      },
    });
    expect(written.status).toBe(204);
    const asTenant = { headers: { 'x-scope-orgid': tenant } };
    const stats = await eventually(
      async () => {
        const answer = await api<{ numSeries: number }>('/api/v1/user_stats', asTenant);
        return answer.body.numSeries === 4 ? answer.body : undefined;
      },
      30_000,
      'the written series to be counted',
    );
    const limits = await api<{ limits: { maxActiveSeries: number } }>(
      '/api/v1/user_limits',
      asTenant,
    );
    const tenantView = async () =>
      (await api<{ status: string; displayName: string }>(`/api/v1/admin/tenants/${tenant}`)).body;

    // Signed in with the read key by the tests before; the lifecycle is the admin's.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Admin token or API key').fill(ADMIN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Tenants' }).click();
    await page.getByRole('button', { name: `Manage ${tenant}` }).click();
    const panel = page.getByRole('region', { name: `Tenant ${tenant}` });
    await panel.locator('[data-usage="series"]').waitFor();
    expect(await panel.locator('[data-usage="series"]').textContent()).toBe(
      `${stats.numSeries} / ${limits.body.limits.maxActiveSeries}`,
    );
    expect(
      await panel.getByRole('meter', { name: 'Active series used' }).getAttribute('value'),
    ).toBe(String(stats.numSeries));
    await shoot('tenant-usage');

    const statusCell = tenantsTable().locator(
      `tr[data-tenant="${tenant}"] td[data-field="status"]`,
    );
    await panel.getByRole('button', { name: 'Suspend' }).click();
    await page
      .getByRole('dialog', { name: `Suspend tenant ${tenant}?` })
      .getByRole('button', { name: 'Suspend' })
      .click();
    await statusCell.filter({ hasText: 'suspended' }).waitFor();
    expect((await tenantView()).status).toBe('suspended');
    expect(await panel.locator('[data-field="panel-status"]').textContent()).toBe('suspended');
    await shoot('tenant-suspended');

    await panel.getByRole('button', { name: 'Resume' }).click();
    await page
      .getByRole('dialog', { name: `Resume tenant ${tenant}?` })
      .getByRole('button', { name: 'Resume' })
      .click();
    await statusCell.filter({ hasText: 'active' }).waitFor();
    expect((await tenantView()).status).toBe('active');

    // A change made elsewhere after the page loaded: the console's If-Match is stale.
    const shown = (await api<{ version: number }>(`/api/v1/admin/tenants/${tenant}`)).body.version;
    const renameAs = (displayName: string, version: number) =>
      api<{ error: { code: string; message: string } }>(`/api/v1/admin/tenants/${tenant}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', 'if-match': `"${version}"` },
        body: JSON.stringify({ displayName }),
      });
    expect((await renameAs('Changed elsewhere', shown)).status).toBe(200);
    await panel.getByLabel('Display name').fill('Lifecycle renamed');
    await panel.getByRole('button', { name: 'Rename' }).click();
    await panel.getByRole('alert').waitFor();
    const conflict = await renameAs('Lifecycle renamed', shown);
    expect(conflict.body.error.code).toBe('version_conflict');
    expect(await panel.getByRole('alert').textContent()).toBe(
      `${conflict.body.error.code}: ${conflict.body.error.message}`,
    );
    expect((await tenantView()).displayName).toBe('Changed elsewhere');
    await shoot('tenant-conflict');

    // Loaded afresh, the console names the current version and the rename goes through.
    await page.getByRole('link', { name: 'Audit' }).click();
    await page.getByRole('link', { name: 'Tenants' }).click();
    await page.getByRole('button', { name: `Manage ${tenant}` }).click();
    await panel.getByLabel('Display name').fill('Lifecycle renamed');
    await panel.getByRole('button', { name: 'Rename' }).click();
    await tenantsTable()
      .locator(`tr[data-tenant="${tenant}"] td[data-field="displayName"]`)
      .filter({ hasText: 'Lifecycle renamed' })
      .waitFor();
    expect((await tenantView()).displayName).toBe('Lifecycle renamed');

    await panel.getByRole('button', { name: 'Delete' }).click();
    await page
      .getByRole('dialog', { name: `Delete tenant ${tenant}?` })
      .getByRole('button', { name: 'Delete' })
      .click();
    await tenantsTable().locator(`tr[data-tenant="${tenant}"]`).waitFor({ state: 'detached' });
    const deleted = await api<{ items: Array<{ tenantId: string; status: string }> }>(
      '/api/v1/admin/tenants?includeDeleted=true&limit=100',
    );
    expect(deleted.body.items.find((t) => t.tenantId === tenant)?.status).toBe('deleted');
  });
  it('signs in with a write-only key: shows what it can send, and read pages say it cannot read', async () => {
    const issued = await api<{ secret: string }>(`/api/v1/admin/tenants/${TENANT}/api-keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'shipper', scopes: ['write'] }),
    });
    const secret = issued.body.secret;
    // The API itself refuses this key any read.
    const refused = await api<{ error: { code: string } }>('/api/v1/user_limits', {}, secret);
    expect(refused.status).toBe(403);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Admin token or API key').fill(secret);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText(`key of ${TENANT}`).waitFor();
    await page.getByRole('heading', { name: 'Send data' }).waitFor();
    expect(page.url()).toMatch(/#\/ingest$/);
    expect(await page.locator('[data-field="scopes"]').textContent()).toBe('Scopes: write');
    expect(await page.getByRole('note').textContent()).toContain('cannot read it back');

    const endpoint = (id: string) => page.locator(`article[data-endpoint="${id}"]`);
    const urls = await Promise.all(
      ['remote-write', 'loki', 'otlp', 'audit'].map(
        async (id) => (await endpoint(id).locator('[data-field="url"]').textContent()) ?? '',
      ),
    );
    expect(urls).toEqual([
      `${base}/api/v1/write`,
      `${base}/loki/api/v1/push`,
      `${base}/v1/logs`,
      `${base}/api/v1/audit/webhook/event`,
    ]);
    const remoteWrite = (await endpoint('remote-write').locator('pre').textContent()) ?? '';
    expect(remoteWrite).toContain(`credentials: ${secret}`);
    // The copy button puts the same text on the clipboard.
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    await page.getByRole('button', { name: 'Copy Prometheus remote_write configuration' }).click();
    await endpoint('remote-write').getByRole('status').waitFor();
    expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(remoteWrite);
    await shoot('ingest-write-key');

    // What the snippets say works: remote write and a Loki push with this key are taken.
    const written = await fetch(urls[0], {
      method: 'POST',
      body: encodeWriteRequestV1(batchAt('console_write_key_up', 1, Date.now(), 1)),
      headers: { ...REMOTE_WRITE_V1_HEADERS, authorization: `Bearer ${secret}` },
    });
    expect(written.status).toBe(204);
    const pushed = await fetch(urls[1], {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        streams: [{ stream: { job: 'shipper' }, values: [[`${Date.now()}000000`, 'hello']] }],
      }),
    });
    expect(pushed.status).toBe(204);

    // Read pages say plainly that the key cannot read, and show no API error.
    for (const link of ['Explore', 'Tenants', 'Pipelines', 'Models', 'Audit']) {
      await page.getByRole('link', { name: link, exact: true }).click();
      await page.getByRole('heading', { name: link }).first().waitFor();
      expect(await page.getByRole('note').textContent()).toContain('cannot read this page');
      expect(await page.getByRole('alert').count()).toBe(0);
    }
    await shoot('read-page-write-key');
  });
});
