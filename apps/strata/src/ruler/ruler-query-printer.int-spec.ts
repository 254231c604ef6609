import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { controlPlaneService } from '@strata/control-plane';
import {
  freePort,
  startPrometheus,
  type RunningNatsServer,
  type RunningPrometheus,
} from '@strata/devstack';
import { gatewayService } from '@strata/gateway';
import {
  eventually,
  removeTestDirs,
  startInProcess,
  startTestNats,
  strataEnv,
} from '@strata/platform/testing';
import { rulerService } from '@strata/ruler';
import { type RunningServices } from '@strata/service-kit';
import { freshDatabase, type FreshDatabase } from '@strata/testing';

jest.setTimeout(180_000);

const TOKEN = 'ruler-printer-admin-token-0123456';

/** Expressions written the way people write them: odd spacing, quoting, durations, redundant parts. */
const EXPRESSIONS = [
  'sum   by(job)(rate(http_requests_total{job="api",code=~"5.."}[5m]))',
  'sum without(instance)  (http_requests_total)',
  'avg by () (http_requests_total)',
  'sum(http_requests_total) by (job, code)',
  'topk(3, http_requests_total)',
  'quantile(0.9, rate(http_requests_total[90s]))',
  "count_values('code', http_requests_total)",
  'http_requests_total offset 90s',
  'http_requests_total[7200s] offset -1h',
  'http_requests_total @ 1700000000',
  'http_requests_total @ start() offset 1d',
  'rate(http_requests_total[5m])[30m:1m]',
  'max_over_time(rate(http_requests_total[1m])[10m:])',
  'a_total + on(job) group_left(instance) b_total',
  'a_total / ignoring(code) b_total',
  'a_total * on() group_right b_total',
  'a_total > bool 1',
  'a_total and b_total or c_total unless d_total',
  'a_total - ignoring() b_total',
  'label_replace(up, "dst", "$1", \'src\', "(.*)")',
  'up{instance=`host:9090`, job!~"x|y"}',
  '{__name__="up", job="a"}',
  '{__name__=~"up|down", job="a"}',
  '1e3 + 0x1F * -up',
  '(1 + 2) * up',
  '((up))',
  '- up ^ 2',
  'up[1h30m]',
  'histogram_quantile(0.9, sum by (le) (rate(request_duration_seconds_bucket[5m])))',
  'absent(up{job="a"}) == 1',
  'time() - scalar(vector(1))',
  'up > 0.5 unless on(instance) (up < Inf)',
  'predict_linear(node_free_bytes[1h], 4 * 3600) < 0',
  'sort_desc(count by (job) (up))',
];

const groupYaml = (name: string): string =>
  `name: ${name}\ninterval: 1h\nrules:\n${EXPRESSIONS.map(
    (e, i) => `  - record: r${String(i).padStart(2, '0')}\n    expr: ${JSON.stringify(e)}\n`,
  ).join('')}`;

interface RulesAnswer {
  data: { groups: Array<{ name: string; rules: Array<{ name: string; query: string }> }> };
}

const queries = (body: RulesAnswer): Record<string, string> =>
  Object.fromEntries(body.data.groups.flatMap((g) => g.rules.map((r) => [r.name, r.query])));

/**
 * The `query` field of `/api/v1/rules` against Debian's Prometheus: the same rules loaded into
 * both, and every expression shown the way Prometheus prints it back from its syntax tree, not
 * the way it was written.
 */
describe("the rules API's queries against Prometheus", () => {
  let nats: RunningNatsServer;
  let db: FreshDatabase;
  let platform: RunningServices;
  let prometheus: RunningPrometheus;
  let gateway = '';
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${gateway}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${TOKEN}`,
        'x-scope-orgid': 'acme',
        ...(init.headers as Record<string, string>),
      },
    });

  beforeAll(async () => {
    db = await freshDatabase('ruler_printer');
    const started = await startTestNats();
    nats = started.server;
    const promDir = join(started.dir, 'prometheus');
    mkdirSync(promDir, { recursive: true });
    writeFileSync(
      join(promDir, 'rules.yml'),
      `groups:\n${groupYaml('printer')
        .replace(/^(?=.)/gm, '    ')
        .replace(/^ {4}name/, '  - name')}`,
    );
    prometheus = await startPrometheus({
      dir: promDir,
      config: `rule_files:\n  - ${join(promDir, 'rules.yml')}\nscrape_configs: []\n`,
      flags: ['--log.level=warn'],
    });
    const port = await freePort();
    gateway = `http://127.0.0.1:${port}`;
    platform = await startInProcess(
      strataEnv(nats, join(started.dir, 'data'), {
        DATABASE_URL: db.url,
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: String(port),
        STRATA_ADMIN_TOKEN: TOKEN,
        STRATA_RULER_POLL_INTERVAL_SECONDS: '1',
        STRATA_RULER_LEASE_TTL_SECONDS: '2',
      }),
      [gatewayService, controlPlaneService, rulerService],
    );
    const created = await api('/api/v1/admin/tenants', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenantId: 'acme', displayName: 'Acme' }),
    });
    expect(created.status).toBe(201);
  });

  afterAll(async () => {
    await platform?.stop();
    await prometheus?.stop();
    await nats?.process.stop();
    await db?.drop();
    removeTestDirs();
  });

  it('shows each rule expression re-printed exactly as Prometheus does', async () => {
    const uploaded = await api('/prometheus/config/v1/rules/printer', {
      method: 'POST',
      headers: { 'content-type': 'application/yaml' },
      body: groupYaml('printer'),
    });
    expect(uploaded.status).toBe(202);
    const want = queries(
      (await (await fetch(`${prometheus.url}/api/v1/rules`)).json()) as RulesAnswer,
    );
    expect(Object.keys(want)).toHaveLength(EXPRESSIONS.length);
    const got = await eventually(
      async () => {
        const q = queries((await (await api('/api/v1/rules')).json()) as RulesAnswer);
        return Object.keys(q).length === EXPRESSIONS.length ? q : undefined;
      },
      30_000,
      'the group in /api/v1/rules',
    );
    expect(got).toEqual(want);
    // The run did exercise re-printing: most expressions read differently from how they were written.
    const rewritten = EXPRESSIONS.filter((e, i) => got[`r${String(i).padStart(2, '0')}`] !== e);
    expect(rewritten.length).toBeGreaterThan(EXPRESSIONS.length / 2);
  });
});
