import { type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { type NatsBus } from '@strata/bus';
import { KvBuckets, type PartitionLease, type QuotaSpec } from '@strata/contracts';
import { type RunningNatsServer } from '@strata/devstack';
import { ingesterService } from '@strata/ingester';
import { routerService } from '@strata/router';
import { type RunningServices } from '@strata/service-kit';
import {
  OPEN_QUOTA,
  batchAt,
  clientBus,
  countSamples,
  fakeControlPlane,
  killHard,
  sendUntilAcked,
  spawnStrata,
  startInProcess,
  startTestNats,
  storeClient,
  strataEnv,
  waitForStore,
  writeRequest,
  removeTestDirs,
} from '@strata/platform/testing';

jest.setTimeout(120_000);

/** Two ingesters share the partitions; when one dies, the other takes its partitions over once the leases expire. */
describe('partition leases across two ingesters', () => {
  let nats: RunningNatsServer;
  let dir: string;
  let bus: NatsBus;
  let a: RunningServices;
  let b: ChildProcess | null = null;

  beforeAll(async () => {
    ({ server: nats, dir } = await startTestNats());
    bus = await clientBus(nats);
    fakeControlPlane(bus, new Map<string, QuotaSpec>([['lease', OPEN_QUOTA]]));
  });

  afterAll(async () => {
    if (b) await killHard(b);
    await a?.stop();
    await bus?.drain();
    await nats?.process.stop();
    removeTestDirs();
  });

  async function owners(): Promise<Map<string, number[]>> {
    const kv = await bus.openKv(KvBuckets.ingestLeases);
    const out = new Map<string, number[]>();
    for (let p = 0; p < 4; p++) {
      const v = await kv.get(KvBuckets.partitionKey(p));
      if (!v) continue;
      const owner = v.json<PartitionLease>().owner;
      out.set(owner, [...(out.get(owner) ?? []), p]);
    }
    return out;
  }

  async function until(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
    for (const end = Date.now() + timeoutMs; !(await check());) {
      if (Date.now() > end) throw new Error('condition not met in time');
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  it('balances the partitions, then takes over a killed peer’s partitions with every sample intact', async () => {
    a = await startInProcess(strataEnv(nats, join(dir, 'a')), [routerService, ingesterService]);
    b = await spawnStrata('ingester', strataEnv(nats, join(dir, 'b')), join(dir, 'b.log'));
    await until(async () => {
      const o = await owners();
      return o.size === 2 && [...o.values()].every((ps) => ps.length === 2);
    }, 60_000);

    const store = storeClient(bus);
    await waitForStore(store, 'lease');
    const t0 = Date.now() - 60_000;
    let acked = 0;
    for (let i = 0; i < 50; i++) {
      await sendUntilAcked(bus, writeRequest('lease', batchAt('wp_lease', 40, t0 + i * 100, i)));
      acked += 40;
    }
    await until(async () => (await countSamples(store, 'lease', 'wp_lease')).samples === acked);

    await killHard(b);
    b = null;
    for (let i = 50; i < 80; i++) {
      await sendUntilAcked(bus, writeRequest('lease', batchAt('wp_lease', 40, t0 + i * 100, i)));
      acked += 40;
    }
    await until(async () => {
      const o = await owners();
      return o.size === 1 && [...o.values()][0].length === 4;
    });
    await waitForStore(store, 'lease');
    await until(async () => (await countSamples(store, 'lease', 'wp_lease')).samples >= acked);
    expect(await countSamples(store, 'lease', 'wp_lease')).toEqual({
      series: 40,
      samples: acked,
      distinct: acked,
    });
  });
});
