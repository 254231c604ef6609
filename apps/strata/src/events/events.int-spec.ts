import { join } from 'node:path';
import { type NatsBus, type Stoppable } from '@strata/bus';
import { type EventAlerts, EventsStreams, type EventSearchResult } from '@strata/contracts';
import {
  type AlertmanagerWithWebhook,
  type RunningNatsServer,
  startAlertmanagerWithWebhook,
} from '@strata/devstack';
import { eventsService } from '@strata/events';
import {
  ADMIN_TOKEN,
  OPEN_QUOTA,
  clientBus,
  fakeControlPlane,
  removeTestDirs,
  startInProcess,
  startTestGateway,
  startTestNats,
  strataEnv,
  type TestKeys,
} from '@strata/platform/testing';
import { type RunningServices, StrataMetrics } from '@strata/service-kit';
import {
  auditCorpus,
  expectedAuditDecision,
  freshDatabase,
  type FreshDatabase,
} from '@strata/testing';

jest.setTimeout(120_000);

describe('Kubernetes events and audit events through the gateway, the events service and Alertmanager', () => {
  let nats: RunningNatsServer;
  let bus: NatsBus;
  let db: FreshDatabase;
  let am: AlertmanagerWithWebhook;
  let platform: RunningServices;
  let edge: { url: string; close(): Promise<void> };
  let alertsFeed: Stoppable;
  const published: EventAlerts[] = [];
  const tenants = new Map([
    ['team-a', OPEN_QUOTA],
    ['team-b', OPEN_QUOTA],
  ]);
  const keys: TestKeys = new Map([
    ['key-a', { tenantId: 'team-a', scopes: ['write', 'read'] }],
    ['key-b', { tenantId: 'team-b', scopes: ['write', 'read'] }],
  ]);
  const t0 = Date.now() - 3_600_000;

  const post = (path: string, body: string | Buffer, key = 'key-a', type = 'application/json') =>
    fetch(`${edge.url}${path}`, {
      method: 'POST',
      body,
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': type },
    });
  const search = async (
    path: string,
    params: Record<string, string>,
    key = 'key-a',
  ): Promise<EventSearchResult> => {
    const res = await fetch(`${edge.url}${path}?${new URLSearchParams(params).toString()}`, {
      headers: { Authorization: `Bearer ${key}` },
    });
    expect(res.status).toBe(200);
    return (await res.json()) as EventSearchResult;
  };
  const range = { start: String((t0 - 60_000) / 1000), end: String((Date.now() + 600_000) / 1000) };

  beforeAll(async () => {
    const started = await startTestNats();
    nats = started.server;
    bus = await clientBus(nats);
    fakeControlPlane(bus, tenants, keys);
    db = await freshDatabase('events');
    am = await startAlertmanagerWithWebhook();
    platform = await startInProcess(
      strataEnv(nats, join(started.dir, 'data'), {
        DATABASE_URL: db.url,
        STRATA_EVENTS_ALERTMANAGER_URLS: am.url,
      }),
      [eventsService],
    );
    edge = await startTestGateway(bus);
    alertsFeed = await bus.consume(
      { stream: EventsStreams.alerts.name, durableName: 'spec-alerts', maxDeliver: 1 },
      (m) => {
        published.push(m.json<EventAlerts>());
        return Promise.resolve();
      },
    );
  });

  afterAll(async () => {
    await alertsFeed?.stop();
    await edge?.close();
    await platform?.stop();
    await am?.stop();
    await bus?.drain();
    await nats?.process.stop();
    await db?.drop();
    removeTestDirs();
  });

  it('archives and alerts on an audit corpus in kube-apiserver batches of 400 as kube-auditing rules decide, and search returns exactly the archived', async () => {
    const corpus = auditCorpus(1600, t0);
    for (let i = 0; i < corpus.length; i += 400) {
      const list = {
        kind: 'EventList',
        apiVersion: 'audit.k8s.io/v1',
        metadata: {},
        items: corpus.slice(i, i + 400),
      };
      const res = await post('/api/v1/audit/webhook/event?cluster=prod', JSON.stringify(list));
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ accepted: 400, duplicate: false });
    }
    // kube-auditing's own path, and kube-apiserver retrying a batch (the same bytes): stored once.
    const again = await post(
      '/audit/webhook/event?cluster=prod',
      JSON.stringify({
        kind: 'EventList',
        apiVersion: 'audit.k8s.io/v1',
        metadata: {},
        items: corpus.slice(0, 400),
      }),
    );
    expect(await again.json()).toEqual({ accepted: 400, duplicate: true });

    const archived = new Set(
      corpus.filter((e) => expectedAuditDecision(e).archive).map((e) => `${e.auditID}/${e.stage}`),
    );
    const expectedAlerts = corpus.flatMap((e) => expectedAuditDecision(e).alerts).sort();
    expect(archived.size).toBeGreaterThan(500);
    expect(new Set(expectedAlerts)).toEqual(
      new Set(['SecretAccess', 'ClusterAdminBinding', 'PodExec', 'AnonymousRequest']),
    );
    await waitFor(
      async () =>
        (await search('/api/v1/audit/search', { ...range, limit: '0' })).total === archived.size,
    );
    const seen: string[] = [];
    const documents: unknown[] = [];
    let cursor: string | null = null;
    do {
      const page: EventSearchResult = await search('/api/v1/audit/search', {
        ...range,
        limit: '250',
        sort: 'asc',
        ...(cursor ? { cursor } : {}),
      });
      for (const item of page.items) {
        seen.push(`${String(item.event.auditID)}/${String(item.event.stage)}`);
        documents.push(item.event);
      }
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.length).toBe(archived.size);
    expect(new Set(seen)).toEqual(archived);
    // The archive stores each event's text from the body: the document is the event sent.
    const sent = new Map(corpus.map((e) => [`${e.auditID}/${e.stage}`, e]));
    expect(documents).toEqual(seen.map((id) => sent.get(id)));

    await waitFor(() =>
      Promise.resolve(published.flatMap((p) => p.alerts).length >= expectedAlerts.length),
    );
    const alerts = published.flatMap((p) => p.alerts);
    expect(alerts.map((a) => a.labels.alertname).sort()).toEqual(expectedAlerts);
    const binding = alerts.find((a) => a.labels.alertname === 'ClusterAdminBinding');
    expect(binding?.labels).toMatchObject({
      alerttype: 'auditing',
      priority: 'WARNING',
      cluster: 'prod',
      user: 'eve',
      verb: 'create',
    });
    expect(binding?.annotations?.message).toBe('eve bound cluster-admin with eve-admin');

    // Filters agree with the corpus.
    const aliceCreates = corpus.filter(
      (e) =>
        archived.has(`${e.auditID}/${e.stage}`) &&
        (e.user as { username: string }).username === 'alice' &&
        e.verb === 'create',
    );
    expect(
      (
        await search('/api/v1/audit/search', {
          ...range,
          user: 'alice',
          verb: 'create',
          limit: '0',
        })
      ).total,
    ).toBe(aliceCreates.length);
    const notFound = corpus.filter(
      (e) =>
        archived.has(`${e.auditID}/${e.stage}`) &&
        (e.responseStatus as { code?: number } | undefined)?.code === 404,
    );
    expect(
      (await search('/api/v1/audit/search', { ...range, response_code: '404', limit: '0' })).total,
    ).toBe(notFound.length);
    expect(
      (await search('/api/v1/audit/search', { ...range, q: 'has been modified', limit: '0' }))
        .total,
    ).toBe(
      corpus.filter(
        (e) =>
          archived.has(`${e.auditID}/${e.stage}`) &&
          (e.responseStatus as { code?: number } | undefined)?.code === 409,
      ).length,
    );
    // The flow per tenant on the process registry, as a PromQL panel reads it.
    const metrics = await platform.app.get(StrataMetrics).registry.metrics();
    const sample = (name: string, labels: string) =>
      Number(
        new RegExp(`^strata_${name}\\{[^}]*${labels}[^}]*\\} (\\d+)$`, 'm').exec(metrics)?.[1],
      );
    expect(sample('events_received_total', 'tenant="team-a",kind="audit"')).toBe(1600);
    expect(sample('events_archived_total', 'tenant="team-a",kind="audit"')).toBe(archived.size);
    expect(sample('events_alerts_sent_total', 'tenant="team-a",kind="audit"')).toBe(
      expectedAlerts.length,
    );
    expect(sample('events_rule_matches_total', 'rule="PodExec"')).toBe(
      expectedAlerts.filter((a) => a === 'PodExec').length,
    );
    const histogram = await search('/api/v1/audit/search', {
      ...range,
      interval: '10m',
      limit: '0',
    });
    expect(histogram.histogram?.reduce((s, b) => s + b.count, 0)).toBe(archived.size);
  });

  it('turns an event matching a default alert rule into an alert at the webhook receiver through Alertmanager', async () => {
    const event = kubeEvent(
      'web-0-net',
      'NetworkNotReady',
      'Warning',
      'network is not ready: container runtime network not ready',
    );
    const res = await post(
      '/api/v1/events',
      `${JSON.stringify({ ...event, cluster: 'edge-1' })}\n`,
    );
    expect(res.status).toBe(200);
    await waitFor(() =>
      Promise.resolve(
        am.received.some((m) => m.alerts.some((a) => a.labels.alertname === 'PodNetworkNotReady')),
      ),
    );
    const alert = am.received
      .flatMap((m) => m.alerts)
      .find((a) => a.labels.alertname === 'PodNetworkNotReady');
    expect(alert?.labels).toEqual({
      alertname: 'PodNetworkNotReady',
      alerttype: 'event',
      pod: 'web-0',
      namespace: 'shop',
      cluster: 'edge-1',
      severity: 'warning',
    });
    expect(alert?.annotations.message).toBe(
      'network is not ready: container runtime network not ready',
    );
    await waitFor(
      async () =>
        (await search('/api/v1/events/search', { ...range, reason: 'NetworkNotReady' })).total ===
        1,
    );
    const found = await search('/api/v1/events/search', {
      ...range,
      reason: 'NetworkNotReady',
      cluster: 'edge-1',
    });
    expect(found.items.map((i) => i.cluster)).toEqual(['edge-1']);
  });

  it('refuses bad input with 4xx naming the problem, archives nothing of it, and keeps serving', async () => {
    const before = (await search('/api/v1/events/search', { ...range, limit: '0' })).total;
    const good = JSON.stringify(kubeEvent('bad-batch-ok', 'Started', 'Normal', 'ok'));
    const malformed = await post('/api/v1/events', `${good}\n{"kind": "Event",\n`);
    expect(malformed.status).toBe(400);
    expect((await errorOf(malformed)).message).toMatch(/^line 2: /);
    const wrongKind = await post(
      '/api/v1/audit/webhook/event',
      JSON.stringify({ kind: 'PodList', apiVersion: 'audit.k8s.io/v1', items: [] }),
    );
    expect(wrongKind.status).toBe(400);
    expect((await errorOf(wrongKind)).message).toContain('kind must be EventList');
    const huge = await post('/api/v1/events', Buffer.alloc(10 * 1024 * 1024, 0x20));
    expect(huge.status).toBe(413);
    const deep = await post('/api/v1/events', `${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    expect(deep.status).toBe(400);
    const ndjsonDeep = await post(
      '/api/v1/events',
      `${good}\n${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}\n`,
      'key-a',
      'application/x-ndjson',
    );
    expect(ndjsonDeep.status).toBe(400);
    expect((await errorOf(ndjsonDeep)).message).toMatch(/^line 2: /);
    const ok = await post('/api/v1/events', good);
    expect(ok.status).toBe(200);
    await waitFor(
      async () =>
        (await search('/api/v1/events/search', { ...range, limit: '0' })).total === before + 1,
    );
    expect((await search('/api/v1/events/search', { ...range, name: 'bad-batch-ok' })).total).toBe(
      1,
    );
  });

  it("never shows one tenant another's records", async () => {
    const res = await post(
      '/api/v1/events?cluster=b-cluster',
      JSON.stringify([kubeEvent('only-b', 'Killing', 'Normal', 'secret of b')]),
      'key-b',
    );
    expect(res.status).toBe(200);
    await waitFor(
      async () =>
        (await search('/api/v1/events/search', { ...range, q: 'secret of b' }, 'key-b')).total ===
        1,
    );
    expect((await search('/api/v1/events/search', { ...range, q: 'secret of b' })).total).toBe(0);
    expect((await search('/api/v1/events/search', { ...range, cluster: 'b-cluster' })).total).toBe(
      0,
    );
    expect((await search('/api/v1/audit/search', { ...range, limit: '0' }, 'key-b')).total).toBe(0);
    const crossed = await fetch(`${edge.url}/api/v1/events/search`, {
      headers: { Authorization: 'Bearer key-a', 'X-Scope-OrgID': 'team-b' },
    });
    expect(crossed.status).toBe(403);
    const admin = await fetch(
      `${edge.url}/api/v1/events/search?q=secret%20of%20b&start=${range.start}`,
      { headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'X-Scope-OrgID': 'team-b' } },
    );
    expect(((await admin.json()) as EventSearchResult).total).toBe(1);
  });

  function kubeEvent(
    name: string,
    reason: string,
    type: string,
    message: string,
  ): Record<string, unknown> {
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    return {
      kind: 'Event',
      apiVersion: 'v1',
      metadata: {
        name: `${name}.17c2a`,
        namespace: 'shop',
        uid: `uid-${name}`,
        resourceVersion: '1001',
        creationTimestamp: now,
      },
      involvedObject: {
        kind: 'Pod',
        namespace: 'shop',
        name: name.startsWith('web-0') ? 'web-0' : name,
        uid: 'pod-uid',
        apiVersion: 'v1',
        resourceVersion: '77',
        fieldPath: '',
      },
      reason,
      message,
      source: { component: 'kubelet', host: 'node-1' },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      type,
      eventTime: null,
      reportingComponent: 'kubelet',
      reportingInstance: 'node-1',
    };
  }
});

async function errorOf(res: Response): Promise<{ code: string; message: string }> {
  return ((await res.json()) as { error: { code: string; message: string } }).error;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}
