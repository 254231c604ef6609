import { join } from 'node:path';
import { type NatsBus } from '@strata/bus';
import { DEFAULT_QUOTA, type QuotaSpec } from '@strata/contracts';
import { type RunningNatsServer } from '@strata/devstack';
import { encodeWriteRequestV1, encodeWriteRequestV2 } from '@strata/remote-write/testing';
import { type RunningServices } from '@strata/service-kit';
import { type StoreClient } from '@strata/store-client';
import {
  OPEN_QUOTA,
  batchAt,
  clientBus,
  countSamples,
  fakeControlPlane,
  startInProcess,
  startTestNats,
  ADMIN_TOKEN,
  startTestGateway,
  storeClient,
  strataEnv,
  type TestKeys,
  waitForStore,
  removeTestDirs,
} from '@strata/platform/testing';

jest.setTimeout(60_000);

describe('remote write over HTTP: /api/v1/write, /receive and /push', () => {
  let nats: RunningNatsServer;
  let bus: NatsBus;
  let platform: RunningServices;
  let store: StoreClient;
  let edge: { url: string; close(): Promise<void> };
  const tenants = new Map<string, QuotaSpec>([
    ['team-a', OPEN_QUOTA],
    ['team-b', OPEN_QUOTA],
    ['limited', { ...DEFAULT_QUOTA, ingestionRateSamplesPerSecond: 10, ingestionBurstSamples: 20 }],
  ]);
  const keys: TestKeys = new Map([
    ['key-a', { tenantId: 'team-a', scopes: ['write'] }],
    ['key-b', { tenantId: 'team-b', scopes: ['write', 'read'] }],
    ['key-a-read', { tenantId: 'team-a', scopes: ['read'] }],
    ['key-limited', { tenantId: 'limited', scopes: ['write'] }],
  ]);
  const t0 = Date.now() - 60_000;
  const v1 = (metric: string, series = 3, t = t0) =>
    encodeWriteRequestV1(batchAt(metric, series, t, 1));
  const post = (path: string, body: Buffer, headers: Record<string, string>) =>
    fetch(`${edge.url}${path}`, {
      method: 'POST',
      body,
      headers: {
        'Content-Type': 'application/x-protobuf',
        'Content-Encoding': 'snappy',
        'X-Prometheus-Remote-Write-Version': '0.1.0',
        ...headers,
      },
    });

  beforeAll(async () => {
    const started = await startTestNats();
    nats = started.server;
    bus = await clientBus(nats);
    fakeControlPlane(bus, tenants, keys);
    platform = await startInProcess(strataEnv(nats, join(started.dir, 'data')));
    edge = await startTestGateway(bus, 64 * 1024);
    store = storeClient(bus);
    await waitForStore(store, 'team-a');
  });

  afterAll(async () => {
    await edge?.close();
    await platform?.stop();
    await bus?.drain();
    await nats?.process.stop();
    removeTestDirs();
  });

  it('answers 204 with the written counts on all three paths, for 1.0 and 2.0 bodies', async () => {
    const res = await post('/api/v1/write', v1('http_a'), { Authorization: 'Bearer key-a' });
    expect(res.status).toBe(204);
    expect(res.headers.get('x-prometheus-remote-write-samples-written')).toBe('3');
    expect(res.headers.get('x-prometheus-remote-write-exemplars-written')).toBe('0');
    expect(
      (
        await post('/api/v1/receive', v1('http_a', 3, t0 + 1000), {
          Authorization: 'Bearer key-a',
          'THANOS-TENANT': 'team-a',
        })
      ).status,
    ).toBe(204);
    expect(
      (
        await post('/api/v1/push', v1('http_a', 3, t0 + 2000), {
          Authorization: 'Bearer key-a',
          'X-Scope-OrgID': 'team-a',
        })
      ).status,
    ).toBe(204);
    const v2 = await post(
      '/api/v1/write',
      encodeWriteRequestV2(batchAt('http_a', 3, t0 + 3000, 1)),
      {
        Authorization: 'Bearer key-a',
        'Content-Type': 'application/x-protobuf;proto=io.prometheus.write.v2.Request',
        'X-Prometheus-Remote-Write-Version': '2.0.0',
      },
    );
    expect(v2.status).toBe(204);
    expect(v2.headers.get('x-prometheus-remote-write-samples-written')).toBe('3');
    await waitFor(async () => (await countSamples(store, 'team-a', 'http_a')).samples === 12);
  });

  it('lets the platform admin write for the tenant it names, and requires it to name one', async () => {
    expect(
      (
        await post('/api/v1/push', v1('http_admin'), {
          Authorization: `Bearer ${ADMIN_TOKEN}`,
          'X-Scope-OrgID': 'team-b',
        })
      ).status,
    ).toBe(204);
    expect(
      (await post('/api/v1/push', v1('http_admin'), { Authorization: `Bearer ${ADMIN_TOKEN}` }))
        .status,
    ).toBe(400);
    await waitFor(async () => (await countSamples(store, 'team-b', 'http_admin')).samples === 3);
  });

  it('refuses a key writing as another tenant, a key without the write scope, and no key', async () => {
    const asB = await post('/api/v1/write', v1('http_forbidden'), {
      Authorization: 'Bearer key-a',
      'X-Scope-OrgID': 'team-b',
    });
    expect(asB.status).toBe(403);
    expect(await asB.json()).toMatchObject({ error: { code: 'forbidden' } });
    expect(
      (
        await post('/api/v1/receive', v1('http_forbidden'), {
          Authorization: 'Bearer key-a',
          'THANOS-TENANT': 'team-b',
        })
      ).status,
    ).toBe(403);
    expect(
      (await post('/api/v1/write', v1('http_forbidden'), { Authorization: 'Bearer key-a-read' }))
        .status,
    ).toBe(403);
    expect((await post('/api/v1/write', v1('http_forbidden'), {})).status).toBe(401);
    expect((await countSamples(store, 'team-b', 'http_forbidden')).samples).toBe(0);
    expect((await countSamples(store, 'team-a', 'http_forbidden')).samples).toBe(0);
  });

  it('maps bad input to 400/413/415 with a code and a reason', async () => {
    const bad = await post('/api/v1/write', Buffer.from('not snappy at all'), {
      Authorization: 'Bearer key-a',
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      error: { code: 'bad_request', reason: 'invalid_snappy' },
    });
    const json = await post('/api/v1/write', Buffer.from('{}'), {
      Authorization: 'Bearer key-a',
      'Content-Type': 'application/json',
    });
    expect(json.status).toBe(415);
    expect(
      (
        await post('/api/v1/write', v1('http_bad'), {
          Authorization: 'Bearer key-a',
          'Content-Encoding': 'gzip',
        })
      ).status,
    ).toBe(415);
    const big = await post('/api/v1/write', Buffer.alloc(100 * 1024, 1), {
      Authorization: 'Bearer key-a',
    });
    expect(big.status).toBe(413);
    expect(
      (await post('/api/v1/write', v1('http_after_bad'), { Authorization: 'Bearer key-a' })).status,
    ).toBe(204);
  });

  it('answers 429 with Retry-After to a tenant over its rate while another tenant writes on', async () => {
    expect(
      (await post('/api/v1/write', v1('http_rate', 15), { Authorization: 'Bearer key-limited' }))
        .status,
    ).toBe(204);
    const limited = await post('/api/v1/write', v1('http_rate', 15, t0 + 1000), {
      Authorization: 'Bearer key-limited',
    });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await limited.json()).toMatchObject({
      error: { code: 'rate_limited', reason: 'ingestion_rate' },
    });
    expect(
      (
        await post('/api/v1/write', v1('http_rate', 15, t0 + 1000), {
          Authorization: 'Bearer key-b',
        })
      ).status,
    ).toBe(204);
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}
