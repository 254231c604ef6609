import { type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type NatsBus } from '@strata/bus';
import { jetstreamManager } from '@nats-io/jetstream';
import { type QuotaSpec, Streams } from '@strata/contracts';
import { type RunningNatsServer } from '@strata/devstack';
import { ingestMessagesOf } from '@strata/remote-write';
import { type StoreClient } from '@strata/store-client';
import {
  OPEN_QUOTA,
  batchAt,
  clientBus,
  countSamples,
  fakeControlPlane,
  killHard,
  sendUntilAcked,
  spawnStrata,
  startTestNats,
  storeClient,
  strataEnv,
  waitForStore,
  writeRequest,
  removeTestDirs,
} from '@strata/platform/testing';

jest.setTimeout(180_000);

const WRITERS = 2;
const SERIES_PER_WRITER = 10;
const METRIC = 'wp_crash';

/**
 * Under a steady write load, the ingester and then the router are killed with SIGKILL and
 * restarted as separate processes. The writers behave like Prometheus' shards: each owns its
 * series (a series' next sample is sent only once the previous one is acknowledged) and retries a
 * failed request with the same body until it gets a 2xx. Afterwards every acknowledged sample must
 * be readable exactly once, and the heads must have refused none.
 */
describe('write path survives kill -9 of the ingester (twice, once mid-replay) and of the router', () => {
  let nats: RunningNatsServer;
  let dir: string;
  let bus: NatsBus;
  let store: StoreClient;
  let ingester: ChildProcess | null = null;
  let router: ChildProcess | null = null;
  const tenants = new Map<string, QuotaSpec>([['crash', OPEN_QUOTA]]);

  beforeAll(async () => {
    ({ server: nats, dir } = await startTestNats());
    bus = await clientBus(nats);
    fakeControlPlane(bus, tenants);
    store = storeClient(bus);
  });

  afterAll(async () => {
    if (ingester) await killHard(ingester);
    if (router) await killHard(router);
    await bus?.drain();
    await nats?.process.stop();
    removeTestDirs();
  });

  const env = () => strataEnv(nats, join(dir, 'data'), { LOG_LEVEL: 'info' });
  const log = (name: string) => join(dir, `${name}.log`);

  it('loses no acknowledged sample and counts none twice', async () => {
    ingester = await spawnStrata('ingester', env(), log('ingester'));
    router = await spawnStrata('router', env(), log('router'));
    const t0 = Date.now() - 30 * 60_000;
    let next = 0;
    let acked = 0;
    let retried = 0;
    let running = true;
    // Writers sharing series would not be Prometheus-like: after a router crash their retries can
    // reach the stream in either order, and the head then refuses the older write as out of order
    // after its 204, as documented (counted in discardedSamples, not stored).
    const job = (w: number) => `writer-${w}`;
    const writer = async (w: number) => {
      while (running) {
        const i = next++;
        const { attempts } = await sendUntilAcked(
          bus,
          writeRequest('crash', batchAt(METRIC, SERIES_PER_WRITER, t0 + i * 10, i, job(w))),
          90_000,
        );
        acked += SERIES_PER_WRITER;
        if (attempts > 1) retried++;
      }
    };
    // The first write waits for the router to come up (no responders are retried).
    for (let w = 0; w < WRITERS; w++) {
      const first = batchAt(METRIC, SERIES_PER_WRITER, t0 - 10, -1, job(w));
      await sendUntilAcked(bus, writeRequest('crash', first), 90_000);
      acked += SERIES_PER_WRITER;
    }
    const writers = Array.from({ length: WRITERS }, (_, w) => writer(w));
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

    await waitForStore(store, 'crash', 90_000);
    await sleep(3_000);
    const beforeIngesterKill = acked;
    await killHard(ingester);
    await sleep(2_000);
    ingester = await spawnStrata('ingester', env(), log('ingester'));
    // Once more while it is still replaying: snapshots taken mid-replay must be as good as any.
    await sleep(5_000);
    await killHard(ingester);
    ingester = await spawnStrata('ingester', env(), log('ingester'));
    await waitForStore(store, 'crash', 90_000);
    await sleep(2_000);
    const beforeRouterKill = acked;
    await killHard(router);
    await sleep(1_000);
    router = await spawnStrata('router', env(), log('router'));
    await sleep(6_000);
    running = false;
    await Promise.all(writers);

    expect(beforeIngesterKill).toBeGreaterThan(0);
    expect(beforeRouterKill).toBeGreaterThan(beforeIngesterKill);
    await waitForStore(store, 'crash', 90_000);
    // The ingester may still be applying the last writes; more than acknowledged would fail at once.
    let counted = await countSamples(store, 'crash', METRIC);
    for (const until = Date.now() + 30_000; counted.samples < acked && Date.now() < until;) {
      await sleep(250);
      counted = await countSamples(store, 'crash', METRIC);
    }
    process.stdout.write(
      `crash spec: ${acked} samples acknowledged in ${next + WRITERS} writes (${retried} needed retries); store holds ${JSON.stringify(counted)}\n`,
    );
    const { discardedSamples } = (await store.userStats('crash')).value;
    process.stdout.write(`crash spec: heads discarded ${JSON.stringify(discardedSamples)}\n`);
    expect({ ...counted, discardedSamples }).toEqual({
      series: WRITERS * SERIES_PER_WRITER,
      samples: acked,
      distinct: acked,
      discardedSamples: {},
    });
    // The writers' parts were group-committed: some stream messages near the end are batches,
    // so the kills above also struck between a batch's store and the answers and acks after it.
    const jsm = await jetstreamManager(bus.connection);
    const last = (await jsm.streams.info(Streams.ingest.name)).state.last_seq;
    let batches = 0;
    for (let seq = Math.max(1, last - 300); seq <= last; seq++) {
      const stored = await jsm.streams.getMessage(Streams.ingest.name, { seq });
      if (stored && ingestMessagesOf(stored.data).length > 1) batches++;
    }
    expect(batches).toBeGreaterThan(0);
    // The restarted ingester resumed from a snapshot rather than from the stream's start.
    expect(readFileSync(log('ingester'), 'utf8')).toMatch(
      /restored \d+ series up to sequence [1-9]/,
    );
  });
});
