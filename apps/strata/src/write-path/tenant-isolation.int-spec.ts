import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type NatsBus } from '@strata/bus';
import { type QuotaSpec } from '@strata/contracts';
import { type RunningNatsServer } from '@strata/devstack';
import { type RunningGateway } from '@strata/gateway';
import { decodeHeadSnapshot, ingesterService } from '@strata/ingester';
import { queryService } from '@strata/query';
import { routerService } from '@strata/router';
import { type WriteBatch } from '@strata/remote-write';
import { encodeWriteRequestV1 } from '@strata/remote-write/testing';
import { type RunningServices, StrataMetrics } from '@strata/service-kit';
import { type StoreClient } from '@strata/store-client';
import { labelsFrom } from '@strata/tsdb';
import {
  OPEN_QUOTA,
  clientBus,
  countSamples,
  fakeControlPlane,
  removeTestDirs,
  startInProcess,
  startTestGateway,
  startTestNats,
  storeClient,
  strataEnv,
  type TestKeys,
  waitForStore,
} from '@strata/platform/testing';

jest.setTimeout(180_000);

const MIN = 60_000;
const HOUR = 60 * MIN;
const Y2200 = Date.UTC(2200, 0, 1);
const SERIES = 24; // enough to land in each of the 4 partitions

/** `n` series of `metric`, each with the samples at `timestamps`. */
function batch(metric: string, timestamps: number[], n = SERIES): WriteBatch {
  return {
    metadata: [],
    series: Array.from({ length: n }, (_, i) => ({
      labels: labelsFrom({ __name__: metric, instance: `i${i}`, job: 'isolation' }),
      timestamps: new Float64Array(timestamps),
      values: new Float64Array(timestamps.map((_, k) => k)),
      exemplars: [],
    })),
  };
}

/**
 * The finding of issue 8 through the real write path (gateway, router, JetStream, ingesters,
 * Store API): one tenant's far-future and far-past samples, and another's lagging sender, must
 * cost no other tenant an acknowledged sample, before and after an orderly restart.
 */
