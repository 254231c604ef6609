import { join } from 'node:path';
import { type NatsBus, type Stoppable } from '@strata/bus';
import {
  type AuditEntry,
  type ControlPlaneSnapshot,
  type EventAlerts,
  type EventRuleSetView,
  EventsStreams,
  type EventSearchResult,
  type RuleSetSpec,
} from '@strata/contracts';
import { controlPlaneService } from '@strata/control-plane';
import { freePort, type RunningNatsServer } from '@strata/devstack';
import { ArchiveRetention, eventsService } from '@strata/events';
import { gatewayService } from '@strata/gateway';
import {
  clientBus,
  removeTestDirs,
  startInProcess,
  startTestNats,
  strataEnv,
} from '@strata/platform/testing';
import { type RunningServices } from '@strata/service-kit';
import { freshDatabase, type FreshDatabase } from '@strata/testing';

jest.setTimeout(180_000);

const TOKEN = 'events-rules-spec-admin-token-0123';
const DAY_MS = 86_400_000;

const OOM_RULES: RuleSetSpec = {
  kind: 'events',
  rules: [
    {
      name: 'PodOOMKilled',
      condition: 'type="Warning" and involvedObject.kind="Pod" and reason="OOMKilling"',
      enable: true,
      type: 'alert',
      labels: { severity: 'critical' },
      annotations: { message: '%message', summary: '%involvedObject.name ran out of memory' },
    },
  ],
};

/**
 * Event and audit rule sets as control-plane aggregates, end to end with the real control plane,
 * gateway and events service: CRUD over REST and GraphQL, the events service picking up a change
 * without a restart, per-tenant throttling and retention from the quota, and GraphQL search.
 */
