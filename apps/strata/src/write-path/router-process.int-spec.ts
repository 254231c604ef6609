import { type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type NatsBus } from '@strata/bus';
import { type QuotaSpec } from '@strata/contracts';
import { freePort, type RunningNatsServer } from '@strata/devstack';
import { encodeWriteRequestV1 } from '@strata/remote-write/testing';
import { type StoreClient } from '@strata/store-client';
import {
  ADMIN_TOKEN,
  OPEN_QUOTA,
  batchAt,
  clientBus,
  countSamples,
  fakeControlPlane,
  killHard,
  removeTestDirs,
  spawnStrata,
  startTestNats,
  stopChild,
  storeClient,
  strataEnv,
  waitForStore,
} from '@strata/platform/testing';

jest.setTimeout(300_000);

const SERIES = 10;
const TENANT = 'two';
const METRIC = 'wp_router_process';
// Fixed, so that a retried write carries the same samples.
const T0 = Date.now() - 30 * 60_000;
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
 * `apps/strata` with the gateway, the router and the ingester and `STRATA_ROUTER_PROCESS=separate`
 * (what `npm start` does on a machine with more than one core): the router runs in a child process
 * the all-in-one process supervises, fed by the gateway over NATS. A kill -9 of the child is
 * followed by a restart while the gateway answers 5xx, a kill -9 of the parent takes the child
 * down too, SIGTERM stops both, and every acknowledged sample is read back exactly once.
 */
describe('the all-in-one process with its router in a supervised child', () => {
  let nats: RunningNatsServer;
  let dir: string;
  let bus: NatsBus;
  let store: StoreClient;
  let httpPort: number;
  let strata: ChildProcess | null = null;
  const tenants = new Map<string, QuotaSpec>([[TENANT, OPEN_QUOTA]]);

  beforeAll(async () => {
    ({ server: nats, dir } = await startTestNats());
    bus = await clientBus(nats);
    fakeControlPlane(bus, tenants);
    store = storeClient(bus);
    httpPort = await freePort();
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
      'gateway,router,ingester',
      strataEnv(nats, join(dir, 'data'), {
        LOG_LEVEL: 'info',
        STRATA_ROUTER_PROCESS: 'separate',
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: String(httpPort),
        STRATA_ADMIN_TOKEN: ADMIN_TOKEN,
      }),
      logFile(),
    );

  /** One remote write through the gateway: its HTTP status, or 0 when nothing listens. */
  const post = async (i: number): Promise<number> => {
    try {
      const res = await fetch(`http://127.0.0.1:${httpPort}/api/v1/write`, {
        method: 'POST',
        body: encodeWriteRequestV1(batchAt(METRIC, SERIES, T0 + i * 10, i)),
        headers: {
          'Content-Type': 'application/x-protobuf',
          'Content-Encoding': 'snappy',
          'X-Prometheus-Remote-Write-Version': '0.1.0',
          Authorization: `Bearer ${ADMIN_TOKEN}`,
          'X-Scope-OrgID': TENANT,
        },
        signal: AbortSignal.timeout(90_000),
      });
      await res.arrayBuffer();
      return res.status;
    } catch {
      return 0;
    }
  };

  it('restarts a killed router, follows a killed parent, and loses no acknowledged sample', async () => {
    strata = await start();
    let next = 0;
    let acked = 0;
    let running = true;
    const retried: number[] = [];
    // Like Prometheus: 5xx and refused connections are retried with the same body; 4xx is a bug.
    const send = async (i: number) => {
      for (const deadline = Date.now() + 180_000; ;) {
        const status = await post(i);
        if (status >= 200 && status < 300) break;
        if (status >= 400 && status < 500) throw new Error(`write ${i} refused with ${status}`);
        retried.push(status);
        if (Date.now() > deadline) throw new Error(`write ${i} still failing with ${status}`);
        await sleep(100);
      }
      acked += SERIES;
    };
    await send(next++);
    // One writer that owns its series, as a Prometheus shard: each sample after the last is acked.
    const writer = (async () => {
      while (running) {
        await send(next++);
        await sleep(20);
      }
    })();
    await waitForStore(store, TENANT, 90_000);

    const parent = strata.pid as number;
    const [first] = await until('the router child', () => {
      const kids = childrenOf(parent);
      return kids.length > 0 ? kids : null;
    });
    expect(readFileSync(`/proc/${first}/cmdline`, 'utf8')).toContain('--target=router');
    await sleep(2_000);
    const beforeChildKill = acked;
    const retriedBeforeChildKill = retried.length;
    process.kill(first, 'SIGKILL');
    const second = await until(
      'a restarted router',
      () => childrenOf(parent).find((pid) => pid !== first && alive(pid)) ?? null,
    );
    // Acknowledged again: the restarted router serves the gateway.
    const afterRestart = acked;
    await until('a write through the restarted router', () => (acked > afterRestart ? true : null));
    const gap = retried.slice(retriedBeforeChildKill);
    expect(gap.length).toBeGreaterThan(0);
    // With the parent up, the gateway answered every write the router could not take: a 5xx.
    expect(gap.every((status) => status >= 500)).toBe(true);

    // The child's own internal listener serves the router's metrics.
    const metricsUrl = await until('the router child listener', () => {
      const started = readFileSync(logFile(), 'utf8').match(
        /^\[router\] .*health and metrics on http:\/\/[\d.]+:\d+/gm,
      );
      return started ? /http:\/\/[\d.]+:\d+/.exec(started[started.length - 1])![0] : null;
    });
    const metrics = await (await fetch(new URL('/metrics', metricsUrl))).text();
    expect(metrics).toMatch(
      new RegExp(`^strata_router_samples_received_total\\{[^}]*tenant="${TENANT}"`, 'm'),
    );

    const beforeParentKill = acked;
    await killHard(strata);
    await until('the orphaned router to stop', () => (alive(second) ? null : true), 60_000);
    strata = await start();
    await waitForStore(store, TENANT, 90_000);
    const afterParentRestart = acked;
    await until(
      'a write after the parent restarted',
      () => (acked > afterParentRestart ? true : null),
      120_000,
    );
    running = false;
    await writer;

    expect(beforeParentKill).toBeGreaterThan(beforeChildKill);
    expect(acked).toBeGreaterThan(beforeParentKill);
    let counted = await countSamples(store, TENANT, METRIC);
    for (const deadline = Date.now() + 30_000; counted.samples < acked && Date.now() < deadline;) {
      await sleep(250);
      counted = await countSamples(store, TENANT, METRIC);
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
    expect(log).toMatch(/^\[router\] .*running router/m);
    expect(log).toMatch(/process \d+ exited \(SIGKILL\); restarting/);
  });
});