describe('tenant isolation on the write path', () => {
  let nats: RunningNatsServer;
  let dataDir: string;
  let bus: NatsBus;
  let platform: RunningServices | null = null;
  let gateway: RunningGateway;
  let store: StoreClient;
  const tenants = new Map<string, QuotaSpec>([
    ['noisy', OPEN_QUOTA],
    ['steady', OPEN_QUOTA],
    ['laggard', OPEN_QUOTA],
    // A tenant that turned the future check off writes into the year 2200: only its own head pays.
    ['reckless', { ...OPEN_QUOTA, creationGracePeriodSeconds: 0 }],
  ]);
  const keys: TestKeys = new Map();
  for (const t of tenants.keys()) {
    keys.set(`${t}-write`, { tenantId: t, scopes: ['write'] });
    keys.set(`${t}-read`, { tenantId: t, scopes: ['read'] });
  }
  /** Samples each tenant's writes were acknowledged for (the written-count header), by metric. */
  const acked = new Map<string, number>();

  const post = (tenant: string, body: WriteBatch) =>
    fetch(`${gateway.url}/api/v1/write`, {
      method: 'POST',
      body: encodeWriteRequestV1(body),
      headers: {
        Authorization: `Bearer ${tenant}-write`,
        'Content-Type': 'application/x-protobuf',
        'Content-Encoding': 'snappy',
        'X-Prometheus-Remote-Write-Version': '0.1.0',
      },
    });
  const written = (res: Response) =>
    Number(res.headers.get('x-prometheus-remote-write-samples-written'));
  /** Writes and expects 204, counting what was acknowledged. */
  const write204 = async (tenant: string, metric: string, timestamps: number[]) => {
    const res = await post(tenant, batch(metric, timestamps));
    expect({ tenant, metric, status: res.status, body: await res.text() }).toMatchObject({
      status: 204,
      body: '',
    });
    const key = `${tenant}/${metric}`;
    acked.set(key, (acked.get(key) ?? 0) + written(res));
  };
  const userStats = async (tenant: string) => {
    const res = await fetch(`${gateway.url}/api/v1/user_stats`, {
      headers: { Authorization: `Bearer ${tenant}-read` },
    });
    expect(res.status).toBe(200);
    return (await res.json()) as {
      numSeries: number;
      ingestionRate: number;
      apiIngestionRate: number;
      ruleIngestionRate: number;
      discardedSamples: Record<string, number>;
    };
  };
  /** Every acknowledged sample is readable, exactly once, through the Store API. */
  const expectAllAckedReadable = async () => {
    const expected = [...acked].map(([key, samples]) => ({ key, samples }));
    let actual: typeof expected = [];
    for (const until = Date.now() + 30_000; ;) {
      actual = [];
      for (const [key] of acked) {
        const [tenant, metric] = key.split('/');
        const c = await countSamples(store, tenant, metric);
        actual.push({ key, samples: c.distinct === c.samples ? c.samples : -1 });
      }
      if (JSON.stringify(actual) === JSON.stringify(expected) || Date.now() > until) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(actual).toEqual(expected);
  };
  const start = async () => {
    platform = await startInProcess(strataEnv(nats, dataDir), [
      routerService,
      ingesterService,
      queryService,
    ]);
    await waitForStore(store, 'steady');
  };

  beforeAll(async () => {
    const started = await startTestNats();
    nats = started.server;
    dataDir = join(started.dir, 'data');
    bus = await clientBus(nats);
    fakeControlPlane(bus, tenants, keys);
    store = storeClient(bus);
    await start();
    gateway = await startTestGateway(bus);
  });

  afterAll(async () => {
    await gateway?.close();
    await platform?.stop();
    await bus?.drain();
    await nats?.process.stop();
    removeTestDirs();
  });

  it("refuses what the router can decide, and no tenant's input costs another tenant a sample", async () => {
    const now = Date.now();
    const steadyAt = (round: number) => now - 10 * MIN + round * 15_000;
    // The laggard's sender is two hours behind everyone else's, well inside its 24 h window.
    const laggardAt = (round: number) => now - 2 * HOUR + round * 15_000;
    for (let r = 0; r < 4; r++) {
      await write204('steady', 'isolation_up', [steadyAt(r)]);
      await write204('laggard', 'isolation_up', [laggardAt(r)]);
    }

    // Valid samples mixed with ones beyond the 10 min grace period and older than the 24 h window.
    const mixed = await post(
      'noisy',
      batch('isolation_up', [now - 25 * HOUR, now - 5 * MIN, now, now + 11 * MIN, Y2200]),
    );
    expect(mixed.status).toBe(400);
    expect(written(mixed)).toBe(2 * SERIES);
    acked.set('noisy/isolation_up', 2 * SERIES);
    const error = (
      (await mixed.json()) as { error: { code: string; reason: string; message: string } }
    ).error;
    expect(error).toMatchObject({ code: 'bad_request', reason: 'sample_too_far_in_future' });
    expect(error.message).toMatch(/48 sample\(s\) after .* and 24 sample\(s\) before/);
    const old = await post('noisy', batch('isolation_old', [now - 30 * HOUR]));
    expect([old.status, written(old)]).toEqual([400, 0]);
    expect(await old.json()).toMatchObject({
      error: { code: 'bad_request', reason: 'sample_too_old' },
    });

    // A tenant without the future check reaches the ingesters with 2200-01-01 in every partition...
    const future = await post('reckless', batch('isolation_future', [Y2200]));
    expect([future.status, written(future)]).toEqual([204, SERIES]);
    // ... and after it, its own present-day samples are acknowledged but refused by its own head only.
    const hurt = await post('reckless', batch('isolation_up', [now]));
    expect(hurt.status).toBe(204);

    for (let r = 4; r < 8; r++) {
      await write204('steady', 'isolation_up', [steadyAt(r)]);
      await write204('laggard', 'isolation_up', [laggardAt(r)]);
    }
    await write204('noisy', 'isolation_later', [now + MIN]);

    await expectAllAckedReadable();
    expect(await countSamples(store, 'reckless', 'isolation_up')).toMatchObject({ samples: 0 });
    const far = await store.select({
      tenantId: 'reckless',
      matchers: [{ type: '=', name: '__name__', value: 'isolation_future' }],
      start: Y2200,
      end: Y2200,
    });
    expect(far.value.map((s) => [...s.timestamps])).toEqual(Array(SERIES).fill([Y2200]));

    // Only the tenant whose head refused samples sees them counted, by reason.
    for (const tenant of ['steady', 'laggard', 'noisy'])
      expect({ tenant, ...(await userStats(tenant)) }).toMatchObject({
        tenant,
        numSeries: tenant === 'noisy' ? 2 * SERIES : SERIES,
        ruleIngestionRate: 0,
        discardedSamples: {},
      });
    // The refused samples created no series: only the 2200 ones are held.
    expect(await userStats('reckless')).toMatchObject({
      numSeries: SERIES,
      discardedSamples: { out_of_bounds: SERIES },
    });
    // A key sees its own tenant's stats only, and a write-only key none.
    const statusOf = async (headers: Record<string, string>) =>
      (await fetch(`${gateway.url}/api/v1/user_stats`, { headers })).status;
    expect(await statusOf({ Authorization: 'Bearer steady-write' })).toBe(403);
    expect(
      await statusOf({ Authorization: 'Bearer steady-read', 'X-Scope-OrgID': 'reckless' }),
    ).toBe(403);
    const metrics = (await platform!.app.get(StrataMetrics).render()).body;
    const discarded = [
      ...metrics.matchAll(
        /^strata_discarded_samples_total\{tenant="([^"]*)",reason="([^"]*)"[^}]*\} (\d+)$/gm,
      ),
    ]
      .map(([, tenant, reason, n]) => `${tenant} ${reason} ${n}`)
      .sort();
    expect(discarded).toEqual([
      'noisy sample_too_far_in_future 48',
      'noisy sample_too_old 48',
      'reckless out_of_bounds 24',
    ]);
  });

  it('keeps every acknowledged sample and the discarded counts across an orderly restart, from per-tenant snapshots', async () => {
    await platform!.stop();
    platform = null;
    const files = readdirSync(join(dataDir, 'ingester')).filter((f) => f.endsWith('.snapshot'));
    expect(files).toHaveLength(4);
    const tenantsInSnapshots = new Set(
      files.flatMap((f) =>
        decodeHeadSnapshot(readFileSync(join(dataDir, 'ingester', f))).tenants.map((t) => t.tenant),
      ),
    );
    expect([...tenantsInSnapshots].sort()).toEqual(['laggard', 'noisy', 'reckless', 'steady']);

    await start();
    await expectAllAckedReadable();
    expect((await userStats('reckless')).discardedSamples).toEqual({ out_of_bounds: SERIES });
    expect((await userStats('steady')).discardedSamples).toEqual({});

    // Writing goes on for everyone after the restart, the lagging sender included.
    const now = Date.now();
    await write204('steady', 'isolation_up', [now]);
    await write204('laggard', 'isolation_up', [now - 2 * HOUR + 10 * MIN]);
    await expectAllAckedReadable();
    expect((await userStats('laggard')).discardedSamples).toEqual({});
  });
});
