import { join } from 'node:path';
import { type NatsBus } from '@strata/bus';
import { type RulerAlertBatch, Streams } from '@strata/contracts';
import { controlPlaneService } from '@strata/control-plane';
import { freePort, type RunningNatsServer } from '@strata/devstack';
import { gatewayService } from '@strata/gateway';
import { ingesterService } from '@strata/ingester';
import {
  clientBus,
  eventually,
  push,
  startAlertmanager,
  removeTestDirs,
  startInProcess,
  startTestNats,
  strataEnv,
} from '@strata/platform/testing';
import { queryService } from '@strata/query';
import { routerService } from '@strata/router';
import { rulerService } from '@strata/ruler';
import { storeService } from '@strata/store';
import { type RunningServices } from '@strata/service-kit';
import { freshDatabase, type FreshDatabase } from '@strata/testing';

jest.setTimeout(180_000);

const TOKEN = 'ruler-spec-admin-token-0123456';
const GROUP = `name: spec
interval: 2s
rules:
  - record: job:spec_value:sum
    expr: sum by (job) (spec_value)
  - record: job:spec_value:doubled
    expr: job:spec_value:sum * 2
  - alert: ValueHigh
    expr: spec_value > 5
    for: 3s
    labels:
      severity: page
    annotations:
      summary: '{{ $labels.instance }} is at {{ $value }}'
      title: '{{ "value high" | title }}'
`;

/**
 * The ruler end to end in one process with the real control plane, router, ingesters, query
 * service and gateway: a rule group uploaded as mimirtool does, recorded series queryable through
 * PromQL, `/api/v1/rules` and `/api/v1/alerts`, the firing alert in a real Alertmanager
 * (read back with `amtool`) and on NATS for the notification service.
 */
