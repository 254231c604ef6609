// Alerts through routing and grouping to a webhook: Strata's notification service (behind its
// gateway, over NATS, configuration from the control plane) against Debian's Alertmanager, same
// configuration, same load, alternating within one run.
// Run:
//   node -r @swc-node/register tools/bench/notification/main.ts [alerts=10000] [groups=1000] [batch=100] [concurrency=4] [pairs=3] [warmup=12]
// Each round gives each side `alerts` alerts in `groups` groups (group_by [group]), posted through
// `POST /api/v2/alerts` in batches with a few requests in flight, then the same alerts again (a
// re-post, as Prometheus does every evaluation); the sides take turns going first. Measured: alerts/s
// accepted (both posts), the time from the first post until the webhook sink holds a notification
// of every group (end to end, group_wait included), and the CPU time of the side's processes, over
// the round and over the posts alone (intake).
// Strata's sides get `warmup` unmeasured rounds first: a long-running Strata has its hot paths
// compiled by V8's optimizing tiers, which takes thousands of posts (README, "Warm-up").
// STRATA_BENCH_BASELINE=<another checkout, node_modules included> adds that checkout's Strata as a
// third side; STRATA_BENCH_PROCESSES picks Strata's processes (default
// `control-plane;gateway;notification`); STRATA_BENCH_PROFILE=<dir> writes CPU profiles of them.
// Numbers: tools/bench/notification/README.md.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type SinkRequest, startWebhookSink, type WebhookSink } from '@strata/alertmanager/testing';
import { alertmanagerSide, isCheckout, type Side, strataSide, type Target } from './sides';

const ALERTS = Number(process.argv[2] ?? 10_000);
const GROUPS = Number(process.argv[3] ?? 1_000);
const BATCH = Number(process.argv[4] ?? 100);
const CONCURRENCY = Number(process.argv[5] ?? 4);
const PAIRS = Number(process.argv[6] ?? 3);
const WARMUP = Number(process.argv[7] ?? 12);
const GROUP_WAIT_S = 1;
const ROOT = join(__dirname, '../../..');

function batches(): string[] {
  const all = Array.from({ length: ALERTS }, (_, i) => ({
    labels: {
      alertname: 'BenchAlert',
      group: `g${i % GROUPS}`,
      instance: `i${Math.floor(i / GROUPS)}`,
      severity: i % 3 === 0 ? 'critical' : 'warning',
    },
    annotations: { summary: `alert ${i}` },
  }));
  const out: string[] = [];
  for (let i = 0; i < all.length; i += BATCH) out.push(JSON.stringify(all.slice(i, i + BATCH)));
  return out;
}

/** utime + stime of a process, in seconds (clock ticks of 1/100 s on Linux). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Seconds to the millisecond (a median of two can carry float noise). */
const ms = (x: number): number => Number(x.toFixed(3));

interface Result {
  acceptedPerSecond: number;
  endToEndSeconds: number;
  /** Seconds from the first post to the first and to the last notification. */
  firstSent: number;
  lastSent: number;
  /** CPU ms of the side's processes per 1,000 alerts posted, over the round. */
  cpuMsPer1k: number;
  /** The same over the posts only (until the last answer), without the flush after them. */
  intakeCpuMsPer1k: number;
}