describe('event rule sets, throttling and retention per tenant', () => {
  let nats: RunningNatsServer;
  let db: FreshDatabase;
  let bus: NatsBus;
  let platform: RunningServices;
  let gateway = '';
  let feed: Stoppable;
  const published: EventAlerts[] = [];

  const api = (tenant: string | null, path: string, init: RequestInit = {}) =>
    fetch(`${gateway}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${TOKEN}`,
        ...(tenant ? { 'x-scope-orgid': tenant } : {}),
        ...(init.body ? { 'content-type': 'application/json' } : {}),
        ...(init.headers as Record<string, string>),
      },
    });
  const putSet = (tenant: string, name: string, body: unknown) =>
    api(null, `/api/v1/admin/tenants/${tenant}/event-rule-sets/${name}`, {
      method: 'PUT',
      body: JSON.stringify(body),
    });
  const postEvents = (tenant: string, events: Array<Record<string, unknown>>) =>
    api(tenant, '/api/v1/events?cluster=prod', { method: 'POST', body: JSON.stringify(events) });
  const search = async (tenant: string, params: Record<string, string>) => {
    const res = await api(
      tenant,
      `/api/v1/events/search?${new URLSearchParams({ start: String((Date.now() - 5 * DAY_MS) / 1000), limit: '0', ...params }).toString()}`,
    );
    expect(res.status).toBe(200);
    return (await res.json()) as EventSearchResult;
  };
  const graphql = async (query: string, variables: Record<string, unknown> = {}) => {
    const res = await api(null, '/graphql', {
      method: 'POST',
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as {
      data?: Record<string, unknown>;
      errors?: Array<{ message: string; extensions?: { code?: string } }>;
    };
  };
  const setQuota = async (tenant: string, quota: Record<string, number>) => {
    const res = await api(null, `/api/v1/admin/tenants/${tenant}/quota`, {
      method: 'PATCH',
      body: JSON.stringify(quota),
    });
    expect(res.status).toBe(200);
  };
  const alertsFor = (tenant: string, alertname: string, pod: string) =>
    published
      .filter((p) => p.tenantId === tenant)
      .flatMap((p) => p.alerts)
      .filter((a) => a.labels.alertname === alertname && a.labels.pod === pod);

  beforeAll(async () => {
    db = await freshDatabase('event_rule_sets');
    const started = await startTestNats();
    nats = started.server;
    bus = await clientBus(nats);
    const port = await freePort();
    gateway = `http://127.0.0.1:${port}`;
    platform = await startInProcess(
      strataEnv(nats, join(started.dir, 'data'), {
        DATABASE_URL: db.url,
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: String(port),
        STRATA_ADMIN_TOKEN: TOKEN,
      }),
      [gatewayService, controlPlaneService, eventsService],
    );
    feed = bus.follow(EventsStreams.alerts.name, (m) => published.push(m.json<EventAlerts>()), {
      onGap: () => undefined,
    });
    for (const tenantId of ['acme', 'globex']) {
      const created = await api(null, '/api/v1/admin/tenants', {
        method: 'POST',
        body: JSON.stringify({ tenantId, displayName: tenantId }),
      });
      expect(created.status).toBe(201);
    }
  });

  afterAll(async () => {
    await feed?.stop();
    await platform?.stop();
    await bus?.drain();
    await nats?.process.stop();
    await db?.drop();
    removeTestDirs();
  });

  it('fires a rule created over REST, stops when it is disabled or deleted, and refuses a bad rule with its name and reason', async () => {
    const created = await putSet('acme', 'oom', { spec: OOM_RULES });
    expect(created.status).toBe(200);
    const view = (await created.json()) as EventRuleSetView;
    expect(view).toMatchObject({ tenantId: 'acme', name: 'oom', origin: 'tenant', version: 1 });

    // The events service learns of the new set from the control-plane stream, without a restart.
    await waitFor(async () => {
      const pod = `oom-${Date.now()}`;
      expect((await postEvents('acme', [oomEvent(pod)])).status).toBe(200);
      await sleep(500);
      return alertsFor('acme', 'PodOOMKilled', pod).length === 1;
    });
    const fired = published
      .flatMap((p) => p.alerts)
      .find((a) => a.labels.alertname === 'PodOOMKilled');
    expect(fired?.labels).toMatchObject({
      alerttype: 'event',
      severity: 'critical',
      cluster: 'prod',
      namespace: 'shop',
    });
    expect(fired?.annotations?.message).toBe('Memory cgroup out of memory');

    // Another tenant's identical event meets only that tenant's rules (the defaults).
    expect((await postEvents('globex', [oomEvent('globex-oom')])).status).toBe(200);
    await waitFor(async () => (await search('globex', { name: 'globex-oom' })).total === 1);
    expect(alertsFor('globex', 'PodOOMKilled', 'globex-oom')).toEqual([]);

    // Disabled: after the change reaches the service, a matching event is archived but raises nothing.
    const disabled = {
      spec: { ...OOM_RULES, rules: [{ ...OOM_RULES.rules[0], enable: false }] },
    };
    const updated = await putSet('acme', 'oom', disabled);
    expect(((await updated.json()) as EventRuleSetView).version).toBe(2);
    await waitFor(async () => {
      const pod = `quiet-${Date.now()}`;
      expect((await postEvents('acme', [oomEvent(pod)])).status).toBe(200);
      await waitFor(async () => (await search('acme', { name: pod })).total === 1);
      await sleep(300);
      return alertsFor('acme', 'PodOOMKilled', pod).length === 0;
    });
    for (let i = 0; i < 3; i++) {
      const pod = `still-quiet-${i}`;
      expect((await postEvents('acme', [oomEvent(pod)])).status).toBe(200);
      await waitFor(async () => (await search('acme', { name: pod })).total === 1);
    }
    await sleep(500);
    expect(
      published.flatMap((p) => p.alerts).filter((a) => a.labels.pod?.startsWith('still-quiet')),
    ).toEqual([]);

    // Enabled again, then deleted: deletion stops it too.
    expect((await putSet('acme', 'oom', { spec: OOM_RULES })).status).toBe(200);
    await waitFor(async () => {
      const pod = `again-${Date.now()}`;
      await postEvents('acme', [oomEvent(pod)]);
      await sleep(500);
      return alertsFor('acme', 'PodOOMKilled', pod).length === 1;
    });
    const deleted = await api(null, '/api/v1/admin/tenants/acme/event-rule-sets/oom', {
      method: 'DELETE',
    });
    expect(deleted.status).toBe(204);
    expect((await api(null, '/api/v1/admin/tenants/acme/event-rule-sets/oom')).status).toBe(404);
    await waitFor(async () => {
      const pod = `gone-${Date.now()}`;
      await postEvents('acme', [oomEvent(pod)]);
      await waitFor(async () => (await search('acme', { name: pod })).total === 1);
      await sleep(300);
      return alertsFor('acme', 'PodOOMKilled', pod).length === 0;
    });

    // A bad rule: 400 naming the rule and the reason; nothing stored.
    const bad = await putSet('acme', 'broken', {
      spec: {
        kind: 'auditing',
        group: 'alerting',
        rules: [
          { name: 'writes', type: 'list', list: ['create'] },
          {
            name: 'Typo',
            type: 'rule',
            condition: 'Verb in ${wirtes}',
            priority: 'WARNING',
            enable: true,
          },
        ],
      },
    });
    expect(bad.status).toBe(400);
    const error = (
      (await bad.json()) as {
        error: { code: string; message: string; fields: Array<{ path: string; message: string }> };
      }
    ).error;
    expect(error.code).toBe('validation_failed');
    expect(error.message).toContain('rule "Typo": ${wirtes}: no macro, list or alias named wirtes');
    expect(error.fields[0].path).toBe('spec.rules.1');
    expect((await api(null, '/api/v1/admin/tenants/acme/event-rule-sets/broken')).status).toBe(404);
    const syntax = await putSet('acme', 'broken', {
      spec: {
        kind: 'events',
        rules: [{ name: 'Half', condition: 'reason = ', enable: true, type: 'alert' }],
      },
    });
    expect(syntax.status).toBe(400);
    expect(((await syntax.json()) as { error: { message: string } }).error.message).toMatch(
      /rule "Half": .*1:9/,
    );

    // Audited (who, what) and replayable (the set as of its first version).
    const audit = await api(null, '/api/v1/admin/audit?tenant=acme&type=EventRuleSetConfigured');
    const entries = ((await audit.json()) as { items: AuditEntry[] }).items;
    expect(entries.map((e) => e.actor)).toEqual([
      'platform-admin',
      'platform-admin',
      'platform-admin',
    ]);
    const replay = await api(null, `/api/v1/admin/audit/replay?position=${entries[0].position}`);
    const snapshot = (await replay.json()) as ControlPlaneSnapshot;
    expect(snapshot.eventRuleSets).toEqual([
      expect.objectContaining({ tenantId: 'acme', name: 'oom', version: 1, spec: OOM_RULES }),
    ]);
    const now = (await (
      await api(null, '/api/v1/admin/audit/replay?position=' + String(1e9))
    ).json()) as ControlPlaneSnapshot;
    expect(now.eventRuleSets).toEqual([]);
  });

  it("lists the default packs beside a tenant's own sets, and takes a kube-auditing set over GraphQL", async () => {
    const mutation = await graphql(
      `
        mutation ($spec: JSON!) {
          configureEventRuleSet(tenantId: "globex", name: "secrets", spec: $spec) {
            name
            origin
            version
            spec
          }
        }
      `,
      {
        spec: {
          kind: 'auditing',
          group: 'alerting',
          threshold: 'WARNING',
          rules: [
            { name: 'writes', type: 'list', list: ['create', 'delete'] },
            {
              name: 'SecretWrite',
              type: 'rule',
              condition: 'ObjectRef.Resource = "secrets" and Verb in ${writes}',
              priority: 'WARNING',
              enable: true,
            },
          ],
        },
      },
    );
    expect(mutation.errors).toBeUndefined();
    expect(mutation.data?.configureEventRuleSet).toMatchObject({
      name: 'secrets',
      origin: 'tenant',
      version: 1,
    });
    const list = await graphql(`
      {
        eventRuleSets(tenantId: "globex") {
          name
          origin
        }
      }
    `);
    expect(list.data?.eventRuleSets).toEqual([
      { name: 'kube-events-default', origin: 'default' },
      { name: 'archiving-rule', origin: 'default' },
      { name: 'alerting-rule', origin: 'default' },
      { name: 'secrets', origin: 'tenant' },
    ]);
    const refused = await graphql(`
      mutation {
        configureEventRuleSet(
          tenantId: "globex"
          name: "bad"
          spec: { kind: "events", rules: [{ name: "X", condition: "a ==", type: "alert" }] }
        ) {
          name
        }
      }
    `);
    expect(refused.errors?.[0].extensions?.code).toBe('validation_failed');
    expect(refused.errors?.[0].message).toContain('rule "X"');
  });

  it("throttles one tenant at its events rate with 429 and stores nothing of the refused batch, while another tenant's writes pass", async () => {
    await setQuota('acme', { eventsRatePerSecond: 1, eventsBurst: 10 });
    // The quota reaches the events service over the control-plane stream.
    await waitFor(async () => {
      const res = await postEvents(
        'acme',
        Array.from({ length: 11 }, (_, i) => oomEvent(`probe-${Date.now()}-${i}`)),
      );
      return res.status === 429;
    });
    const refused = await postEvents(
      'acme',
      Array.from({ length: 11 }, (_, i) => oomEvent(`refused-${i}`)),
    );
    expect(refused.status).toBe(429);
    const body = (await refused.json()) as {
      error: { code: string; reason: string; message: string };
    };
    expect(body.error).toMatchObject({ code: 'rate_limited', reason: 'events_rate' });
    expect(body.error.message).toContain('events rate of 1/s (burst 10)');
    expect(refused.headers.get('retry-after')).not.toBeNull();

    const [fits, other] = await Promise.all([
      postEvents(
        'acme',
        Array.from({ length: 10 }, (_, i) => oomEvent(`fits-${i}`)),
      ),
      postEvents(
        'globex',
        Array.from({ length: 300 }, (_, i) => oomEvent(`globex-${i}`)),
      ),
    ]);
    expect(fits.status).toBe(200);
    expect(other.status).toBe(200);
    // Ten more need ten seconds of refill at 1/s, however long the requests above took.
    const over = await postEvents(
      'acme',
      Array.from({ length: 10 }, (_, i) => oomEvent(`over-${i}`)),
    );
    expect(over.status).toBe(429);
    expect((await postEvents('globex', [oomEvent('globex-more')])).status).toBe(200);

    await waitFor(async () => (await search('acme', { name: 'fits-9' })).total === 1);
    await waitFor(async () => (await search('globex', { name: 'globex-more' })).total === 1);
    expect((await search('acme', { name: 'refused-0' })).total).toBe(0);
    expect((await search('acme', { name: 'over-0' })).total).toBe(0);
    await setQuota('acme', { eventsRatePerSecond: 0 });
    // More than the old burst passes once the lifted limit has reached the service.
    await waitFor(async () => {
      const batch = Array.from({ length: 20 }, (_, i) => oomEvent(`lifted-${Date.now()}-${i}`));
      return (await postEvents('acme', batch)).status === 200;
    });
  });

  it("deletes archived records past a tenant's own retention, leaving another tenant's alone", async () => {
    const old = Date.now() - 3 * DAY_MS;
    for (const tenant of ['acme', 'globex'])
      expect(
        (await postEvents(tenant, [oomEvent(`old-${tenant}`, old), oomEvent(`new-${tenant}`)]))
          .status,
      ).toBe(200);
    for (const tenant of ['acme', 'globex'])
      await waitFor(async () => (await search(tenant, { name: `old-${tenant}` })).total === 1);

    await setQuota('acme', { eventsRetentionSeconds: 86_400 });
    const retention = platform.app.get(ArchiveRetention);
    await waitFor(async () => {
      await retention.sweep();
      return (await search('acme', { name: 'old-acme' })).total === 0;
    });
    expect((await search('acme', { name: 'new-acme' })).total).toBe(1);
    expect((await search('globex', { name: 'old-globex' })).total).toBe(1);

    // Records already older than the tenant's retention are not archived at all.
    await postEvents('acme', [oomEvent('old-acme-2', old), oomEvent('new-acme-2')]);
    await waitFor(async () => (await search('acme', { name: 'new-acme-2' })).total === 1);
    expect((await search('acme', { name: 'old-acme-2' })).total).toBe(0);
  });

  it('searches the archive over GraphQL with the REST filters, per tenant', async () => {
    const rest = await search('globex', { name: 'globex-more', limit: '5' });
    const answer = await graphql(
      `
        query ($f: EventSearchFilter) {
          eventSearch(tenantId: "globex", filter: $f) {
            total
            nextCursor
            items {
              cluster
              event
            }
            histogram {
              count
            }
          }
        }
      `,
      {
        f: {
          name: 'globex-more',
          start: String((Date.now() - 5 * DAY_MS) / 1000),
          limit: 5,
          interval: '1h',
        },
      },
    );
    expect(answer.errors).toBeUndefined();
    const page = answer.data?.eventSearch as EventSearchResult;
    expect(page.total).toBe(rest.total);
    expect(page.items.map((i) => (i.event.involvedObject as { name: string }).name)).toEqual([
      'globex-more',
    ]);
    expect(page.histogram?.reduce((s, b) => s + b.count, 0)).toBe(1);

    const text = await graphql(`
      {
        eventSearch(tenantId: "acme", filter: { text: "out of memory", name: "globex-more" }) {
          total
        }
      }
    `);
    expect((text.data?.eventSearch as { total: number }).total).toBe(0);
    const audit = await graphql(`
      {
        auditSearch(tenantId: "acme") {
          total
        }
      }
    `);
    expect((audit.data?.auditSearch as { total: number }).total).toBe(0);
    const bad = await graphql(`
      {
        eventSearch(tenantId: "acme", filter: { sort: "up" }) {
          total
        }
      }
    `);
    expect(bad.errors?.[0]).toMatchObject({
      message: 'sort must be asc or desc',
      extensions: { code: 'bad_request' },
    });
    const unnamed = await graphql(`
      {
        eventSearch {
          total
        }
      }
    `);
    expect(unnamed.errors?.[0].extensions?.code).toBe('bad_request');
  });
});

function oomEvent(pod: string, at = Date.now()): Record<string, unknown> {
  const time = new Date(at).toISOString().replace(/\.\d+Z$/, 'Z');
  return {
    kind: 'Event',
    apiVersion: 'v1',
    metadata: { name: `${pod}.oom`, namespace: 'shop', uid: `uid-${pod}`, creationTimestamp: time },
    involvedObject: { kind: 'Pod', namespace: 'shop', name: pod, apiVersion: 'v1', fieldPath: '' },
    reason: 'OOMKilling',
    message: 'Memory cgroup out of memory',
    source: { component: 'kubelet', host: 'node-1' },
    firstTimestamp: time,
    lastTimestamp: time,
    count: 1,
    type: 'Warning',
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(200);
  }
}
