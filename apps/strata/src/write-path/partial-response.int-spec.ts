import { join } from 'node:path';
import { type NatsBus } from '@strata/bus';
import { KvBuckets, type PartitionLease, type QuotaSpec } from '@strata/contracts';
import { type RunningNatsServer } from '@strata/devstack';
import { type RunningGateway } from '@strata/gateway';
import { ingesterService } from '@strata/ingester';
import { queryService } from '@strata/query';
import { routerService } from '@strata/router';
import { encodeWriteRequestV1 } from '@strata/remote-write/testing';
import { type RunningServices } from '@strata/service-kit';
import { createStoreClient, type StoreClient } from '@strata/store-client';
import {
  OPEN_QUOTA,
  batchAt,
  clientBus,
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

const SERIES = 8;
/** The store gateway the query service asks for anything older than now: none runs in this spec. */
const MISSING_STORE = /^store shard 0: no service answers strata\.store\.query\.v1\.store\.0$/;

interface PromBody {
  status: string;
  data?: unknown;
  errorType?: string;
  error?: string;
  warnings?: string[];
}

/**
 * Thanos' partial response through the real read path (gateway, query service, Store API over
 * nats-server): the ingesters answer, the store gateway the query service also asks does not run.
 */
describe('partial response on the read path', () => {
  let nats: RunningNatsServer;
  let dataDir: string;
  let bus: NatsBus;
  let platform: RunningServices | null = null;
  let gateway: RunningGateway;
  let store: StoreClient;
  const tenants = new Map<string, QuotaSpec>([['acme', OPEN_QUOTA]]);
  const keys: TestKeys = new Map([
    ['acme-write', { tenantId: 'acme', scopes: ['write'] }],
    ['acme-read', { tenantId: 'acme', scopes: ['read'] }],
  ]);
  const writtenAt = Date.now() - 60_000;
  /** Renews the lease of an ingester that holds partition 3 but serves nothing. */
  let heldLease: NodeJS.Timeout | null = null;

  const start = async (extra: Record<string, string> = {}) => {
    platform = await startInProcess(strataEnv(nats, dataDir, extra), [
      routerService,
      ingesterService,
      queryService,
    ]);
    await waitForStore(store, 'acme');
  };
  const get = async (path: string): Promise<{ status: number; body: PromBody }> => {
    const res = await fetch(`${gateway.url}${path}`, {
      headers: { Authorization: 'Bearer acme-read' },
    });
    return { status: res.status, body: (await res.json()) as PromBody };
  };
  const at = Math.floor(writtenAt / 1000);
  /** Every route that takes `partial_response`, each selecting the written series. */
  const routes = [
    `/api/v1/query?query=count(pr_up)&time=${at}`,
    `/api/v1/query_range?query=count(pr_up)&start=${at}&end=${at}&step=15`,
    `/api/v1/series?match[]=pr_up&start=${at - 60}&end=${at + 60}`,
    `/api/v1/labels?match[]=pr_up&start=${at - 60}&end=${at + 60}`,
    `/api/v1/label/instance/values?match[]=pr_up&start=${at - 60}&end=${at + 60}`,
  ];
  /** What each route answers from the ingesters alone. */
  const expectedData = [
    { resultType: 'vector', result: [{ metric: {}, value: [at, String(SERIES)] }] },
    { resultType: 'matrix', result: [{ metric: {}, values: [[at, String(SERIES)]] }] },
    Array.from({ length: SERIES }, (_, i) => ({
      __name__: 'pr_up',
      instance: `i${i}`,
      job: 'spec',
    })).sort((a, b) => (a.instance < b.instance ? -1 : 1)),
    ['__name__', 'instance', 'job'],
    Array.from({ length: SERIES }, (_, i) => `i${i}`).sort(),
  ];
  const expectPartial = (r: { status: number; body: PromBody }, data: unknown) => {
    expect(r).toEqual({
      status: 200,
      body: { status: 'success', data, warnings: [expect.stringMatching(MISSING_STORE)] },
    });
  };
  const expectUnavailable = (r: { status: number; body: PromBody }) => {
    expect(r).toEqual({
      status: 503,
      body: {
        status: 'error',
        errorType: 'unavailable',
        error: expect.stringMatching(MISSING_STORE),
      },
    });
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
    // Whole seconds, so the instant query's evaluation time is the sample's own.
    const res = await fetch(`${gateway.url}/api/v1/write`, {
      method: 'POST',
      body: encodeWriteRequestV1(batchAt('pr_up', SERIES, at * 1000, 1)),
      headers: {
        Authorization: 'Bearer acme-write',
        'Content-Type': 'application/x-protobuf',
        'Content-Encoding': 'snappy',
        'X-Prometheus-Remote-Write-Version': '0.1.0',
      },
    });
    expect(res.status).toBe(204);
  });

  afterAll(async () => {
    if (heldLease) clearInterval(heldLease);
    await gateway?.close();
    await platform?.stop();
    await bus?.drain();
    await nats?.process.stop();
    removeTestDirs();
  });

  it("answers partial_response=true with the ingesters' data and a warning naming the missing store", async () => {
    for (let i = 0; i < routes.length; i++) {
      expectPartial(await get(`${routes[i]}&partial_response=true`), expectedData[i]);
    }
  });

  it('fails with 503 unavailable naming the store with partial_response=false and by default', async () => {
    for (const route of routes) {
      expectUnavailable(await get(`${route}&partial_response=false`));
      expectUnavailable(await get(route));
    }
  });

  it('refuses a partial_response that is not a bool with 400 bad_data', async () => {
    expect(await get(`${routes[0]}&partial_response=yes`)).toEqual({
      status: 400,
      body: {
        status: 'error',
        errorType: 'bad_data',
        error: `'partial_response' parameter: strconv.ParseBool: parsing "yes": invalid syntax`,
      },
    });
  });

  it('takes the default from STRATA_QUERY_PARTIAL_RESPONSE, and a request can still ask to be strict', async () => {
    await platform!.stop();
    platform = null;
    await start({ STRATA_QUERY_PARTIAL_RESPONSE: 'true' });
    for (let i = 0; i < routes.length; i++) {
      expectPartial(await get(routes[i]), expectedData[i]);
      expectUnavailable(await get(`${routes[i]}&partial_response=0`));
    }
  });

  it('with an ingest partition whose owner does not answer, names the partition too, or fails with 503', async () => {
    await platform!.stop();
    platform = null;
    // An owner that took partition 3's lease and stopped serving it: the ingesters started next
    // claim the other three only.
    const leases = await bus.openKv(KvBuckets.ingestLeases, { ttlMs: 2_000, history: 1 });
    const lease: PartitionLease = { owner: 'stopped-ingester', acquiredAt: Date.now() };
    await leases.put(KvBuckets.partitionKey(3), lease);
    heldLease = setInterval(() => void leases.put(KvBuckets.partitionKey(3), lease), 300);
    platform = await startInProcess(strataEnv(nats, dataDir), [
      routerService,
      ingesterService,
      queryService,
    ]);
    const lenient = createStoreClient(bus, {
      partitions: 4,
      timeoutMs: 5_000,
      partialResponse: true,
    });
    for (const until = Date.now() + 60_000; ;) {
      const r = await lenient.labelNames({
        tenantId: 'acme',
        matchers: [],
        start: 0,
        end: Date.now(),
      });
      if (r.warnings.length === 1 && r.warnings[0].startsWith('partition 3:')) break;
      if (Date.now() > until)
        throw new Error(`partitions 0-2 never all answered: ${r.warnings.join('; ')}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const missingPartition =
      /^partition 3: no service answers strata\.store\.query\.v1\.ingester\.3$/;

    const series = await get(`${routes[2]}&partial_response=true`);
    expect(series).toMatchObject({ status: 200, body: { status: 'success' } });
    const found = series.body.data as Array<Record<string, string>>;
    // Series of partition 3 are missing, the others are all there.
    expect(found.length).toBeGreaterThan(0);
    expect(found.length).toBeLessThan(SERIES);
    expect(expectedData[2]).toEqual(expect.arrayContaining(found));
    expect(series.body.warnings).toEqual([
      expect.stringMatching(missingPartition),
      expect.stringMatching(MISSING_STORE),
    ]);
    const count = await get(`${routes[0]}&partial_response=true`);
    expect(count).toEqual({
      status: 200,
      body: {
        status: 'success',
        data: { resultType: 'vector', result: [{ metric: {}, value: [at, String(found.length)] }] },
        warnings: [expect.stringMatching(missingPartition), expect.stringMatching(MISSING_STORE)],
      },
    });
    for (const route of routes) {
      expect(await get(route)).toEqual({
        status: 503,
        body: {
          status: 'error',
          errorType: 'unavailable',
          error: expect.stringMatching(missingPartition),
        },
      });
    }
  });
});
