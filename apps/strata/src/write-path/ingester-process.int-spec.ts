import { type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type NatsBus } from '@strata/bus';
import { type QuotaSpec } from '@strata/contracts';
import { type RunningNatsServer } from '@strata/devstack';
import { type StoreClient } from '@strata/store-client';
import {
  OPEN_QUOTA,
  batchAt,
  clientBus,
  countSamples,
  fakeControlPlane,
  killHard,
  removeTestDirs,
  sendUntilAcked,
  spawnStrata,
  startTestNats,
  stopChild,
  storeClient,
  strataEnv,
  waitForStore,
  writeRequest,
} from '@strata/platform/testing';

jest.setTimeout(240_000);

const SERIES = 10;
const METRIC = 'wp_two_processes';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The process ids of a process's children (Linux). */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .split(' ')
      .filter((s) => s.trim())
      .map(Number);
  } catch {
    return [];
  }
}

/** Whether a process still runs (a zombie no longer does). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function until<T>(what: string, probe: () => T | null, timeoutMs = 60_000): Promise<T> {
  for (const deadline = Date.now() + timeoutMs; ;) {
    const value = probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/**
 * `apps/strata` with the router and the ingester and `STRATA_INGESTER_PROCESS=separate` (what
 * `npm start` does on a machine with more than one core): the ingester runs in a child process the
 * all-in-one process supervises. A kill -9 of the child is followed by a restart, a kill -9 of the
 * parent takes the child down too, SIGTERM stops both, and no acknowledged sample is lost or
 * counted twice on the way.
 */
describe('the all-in-one process with its ingester in a supervised child', () => {
  let nats: RunningNatsServer;
  let dir: string;
  let bus: NatsBus;
  let store: StoreClient;
  let strata: ChildProcess | null = null;
  const tenants = new Map<string, QuotaSpec>([['two', OPEN_QUOTA]]);

  beforeAll(async () => {
    ({ server: nats, dir } = await startTestNats());
    bus = await clientBus(nats);
    fakeControlPlane(bus, tenants);
    store = storeClient(bus);
  });

  afterAll(async () => {
    if (strata) {
      const orphans = childrenOf(strata.pid as number);
      await killHard(strata);
      for (const pid of orphans) if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
    await bus?.drain();
    await nats?.process.stop();
    removeTestDirs();
  });

  const logFile = () => join(dir, 'strata.log');
  const start = () =>
    spawnStrata(
      'router,ingester',
      strataEnv(nats, join(dir, 'data'), {
        LOG_LEVEL: 'info',
        STRATA_INGESTER_PROCESS: 'separate',
      }),
      logFile(),
    );

  it('restarts a killed ingester, follows a killed parent, and loses no acknowledged sample', async () => {
    strata = await start();
    const t0 = Date.now() - 30 * 60_000;
    let next = 0;
    let acked = 0;
    let running = true;
    const send = async (i: number) => {
      await sendUntilAcked(
        bus,
        writeRequest('two', batchAt(METRIC, SERIES, t0 + i * 10, i)),
        120_000,
      );
      acked += SERIES;
    };
    await send(next++);
    // One writer that owns its series, as a Prometheus shard: each sample after the last is acked.
    // Paced, so that a replay of the stream's small messages stays short.
    const writer = (async () => {
      while (running) {
        await send(next++);
        await sleep(20);
      }
    })();
    await waitForStore(store, 'two', 90_000);

    const parent = strata.pid as number;
    const [first] = await until('the ingester child', () => {
      const kids = childrenOf(parent);
      return kids.length > 0 ? kids : null;
    });
    expect(readFileSync(`/proc/${first}/cmdline`, 'utf8')).toContain('--target=ingester');
    await sleep(2_000);
    const beforeChildKill = acked;
    process.kill(first, 'SIGKILL');
    const second = await until(
      'a restarted ingester',
      () => childrenOf(parent).find((pid) => pid !== first && alive(pid)) ?? null,
    );
    await waitForStore(store, 'two', 90_000);
    await sleep(2_000);

    const beforeParentKill = acked;
    await killHard(strata);
    await until('the orphaned ingester to stop', () => (alive(second) ? null : true), 60_000);
    strata = await start();
    await waitForStore(store, 'two', 90_000);
    await sleep(2_000);
    running = false;
    await writer;

    expect(beforeParentKill).toBeGreaterThan(beforeChildKill);
    expect(acked).toBeGreaterThan(beforeParentKill);
    let counted = await countSamples(store, 'two', METRIC);
    for (const deadline = Date.now() + 30_000; counted.samples < acked && Date.now() < deadline;) {
      await sleep(250);
      counted = await countSamples(store, 'two', METRIC);
    }
    expect(counted).toEqual({ series: SERIES, samples: acked, distinct: acked });

    // SIGTERM (what npm start's Ctrl-C amounts to) stops the child as well as the parent.
    const third = childrenOf(strata.pid as number)[0];
    expect(third).toBeDefined();
    await stopChild(strata);
    expect(alive(third)).toBe(false);
    strata = null;

    const log = readFileSync(logFile(), 'utf8');
    // The child's lines reach the parent's output with its name in front.
    expect(log).toMatch(/^\[ingester\] .*running ingester/m);
    expect(log).toMatch(/process \d+ exited \(SIGKILL\); restarting/);
  });
});