async function drive(name: string, target: Target, sink: WebhookSink): Promise<Result> {
  const bodies = batches();
  const cpu = () => target.processes.map((p) => cpuSeconds(p.pid));
  const cpuBefore = cpu();
  const start = performance.now();
  const startedAt = Date.now();
  let posted = 0;
  for (let round = 0; round < 2; round++) {
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < bodies.length) {
          const res = await target.post(bodies[next++]);
          if (res.status !== 200) throw new Error(`${name}: status ${res.status}: ${res.text}`);
          posted += BATCH;
        }
      }),
    );
  }
  const acceptedSeconds = (performance.now() - start) / 1000;
  const intakeProcess = cpu().map((c, i) => c - cpuBefore[i]);
  const mine = () => sink.requests.filter((r) => r.path === target.sinkPath);
  const groups = () => new Set(mine().map((r) => (r.body as { groupKey: string }).groupKey)).size;
  while (groups() < GROUPS) {
    if (performance.now() - start > 300_000) throw new Error(`${name}: only ${groups()} groups`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const perProcess = cpu().map((c, i) => c - cpuBefore[i]);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const per1k = (seconds: number) => Math.round((seconds * 1000 * 1000) / posted);
  const times = mine().map((r) => (r.at - startedAt) / 1000);
  const result: Result = {
    acceptedPerSecond: Math.round(posted / acceptedSeconds),
    // When the sink got the notification that completed the groups, not when the 20 ms poll
    // above saw it: the poll's step is larger than the gap between the sides.
    endToEndSeconds: ms((completedAt(mine()) - startedAt) / 1000),
    firstSent: ms(Math.min(...times)),
    lastSent: ms(Math.max(...times)),
    cpuMsPer1k: per1k(sum(perProcess)),
    intakeCpuMsPer1k: per1k(sum(intakeProcess)),
  };
  const split = (used: number[]) =>
    target.processes.map((p, i) => `${p.name} ${per1k(used[i])}`).join(', ');
  console.log(
    name,
    JSON.stringify(result),
    target.processes.length > 1 ? `(${split(perProcess)}; intake ${split(intakeProcess)})` : '',
  );
  return result;
}

/** When (ms) the sink got the first notification of the last group to get one. */
function completedAt(requests: readonly SinkRequest[]): number {
  const seen = new Set<string>();
  let at = -Infinity;
  for (const r of requests) {
    const key = (r.body as { groupKey: string }).groupKey;
    if (seen.has(key)) continue;
    seen.add(key);
    at = Math.max(at, r.at);
  }
  return at;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fixed = (x: number): number => Number(x.toFixed(2));

async function main(): Promise<void> {
  const sink = await startWebhookSink();
  // Under the project (Postgres runs as its own user and must reach the folder).
  const dir = join(ROOT, '.strata/bench-notification');
  rmSync(dir, { recursive: true, force: true });
  const processes = process.env.STRATA_BENCH_PROCESSES ?? 'control-plane;gateway;notification';
  const sides: Side[] = [];
  try {
    sides.push(
      await strataSide('strata', ROOT, join(dir, 'strata'), sink.url, GROUP_WAIT_S, processes),
    );
    const baseline = process.env.STRATA_BENCH_BASELINE;
    if (baseline) {
      if (!isCheckout(baseline)) throw new Error(`${baseline} is not a checkout of Strata`);
      sides.push(
        await strataSide(
          'baseline',
          baseline,
          join(dir, 'baseline'),
          sink.url,
          GROUP_WAIT_S,
          processes,
        ),
      );
    }
    sides.push(alertmanagerSide(sink.url, GROUP_WAIT_S));
    // Unmeasured rounds first, until Node's JIT has compiled the hot paths (Alertmanager is
    // compiled ahead, and starts afresh each round); printed, so the warming shows.
    for (let w = 1; w <= WARMUP; w++)
      for (const side of sides.filter((s) => s.name !== 'alertmanager'))
        await drive(`${side.name} warm-up ${w}`, await side.round(-w), sink);
    const results = new Map<string, Result[]>(sides.map((s) => [s.name, []]));
    for (let round = 0; round < PAIRS; round++) {
      // Each side goes first in turn, so none always follows another's leftover work.
      const order = sides.map((_, i) => sides[(i + round) % sides.length]);
      for (const side of order) {
        const target = await side.round(round);
        try {
          results.get(side.name)?.push(await drive(`${side.name} round ${round}`, target, sink));
        } finally {
          await target.done();
        }
      }
      const am = results.get('alertmanager')?.[round];
      for (const side of sides.filter((s) => s.name !== 'alertmanager')) {
        const r = results.get(side.name)?.[round];
        if (am && r)
          console.log(
            `round ${round} ${side.name}/alertmanager`,
            JSON.stringify({
              accepted: fixed(r.acceptedPerSecond / am.acceptedPerSecond),
              endToEnd: fixed(am.endToEndSeconds / r.endToEndSeconds),
              cpu: fixed(am.cpuMsPer1k / r.cpuMsPer1k),
              intakeCpu: fixed(am.intakeCpuMsPer1k / r.intakeCpuMsPer1k),
            }),
          );
      }
    }
    const am = results.get('alertmanager') ?? [];
    for (const side of sides) {
      const rs = results.get(side.name) ?? [];
      console.log(
        `median ${side.name}`,
        JSON.stringify({
          acceptedPerSecond: median(rs.map((r) => r.acceptedPerSecond)),
          endToEndSeconds: ms(median(rs.map((r) => r.endToEndSeconds))),
          firstSent: ms(median(rs.map((r) => r.firstSent))),
          lastSent: ms(median(rs.map((r) => r.lastSent))),
          cpuMsPer1k: median(rs.map((r) => r.cpuMsPer1k)),
          intakeCpuMsPer1k: median(rs.map((r) => r.intakeCpuMsPer1k)),
        }),
      );
      if (side.name !== 'alertmanager')
        console.log(
          `median ratio ${side.name}/alertmanager (per round; >1 means Strata is ahead)`,
          JSON.stringify({
            accepted: fixed(
              median(rs.map((r, i) => r.acceptedPerSecond / am[i].acceptedPerSecond)),
            ),
            endToEnd: fixed(median(rs.map((r, i) => am[i].endToEndSeconds / r.endToEndSeconds))),
            cpu: fixed(median(rs.map((r, i) => am[i].cpuMsPer1k / r.cpuMsPer1k))),
            intakeCpu: fixed(median(rs.map((r, i) => am[i].intakeCpuMsPer1k / r.intakeCpuMsPer1k))),
          }),
        );
    }
  } finally {
    for (const side of sides) await side.stop().catch((e: unknown) => console.error(e));
    await sink.close();
    if (!process.env.STRATA_BENCH_KEEP) rmSync(dir, { recursive: true, force: true });
  }
}

void main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