describe('the ruler', () => {
  let nats: RunningNatsServer;
  let db: FreshDatabase;
  let bus: NatsBus;
  let platform: RunningServices;
  let gateway = '';
  let alertmanager: Awaited<ReturnType<typeof startAlertmanager>>;
  let feeding: NodeJS.Timeout;
  const published: RulerAlertBatch[] = [];
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
    db = await freshDatabase('ruler');
    const started = await startTestNats();
    nats = started.server;
    bus = await clientBus(nats);
    alertmanager = await startAlertmanager(join(started.dir, 'alertmanager'));
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
        STRATA_RULER_ALERTMANAGER_URL: alertmanager.url,
        STRATA_RULER_EXTERNAL_URL: 'http://strata.example:8080',
      }),
      [
        gatewayService,
        controlPlaneService,
        routerService,
        ingesterService,
        storeService,
        queryService,
        rulerService,
      ],
    );
    bus.follow(Streams.rulerAlerts.name, (m) => published.push(m.json<RulerAlertBatch>()), {
      onGap: () => undefined,
    });
    const created = await api('/api/v1/admin/tenants', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenantId: 'acme', displayName: 'Acme' }),
    });
    expect(created.status).toBe(201);
    const feed = () =>
      push(gateway, TOKEN, 'acme', 'spec_value', { a: 2, b: 9 }).catch(() => undefined);
    await feed();
    feeding = setInterval(() => void feed(), 1000);
  });

  afterAll(async () => {
    clearInterval(feeding);
    await platform?.stop();
    await alertmanager?.stop();
    await bus?.drain();
    await nats?.process.stop();
    await db?.drop();
    removeTestDirs();
  });

  it('refuses bad groups with the rule and the reason, and stores nothing', async () => {
    const cases: Array<[string, RegExp]> = [
      [
        'name: bad\nrules:\n  - record: r\n    expr: sum(\n',
        /group "bad", rule 1, "r": could not parse expression/,
      ],
      [
        "name: bad\nrules:\n  - alert: A\n    expr: up\n    annotations:\n      s: '{{ nope }}'\n",
        /rule 1, "A": annotation "s": template: __alert_A:1: function "nope" not defined/,
      ],
      [
        `name: bad\nrules:\n${Array.from({ length: 41 }, (_, i) => `  - record: r${i}\n    expr: up\n`).join('')}`,
        /41 rules, more than the limit of 40 rules per group/,
      ],
    ];
    for (const [yaml, reason] of cases) {
      const res = await api('/prometheus/config/v1/rules/team', {
        method: 'POST',
        headers: { 'content-type': 'application/yaml' },
        body: yaml,
      });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: { fields: Array<{ message: string }> } };
      expect(body.error.fields.map((f) => f.message).join('\n')).toMatch(reason);
    }
    expect((await api('/prometheus/config/v1/rules')).status).toBe(404);
  });

  it('takes a group as mimirtool sends it and gives it back as YAML', async () => {
    const res = await api('/prometheus/config/v1/rules/team', {
      method: 'POST',
      headers: { 'content-type': 'application/yaml' },
      body: GROUP,
    });
    expect(res.status).toBe(202);
    const back = await api('/prometheus/config/v1/rules/team/spec');
    expect(back.headers.get('content-type')).toMatch(/yaml/);
    expect(await back.text()).toContain('record: job:spec_value:sum');
    expect(await (await api('/prometheus/config/v1/rules')).text()).toMatch(
      /^team:\n {2}- name: spec/,
    );
  });

  it('writes recording results as series of the tenant, a rule seeing the one before it', async () => {
    const doubled = await eventually(
      async () => {
        const res = await api('/api/v1/query?query=job:spec_value:doubled');
        const body = (await res.json()) as {
          data?: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
        };
        if (!body.data)
          throw new Error(
            `query answered ${res.status} ${JSON.stringify(body)}; rules: ${await (await api('/api/v1/rules')).text()}`,
          );
        return body.data.result.length > 0 ? body.data.result : undefined;
      },
      20_000,
      'the recorded series',
    );
    expect(doubled).toEqual([
      {
        metric: { __name__: 'job:spec_value:doubled', job: 'spec' },
        value: [expect.any(Number), '22'],
      },
    ]);
  });

  it('shows the group in /api/v1/rules and the firing alert in /api/v1/alerts', async () => {
    const alerts = await eventually(
      async () => {
        const body = (await (await api('/api/v1/alerts')).json()) as {
          data: {
            alerts: Array<{
              state: string;
              labels: Record<string, string>;
              annotations: Record<string, string>;
              value: string;
            }>;
          };
        };
        return body.data.alerts.some((a) => a.state === 'firing') ? body.data.alerts : undefined;
      },
      60_000,
      'a firing alert',
    );
    expect(alerts).toEqual([
      expect.objectContaining({
        state: 'firing',
        value: '9e+00',
        labels: { alertname: 'ValueHigh', instance: 'b', job: 'spec', severity: 'page' },
        annotations: { summary: 'b is at 9', title: 'Value High' },
      }),
    ]);
    const rules = (await (await api('/api/v1/rules?type=record')).json()) as {
      data: {
        groups: Array<{
          name: string;
          file: string;
          interval: number;
          rules: Array<{ name: string; health: string; type: string }>;
        }>;
      };
    };
    expect(rules.data.groups).toEqual([
      expect.objectContaining({
        name: 'spec',
        file: 'team',
        interval: 2,
        rules: [
          expect.objectContaining({ name: 'job:spec_value:sum', health: 'ok', type: 'recording' }),
          expect.objectContaining({
            name: 'job:spec_value:doubled',
            health: 'ok',
            type: 'recording',
          }),
        ],
      }),
    ]);
    const bad = await api('/api/v1/rules?type=nope');
    expect(bad.status).toBe(400);
  });

  it('sends the alert to Alertmanager, where amtool sees its labels and annotations, and publishes it on NATS', async () => {
    const seen = await eventually(
      async () => {
        const list = JSON.parse(alertmanager.query()) as Array<{
          labels: Record<string, string>;
          annotations: Record<string, string>;
          generatorURL: string;
        }>;
        return list.length > 0 ? list : undefined;
      },
      60_000,
      'the alert in Alertmanager',
    );
    expect(seen).toEqual([
      expect.objectContaining({
        labels: { alertname: 'ValueHigh', instance: 'b', job: 'spec', severity: 'page' },
        annotations: { summary: 'b is at 9', title: 'Value High' },
        generatorURL: 'http://strata.example:8080/graph?g0.expr=spec_value+%3E+5&g0.tab=1',
      }),
    ]);
    await eventually(
      async () => (published.length > 0 ? true : undefined),
      10_000,
      'alerts on NATS',
    );
    expect(published[0]).toMatchObject({
      tenantId: 'acme',
      scope: 'namespace',
      namespace: 'team',
      group: 'spec',
      alerts: [
        expect.objectContaining({
          labels: expect.objectContaining({ alertname: 'ValueHigh' }) as unknown,
        }),
      ],
    });
  });
  it('keeps the firing alert and its activeAt when another rule of the group changes, and marks a removed rule stale', async () => {
    type ApiAlert = { state: string; activeAt: string };
    const firing = async () =>
      ((await (await api('/api/v1/alerts')).json()) as { data: { alerts: ApiAlert[] } }).data
        .alerts;
    const [before] = await firing();
    expect(before.state).toBe('firing');
    const doubled = async () =>
      (
        (await (await api('/api/v1/query?query=job:spec_value:doubled')).json()) as {
          data: { result: unknown[] };
        }
      ).data.result;
    expect(await doubled()).toHaveLength(1);
    const editedAt = Date.now();
    const edited = GROUP.replace(
      'sum by (job) (spec_value)',
      'sum by (job) (spec_value) + 0',
    ).replace('  - record: job:spec_value:doubled\n    expr: job:spec_value:sum * 2\n', '');
    expect(edited).not.toBe(GROUP);
    const res = await api('/prometheus/config/v1/rules/team', {
      method: 'POST',
      headers: { 'content-type': 'application/yaml' },
      body: edited,
    });
    expect(res.status).toBe(202);
    await eventually(
      async () => {
        const body = (await (await api('/api/v1/rules')).json()) as {
          data: { groups: Array<{ lastEvaluation: string; rules: Array<{ query: string }> }> };
        };
        const g = body.data.groups[0];
        return g.rules[0].query.endsWith('+ 0') && Date.parse(g.lastEvaluation) > editedAt
          ? true
          : undefined;
      },
      30_000,
      'the edited group evaluated',
    );
    // Restarted from scratch, the alert would be pending again with a new activeAt (its `for` is
    // below the grace period, so nothing would restore it from ALERTS_FOR_STATE).
    expect(await firing()).toEqual([
      expect.objectContaining({ state: 'firing', activeAt: before.activeAt }),
    ]);
    const pending = (await (
      await api(
        `/api/v1/query?${new URLSearchParams({ query: 'ALERTS{alertstate="pending"}[30s]' })}`,
      )
    ).json()) as { data: { result: Array<{ values: Array<[number, string]> }> } };
    expect(
      pending.data.result.flatMap((r) => r.values).filter(([t]) => t * 1000 > editedAt),
    ).toEqual([]);
    // A staleness marker ends the removed rule's series at once; without one it would stay visible
    // for the 5 minutes of the lookback delta.
    expect(await doubled()).toEqual([]);
  });

  it("marks a deleted group's series stale two intervals after it stopped", async () => {
    const recorded = async () =>
      (
        (await (await api('/api/v1/query?query=job:gone:sum')).json()) as {
          data: { result: unknown[] };
        }
      ).data.result.length;
    const res = await api('/prometheus/config/v1/rules/bye', {
      method: 'POST',
      headers: { 'content-type': 'application/yaml' },
      body: 'name: gone\ninterval: 2s\nrules:\n  - record: job:gone:sum\n    expr: sum by (job) (spec_value)\n',
    });
    expect(res.status).toBe(202);
    await eventually(async () => ((await recorded()) > 0 ? true : undefined), 30_000, 'the series');
    const deleted = await api('/prometheus/config/v1/rules/bye/gone', { method: 'DELETE' });
    expect(deleted.status).toBe(202);
    const deletedAt = Date.now();
    // Without a staleness marker the series would stay visible for the 5 minutes of lookback.
    await eventually(
      async () => ((await recorded()) === 0 ? true : undefined),
      30_000,
      'the series ended by a staleness marker',
    );
    process.stdout.write(`deleted group's series gone after ${Date.now() - deletedAt} ms\n`);
  });

  it('manages rule groups over GraphQL with the same checks and store as the Mimir API', async () => {
    type Answer = {
      data?: Record<string, unknown> | null;
      errors?: Array<{ message: string; extensions?: { code?: string } }>;
    };
    const gql = async (query: string, variables: object = {}): Promise<Answer> =>
      (await (
        await api('/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query, variables }),
        })
      ).json()) as Answer;
    const configure = `mutation ($g: JSON!) {
      configureRuleGroup(scope: namespace, tenantId: "acme", namespace: "graphql", group: $g) {
        scope tenantId namespace name version group
      }
    }`;
    const group = {
      name: 'gql',
      interval: '5s',
      rules: [{ record: 'job:gql:sum', expr: 'sum by (job) (spec_value)' }],
    };
    const configured = await gql(configure, { g: group });
    expect(configured.errors).toBeUndefined();
    expect(configured.data?.configureRuleGroup).toEqual({
      scope: 'namespace',
      tenantId: 'acme',
      namespace: 'graphql',
      name: 'gql',
      version: 1,
      group,
    });
    // The same store the Mimir API reads.
    expect(await (await api('/prometheus/config/v1/rules/graphql')).text()).toContain(
      'job:gql:sum',
    );
    const bad = await gql(configure, {
      g: { name: 'bad', rules: [{ record: 'x:y', expr: 'sum(' }] },
    });
    expect(bad.errors?.[0]?.extensions?.code).toBe('validation_failed');
    expect(bad.errors?.[0]?.message).toMatch(/rule 1, "x:y": .*unclosed left parenthesis/);
    const listed = await gql(
      'query { ruleGroups(scope: namespace, tenantId: "acme", namespace: "graphql") { name version } }',
    );
    expect(listed.data?.ruleGroups).toEqual([{ name: 'gql', version: 1 }]);
    const deleted = await gql(
      'mutation { deleteRuleGroup(scope: namespace, tenantId: "acme", namespace: "graphql", name: "gql") }',
    );
    expect(deleted.data?.deleteRuleGroup).toBe(true);
    const after = await gql(
      'query { ruleGroups(scope: namespace, tenantId: "acme", namespace: "graphql") { name } }',
    );
    expect(after.data?.ruleGroups).toEqual([]);
  });
});
