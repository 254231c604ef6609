import { type ChildProcess, execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { type NatsBus } from '@strata/bus';
import { startWebhookSink, type WebhookSink } from '@strata/alertmanager/testing';
import {
  type EventAlerts,
  EventsSubjects,
  type LogAlerts,
  LogflowSubjects,
  type RulerAlertBatch,
  Subjects,
} from '@strata/contracts';
import { controlPlaneService } from '@strata/control-plane';
import { freePort, type RunningNatsServer } from '@strata/devstack';
import {
  ADMIN_TOKEN,
  clientBus,
  startAlertmanager,
  killHard,
  removeTestDirs,
  spawnStrata,
  startInProcess,
  startTestGateway,
  startTestNats,
  strataEnv,
} from '@strata/platform/testing';
import { type RunningServices } from '@strata/service-kit';
import { freshDatabase, type FreshDatabase } from '@strata/testing';

jest.setTimeout(180_000);
const run = promisify(execFile);

const tenantConfig = (sink: string, tenant: string): string => `
route:
  receiver: hook
  group_by: [alertname]
  group_wait: 1s
  group_interval: 2s
  repeat_interval: 1h
  routes:
    - matchers: ['slow="yes"']
      receiver: hook
      group_wait: 6s
receivers:
  - name: hook
    webhook_configs: [{ url: '${sink}/${tenant}' }]
  - name: mail
    email_configs: [{ to: ops@example.com, from: am@example.com, smarthost: 'localhost:25', auth_password: hunter2 }]
`;

/** The notification service as its own process behind the real gateway; amtool talks to it as to Alertmanager. */
describe('notification through the gateway: amtool, tenancy, bad config, kill -9', () => {
  let nats: RunningNatsServer;
  let dir: string;
  let bus: NatsBus;
  let edge: { url: string; close(): Promise<void> };
  let sink: WebhookSink;
  let notification: ChildProcess | null = null;
  let db: FreshDatabase;
  let controlPlane: RunningServices;
  /** Each tenant's API key secret, issued by the real control plane. */
  const secrets = new Map<string, string>();
  const secret = (key: string): string => secrets.get(key) ?? key;

  const api = (key: string, path: string, init: RequestInit = {}): Promise<Response> =>
    fetch(`${edge.url}${path}`, {
      ...init,
      headers: {
        Authorization: `Bearer ${secret(key)}`,
        'Content-Type': 'application/json',
        ...(init.headers ?? {}),
      },
    });
  const amtool = async (key: string, ...args: string[]): Promise<string> => {
    const httpConfig = join(dir, `${key}.http.yml`);
    writeFileSync(httpConfig, `authorization:\n  credentials: ${secret(key)}\n`);
    const { stdout } = await run('amtool', [
      `--alertmanager.url=${edge.url}/alertmanager`,
      `--http.config.file=${httpConfig}`,
      ...args,
    ]);
    return stdout;
  };
  let metricsUrl = '';
  const startNotification = async (): Promise<void> => {
    const port = await freePort();
    metricsUrl = `http://127.0.0.1:${port}/metrics`;
    notification = await spawnStrata(
      'notification',
      strataEnv(nats, join(dir, 'data'), { HEALTH_PORT: String(port) }),
      join(dir, 'notification.log'),
    );
    for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
      if ((await api('acme-key', '/alertmanager/api/v2/status')).status === 200) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error('notification did not answer');
  };
  const sent = (tenant: string) => sink.requests.filter((r) => r.path === `/${tenant}`);
  const waitFor = async (what: () => boolean, ms: number): Promise<void> => {
    for (const deadline = Date.now() + ms; Date.now() < deadline;) {
      if (what()) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('timed out');
  };

  beforeAll(async () => {
    ({ server: nats, dir } = await startTestNats());
    bus = await clientBus(nats);
    db = await freshDatabase('notification');
    controlPlane = await startInProcess(
      strataEnv(nats, join(dir, 'cp'), { DATABASE_URL: db.url }),
      [controlPlaneService],
    );
    edge = await startTestGateway(bus);
    for (const t of ['acme', 'beta']) {
      expect(
        (
          await api(ADMIN_TOKEN, '/api/v1/admin/tenants', {
            method: 'POST',
            body: JSON.stringify({ tenantId: t, displayName: t }),
          })
        ).status,
      ).toBe(201);
      const issued = await api(ADMIN_TOKEN, `/api/v1/admin/tenants/${t}/api-keys`, {
        method: 'POST',
        body: JSON.stringify({ name: 'spec', scopes: ['read', 'write', 'admin'] }),
      });
      secrets.set(`${t}-key`, ((await issued.json()) as { secret: string }).secret);
    }
    sink = await startWebhookSink();
    await startNotification();
    for (const t of ['acme', 'beta']) {
      const body = `alertmanager_config: |\n${tenantConfig(sink.url, t)
        .split('\n')
        .map((l) => `  ${l}`)
        .join('\n')}\n`;
      const res = await api(`${t}-key`, '/alertmanager/api/v1/alerts', {
        method: 'POST',
        body,
        headers: { 'Content-Type': 'application/yaml' },
      });
      expect(res.status).toBe(201);
    }
  });

  afterAll(async () => {
    if (notification) await killHard(notification);
    await edge?.close();
    await controlPlane?.stop();
    await db?.drop();
    await sink?.close();
    await bus?.drain();
    await nats?.process.stop();
    removeTestDirs();
  });

  it('refuses an invalid configuration with the path and reason, and keeps the old one', async () => {
    const bad = [
      'alertmanager_config: |',
      '  route:',
      '    receiver: nobody',
      '    routes:',
      `      - matchers: ['a=~"("']`,
      '  receivers:',
      '    - name: hook',
      '',
    ].join('\n');
    const res = await api('acme-key', '/alertmanager/api/v1/alerts', {
      method: 'POST',
      body: bad,
      headers: { 'Content-Type': 'application/yaml' },
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as {
      error: { code: string; fields: { path: string; message: string }[] };
    };
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.fields).toEqual(
      expect.arrayContaining([
        { path: 'route.receiver', message: 'undefined receiver "nobody" used in route' },
        expect.objectContaining({ path: 'route.routes[0].matchers[0]' }),
      ]),
    );
    const badTemplate =
      'alertmanager_config: |\n  route: {receiver: hook}\n  receivers: [{name: hook}]\ntemplate_files:\n  t.tmpl: \'{{ define "x" }}{{ nope . }}{{ end }}\'\n';
    const tres = await api('acme-key', '/alertmanager/api/v1/alerts', {
      method: 'POST',
      body: badTemplate,
      headers: { 'Content-Type': 'application/yaml' },
    });
    expect(tres.status).toBe(400);
    expect(JSON.stringify(await tres.json())).toContain('function \\"nope\\" not defined');
    const current = await (await api('acme-key', '/alertmanager/api/v1/alerts')).text();
    expect(current).toContain(`${sink.url}/acme`);
    // Credentials are never read back.
    expect(current).not.toContain('hunter2');
    expect(current).toContain('<secret>');
  });

  it('keeps configurations in the control plane: versioned, audited with credentials masked, replayable', async () => {
    const view = (await (
      await api('acme-key', '/api/v1/admin/tenants/acme/alertmanager/config')
    ).json()) as { version: number; alertmanagerConfig: string };
    expect(view.alertmanagerConfig).toContain(`${sink.url}/acme`);
    expect(view.alertmanagerConfig).not.toContain('hunter2');
    // Two refusals above appended nothing: the stream holds the one upload.
    expect(view.version).toBe(1);
    expect((await api('beta-key', '/api/v1/admin/tenants/acme/alertmanager/config')).status).toBe(
      403,
    );
    const stale = await api('acme-key', '/api/v1/admin/tenants/acme/alertmanager/config', {
      method: 'PUT',
      headers: { 'If-Match': '"7"' },
      body: JSON.stringify({ alertmanagerConfig: tenantConfig(sink.url, 'acme') }),
    });
    expect(stale.status).toBe(409);
    const audit = (await (
      await api(ADMIN_TOKEN, '/api/v1/admin/audit?tenant=acme&type=AlertmanagerConfigured')
    ).json()) as { items: { actorKind: string; data: { alertmanagerConfig: string } }[] };
    expect(audit.items).toHaveLength(1);
    expect(audit.items[0].actorKind).toBe('api-key');
    expect(audit.items[0].data.alertmanagerConfig).toContain('<secret>');
    expect(JSON.stringify(audit.items)).not.toContain('hunter2');
    const replay = (await (
      await api(ADMIN_TOKEN, `/api/v1/admin/audit/replay?position=1000000`)
    ).json()) as { alertmanagerConfigs?: { tenantId: string; alertmanagerConfig: string }[] };
    expect(replay.alertmanagerConfigs?.map((c) => c.tenantId)).toEqual(['acme', 'beta']);
    expect(JSON.stringify(replay)).not.toContain('hunter2');
    // At rest the credential is sealed; the notification process, which delivers to this
    // configuration's receivers in the specs below, is the one that opens it.
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    try {
      const { rows } = await pg.query<{ data: { alertmanagerConfig: string } }>(
        "SELECT data FROM events WHERE type = 'AlertmanagerConfigured' ORDER BY position",
      );
      expect(rows.length).toBeGreaterThan(0);
      for (const { data } of rows) {
        expect(JSON.stringify(data)).not.toContain('hunter2');
        expect(data.alertmanagerConfig).toMatch(/auth_password: ["']?strata-sealed:v1:/);
      }
    } finally {
      await pg.end();
    }
  });

  it('serves the configuration over GraphQL with the same checks and masking', async () => {
    type Answer = {
      data?: Record<string, { version?: number; alertmanagerConfig?: string }> | null;
      errors?: Array<{ message: string; extensions?: { code?: string } }>;
    };
    const gql = async (query: string, variables: object = {}): Promise<Answer> =>
      (await (
        await api('acme-key', '/graphql', {
          method: 'POST',
          body: JSON.stringify({ query, variables }),
        })
      ).json()) as Answer;
    const read = await gql(
      'query { alertmanagerConfig(tenantId: "acme") { version alertmanagerConfig } }',
    );
    expect(read.errors).toBeUndefined();
    expect(read.data?.alertmanagerConfig.alertmanagerConfig).toContain('<secret>');
    const version = read.data?.alertmanagerConfig.version;
    const bad = await gql(
      'mutation ($c: String!) { configureAlertmanager(tenantId: "acme", alertmanagerConfig: $c) { version } }',
      { c: 'route: {receiver: nobody}\nreceivers: [{name: hook}]\n' },
    );
    expect(bad.errors?.[0]?.extensions?.code).toBe('validation_failed');
    expect(bad.errors?.[0]?.message).toContain('undefined receiver "nobody" used in route');
    const after = await gql('query { alertmanagerConfig(tenantId: "acme") { version } }');
    expect(after.data?.alertmanagerConfig.version).toBe(version);
    const other = await gql('query { alertmanagerConfig(tenantId: "beta") { version } }');
    expect(other.errors?.[0]?.extensions?.code).toBe('forbidden');
  });

  it('works with amtool: config show, alert add and query, silence add, query and expire', async () => {
    const shown = await amtool('acme-key', 'config', 'show');
    expect(shown).toContain(`${sink.url}/acme`);
    expect(shown).not.toContain('hunter2');
    // What Strata shows, credentials masked, is a configuration amtool accepts.
    const file = join(dir, 'acme.yml');
    writeFileSync(file, shown);
    await expect(amtool('acme-key', 'check-config', file)).resolves.toContain('SUCCESS');

    await amtool(
      'acme-key',
      'alert',
      'add',
      'alertname=DiskFull',
      'instance=db1',
      '--annotation=summary=disk',
    );
    await waitFor(() => sent('acme').length >= 1, 10_000);
    const first = sent('acme')[0].body as {
      receiver: string;
      status: string;
      alerts: { labels: Record<string, string> }[];
    };
    expect(first).toMatchObject({
      receiver: 'hook',
      status: 'firing',
      groupKey: '{}:{alertname="DiskFull"}',
    });
    expect(first.alerts.map((a) => a.labels)).toEqual([{ alertname: 'DiskFull', instance: 'db1' }]);
    expect(await amtool('acme-key', 'alert', 'query', 'alertname=DiskFull')).toContain('DiskFull');

    const id = (
      await amtool(
        'acme-key',
        'silence',
        'add',
        'alertname=CpuHigh',
        '--comment=maintenance',
        '--author=ops',
        '--duration=1h',
      )
    ).trim();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await amtool('acme-key', 'silence', 'query')).toContain(id);
    await amtool('acme-key', 'alert', 'add', 'alertname=CpuHigh', 'instance=db1');
    await new Promise((r) => setTimeout(r, 4000));
    expect(sent('acme').some((r) => JSON.stringify(r.body).includes('CpuHigh'))).toBe(false);
    expect(
      await amtool('acme-key', '-o', 'json', 'alert', 'query', '--silenced', 'alertname=CpuHigh'),
    ).toContain(id);

    // Tenant isolation: beta sees none of it, and acme's silence does not mute beta's alert.
    expect(await amtool('beta-key', 'silence', 'query')).not.toContain(id);
    expect(await amtool('beta-key', 'alert', 'query')).not.toContain('DiskFull');
    expect((await api('beta-key', `/alertmanager/api/v2/silence/${id}`)).status).toBe(404);
    await amtool('beta-key', 'alert', 'add', 'alertname=CpuHigh', 'instance=db1');
    await waitFor(
      () => sent('beta').some((r) => JSON.stringify(r.body).includes('CpuHigh')),
      10_000,
    );

    await amtool('acme-key', 'silence', 'expire', id);
    expect(await amtool('acme-key', 'silence', 'query')).not.toContain(id);
    expect(await amtool('acme-key', 'silence', 'query', '--expired')).toContain(id);
    await waitFor(
      () => sent('acme').some((r) => JSON.stringify(r.body).includes('CpuHigh')),
      10_000,
    );
  });

  it('shows the tenant what was delivered, with filters and a cursor', async () => {
    const page = (await (
      await api('acme-key', '/api/v1/notifications/history?limit=1')
    ).json()) as {
      items: { tenantId: string; receiver: string; status: string; integration: string }[];
      nextCursor: string | null;
    };
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({
      tenantId: 'acme',
      receiver: 'hook',
      status: 'sent',
      integration: 'webhook',
    });
    expect(page.nextCursor).not.toBeNull();
    const rest = (await (
      await api('acme-key', `/api/v1/notifications/history?cursor=${page.nextCursor}`)
    ).json()) as { items: unknown[] };
    expect(rest.items.length).toBeGreaterThanOrEqual(1);
    const beta = (await (await api('beta-key', '/api/v1/notifications/history')).json()) as {
      items: { tenantId: string }[];
    };
    expect(beta.items.every((i) => i.tenantId === 'beta')).toBe(true);
    const failed = (await (
      await api('acme-key', '/api/v1/notifications/history?status=failed')
    ).json()) as { items: unknown[] };
    expect(failed.items).toEqual([]);
  });

  it("delivers the alerts Strata's ruler publishes on its stream", async () => {
    const now = new Date();
    const batch: RulerAlertBatch = {
      tenantId: 'acme',
      scope: 'namespace',
      namespace: 'ops',
      group: 'disk',
      alerts: [
        {
          labels: { alertname: 'RulerFired', severity: 'warning' },
          annotations: { summary: 'from the ruler' },
          startsAt: now.toISOString(),
          endsAt: new Date(now.getTime() + 3_600_000).toISOString(),
          generatorURL: 'http://ruler/graph',
        },
      ],
    };
    await bus.publish(Subjects.rulerAlerts('acme'), batch);
    await waitFor(
      () => sent('acme').some((r) => JSON.stringify(r.body).includes('RulerFired')),
      15_000,
    );
    expect(sent('beta').some((r) => JSON.stringify(r.body).includes('RulerFired'))).toBe(false);
  });

  it("delivers the event and audit alerts Strata's events service publishes on its stream", async () => {
    const now = new Date();
    const batch: EventAlerts = {
      tenantId: 'acme',
      alerts: [
        {
          labels: { alertname: 'PodCrashLooping', severity: 'warning', namespace: 'shop' },
          annotations: { message: 'Back-off restarting failed container' },
          startsAt: now.toISOString(),
          endsAt: new Date(now.getTime() + 3_600_000).toISOString(),
        },
      ],
    };
    await bus.publish(EventsSubjects.alerts('acme'), batch, { msgId: 'spec-event-alerts-1' });
    await waitFor(
      () => sent('acme').some((r) => JSON.stringify(r.body).includes('PodCrashLooping')),
      15_000,
    );
    const delivered = sent('acme').find((r) => JSON.stringify(r.body).includes('PodCrashLooping'));
    expect(delivered?.body).toMatchObject({
      version: '4',
      status: 'firing',
      groupLabels: { alertname: 'PodCrashLooping' },
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'PodCrashLooping', severity: 'warning', namespace: 'shop' },
          annotations: { message: 'Back-off restarting failed container' },
        },
      ],
    });
    expect(sent('beta').some((r) => JSON.stringify(r.body).includes('PodCrashLooping'))).toBe(
      false,
    );
  });

  it('delivers the log alerts logflow publishes on its stream', async () => {
    const now = new Date();
    const batch: LogAlerts = {
      tenantId: 'acme',
      alerts: [
        {
          labels: { alertname: 'ShopErrorBurst', alerttype: 'log', log_pipeline: 'app' },
          annotations: { count: '6' },
          startsAt: now.toISOString(),
          endsAt: new Date(now.getTime() + 3_600_000).toISOString(),
        },
      ],
    };
    await bus.publish(LogflowSubjects.alerts('acme'), batch, { msgId: 'spec-log-alerts-1' });
    await waitFor(
      () => sent('acme').some((r) => JSON.stringify(r.body).includes('ShopErrorBurst')),
      15_000,
    );
    const delivered = sent('acme').find((r) => JSON.stringify(r.body).includes('ShopErrorBurst'));
    expect(delivered?.body).toMatchObject({
      status: 'firing',
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'ShopErrorBurst', alerttype: 'log', log_pipeline: 'app' },
          annotations: { count: '6' },
        },
      ],
    });
    expect(sent('beta').some((r) => JSON.stringify(r.body).includes('ShopErrorBurst'))).toBe(false);
  });

  it("turns an external Alertmanager's webhook notifications into the tenant's alerts", async () => {
    const external = await startAlertmanager(
      join(dir, 'external-am'),
      [
        'route: {receiver: strata, group_by: [alertname], group_wait: 0s, group_interval: 1s}',
        'receivers:',
        '  - name: strata',
        '    webhook_configs:',
        `      - url: '${edge.url}/alertmanager/api/v1/webhook'`,
        `        http_config: {authorization: {credentials: '${secret('acme-key')}'}}`,
        '',
      ].join('\n'),
    );
    try {
      const post = (endsAt?: string) =>
        fetch(`${external.url}/api/v2/alerts`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify([
            {
              labels: { alertname: 'ExternalFired', cluster: 'east' },
              annotations: { summary: 'from another Alertmanager' },
              ...(endsAt ? { endsAt } : {}),
            },
          ]),
        });
      expect((await post()).status).toBe(200);
      const delivered = () =>
        sent('acme').filter((r) => JSON.stringify(r.body).includes('ExternalFired'));
      await waitFor(() => delivered().length >= 1, 20_000);
      expect(delivered()[0].body).toMatchObject({
        receiver: 'hook',
        status: 'firing',
        groupKey: '{}:{alertname="ExternalFired"}',
        alerts: [
          {
            labels: { alertname: 'ExternalFired', cluster: 'east' },
            annotations: { summary: 'from another Alertmanager' },
          },
        ],
      });
      expect(sent('beta').some((r) => JSON.stringify(r.body).includes('ExternalFired'))).toBe(
        false,
      );
      // Resolving it upstream resolves it here: the resolved notification carries its end.
      expect((await post(new Date(Date.now() - 1000).toISOString())).status).toBe(200);
      await waitFor(
        () => delivered().some((r) => (r.body as { status: string }).status === 'resolved'),
        20_000,
      );
    } finally {
      await external.stop();
    }
    const bad = await api('acme-key', '/alertmanager/api/v1/webhook', {
      method: 'POST',
      body: JSON.stringify({ version: '3', alerts: [{ status: 'firing', labels: {} }] }),
    });
    expect(bad.status).toBe(400);
  });

  it('after kill -9, sends what was waiting and nothing it had already sent', async () => {
    const before = sent('acme').length;
    // A group on the slow route waits 6 s; the process dies before it flushes.
    await amtool('acme-key', 'alert', 'add', 'alertname=Slow', 'slow=yes');
    await new Promise((r) => setTimeout(r, 1000));
    await killHard(notification!);
    notification = null;
    await startNotification();
    await waitFor(
      () => sent('acme').some((r) => JSON.stringify(r.body).includes('"Slow"')),
      20_000,
    );
    await new Promise((r) => setTimeout(r, 5000));
    const after = sent('acme').slice(before);
    // Exactly one notification: the waiting group's; DiskFull and CpuHigh were logged as sent before the kill.
    expect(after.map((r) => (r.body as { groupKey: string }).groupKey)).toEqual([
      '{}/{slow="yes"}:{alertname="Slow"}',
    ]);
  });

  it('counts deliveries, failures and latency per tenant and integration', async () => {
    const sample = async (name: string): Promise<number> => {
      const text = await (await fetch(metricsUrl)).text();
      const line = text
        .split('\n')
        .find(
          (l) =>
            l.startsWith(`${name}{`) &&
            l.includes('tenant="acme"') &&
            l.includes('integration="webhook"'),
        );
      return line === undefined ? 0 : Number(line.split(' ').pop());
    };
    // The restarted process sent the waiting group once.
    expect(await sample('strata_notification_notifications_total')).toBeGreaterThanOrEqual(1);
    expect(await sample('strata_notification_latency_seconds_count')).toBeGreaterThanOrEqual(1);
    const failedBefore = await sample('strata_notification_notifications_failed_total');
    sink.status = 400;
    try {
      await amtool('acme-key', 'alert', 'add', 'alertname=Refused', 'instance=db9');
      for (const deadline = Date.now() + 15_000; Date.now() < deadline;) {
        if ((await sample('strata_notification_notifications_failed_total')) > failedBefore) break;
        await new Promise((r) => setTimeout(r, 200));
      }
    } finally {
      sink.status = 200;
    }
    // A 4xx is not retried: one attempt, one failure.
    expect(await sample('strata_notification_notifications_failed_total')).toBe(failedBefore + 1);
  });
});
