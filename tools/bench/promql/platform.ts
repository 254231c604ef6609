// Range-query latency over HTTP of the platform as `npm start` runs it (gateway, router, ingesters,
// store gateway and query service, one process unless STRATA_ROUTER_PROCESS=separate; nats-server
// beside it) against Debian's
// Prometheus 2.42, on the same remote-written data, alternating one request to each. Run:
//   node -r @swc-node/register tools/bench/promql/platform.ts [runs=5] [seriesPerMetric=1000] [metrics=10]
// STRATA_BENCH_PROFILE=<dir> writes a CPU profile of the Strata process there (--cpu-prof).
// STRATA_BENCH_ONLY=<name,...> times only the named shapes.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectBus, type NatsBus } from '@strata/bus';
import { type ControlQueryRequest, DEFAULT_QUOTA, Subjects } from '@strata/contracts';
import { NATS_DEV_ADMIN, freePort, startNatsServer } from '@strata/devstack';
import { type WriteBatch, type WriteSeries } from '@strata/remote-write';
import { REMOTE_WRITE_V1_HEADERS, encodeWriteRequestV1 } from '@strata/remote-write/testing';
import { labelsFrom } from '@strata/tsdb';
import { startPrometheus } from '../../promql-diff/src/prometheus-server';
import { median } from './queries';

const runs = Number(process.argv[2] ?? 5);
const perMetric = Number(process.argv[3] ?? 1000);
const metrics = Number(process.argv[4] ?? 10);
const ROOT = join(__dirname, '../../..');
const TENANT = 'bench';
const ADMIN_TOKEN = 'bench-admin-token-0123456789';
const STEP_MS = 15_000;
const POINTS = 241; // 1 h at 15 s
// An hour that ended a minute ago, on the step grid, inside the heads' window.
const END = Math.floor((Date.now() - 60_000) / STEP_MS) * STEP_MS;
const T0 = END - (POINTS - 1) * STEP_MS;
const PODS = 100;
const LE = ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '+Inf'];

/** The shapes over the `bench_*` families (counter 0 is the one most shapes read). */
export const PLATFORM_QUERIES: Array<[string, string]> = [
  ['sum(rate)', 'sum(rate(bench_c0_total[5m]))'],
  ['subquery max_over_time', 'max_over_time(sum by (pod) (rate(bench_c0_total[5m]))[30m:1m])'],
  ['count(count by) regex', 'count(count by (pod) ({__name__=~"bench_c.*"}))'],
  ['quantile', 'quantile(0.9, rate(bench_c0_total[5m]))'],
  [
    'histogram_quantile',
    'histogram_quantile(0.99, sum by (le) (rate(bench_latency_seconds_bucket[5m])))',
  ],
  ['sum by', 'sum by (pod) (rate(bench_c0_total[5m]))'],
  ['rate', 'rate(bench_c0_total[5m])'],
  ['topk', 'topk(5, sum by (pod) (rate(bench_c0_total[5m])))'],
];

interface Family {
  labels: Array<Record<string, string>>;
  value: (series: number, i: number) => number;
}

/** `metrics - 1` counters and one histogram, `perMetric` series each. */
function families(): Family[] {
  const out: Family[] = [];
  const paths = Math.max(1, Math.floor(perMetric / PODS));
  for (let m = 0; m < metrics - 1; m++) {
    const labels: Array<Record<string, string>> = [];
    for (let p = 0; p < PODS; p++)
      for (let k = 0; k < paths; k++)
        labels.push({
          __name__: `bench_c${m}_total`,
          job: 'bench',
          pod: `pod-${p}`,
          path: `/api/v${k}`,
        });
    out.push({ labels, value: (s, i) => i * (1 + ((s * 7 + m) % 50)) + ((i * s) % 7) });
  }
  const buckets: Array<Record<string, string>> = [];
  for (let p = 0; p < Math.max(1, Math.floor(perMetric / LE.length)); p++)
    for (const le of LE)
      buckets.push({ __name__: 'bench_latency_seconds_bucket', job: 'bench', pod: `pod-${p}`, le });
  out.push({ labels: buckets, value: (s, i) => i * ((s % LE.length) + 1) * ((s % 13) + 1) });
  return out;
}

/** Remote-write batches of 20 samples per series, 1,000 series each, oldest first. */
function* batches(): Generator<WriteBatch> {
  const all = families().flatMap((f) =>
    f.labels.map((l, s) => ({ labels: labelsFrom(l), value: (i: number) => f.value(s, i) })),
  );
  for (let from = 0; from < POINTS; from += 20) {
    const n = Math.min(POINTS, from + 20) - from;
    for (let at = 0; at < all.length; at += 1000) {
      const series: WriteSeries[] = all.slice(at, at + 1000).map((s) => {
        const timestamps = new Float64Array(n);
        const values = new Float64Array(n);
        for (let k = 0; k < n; k++) {
          timestamps[k] = T0 + (from + k) * STEP_MS;
          values[k] = s.value(from + k);
        }
        return { labels: s.labels, timestamps, values, exemplars: [] };
      });
      yield { series, metadata: [] };
    }
  }
}

const children: Array<{ kill: () => void }> = [];
const dir = mkdtempSync(join(tmpdir(), 'strata-bench-promql-'));

function spawnLogged(args: string[], env: Record<string, string>): ChildProcess {
  const log = openSync(join(dir, 'strata.log'), 'a');
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', log, log],
  });
  children.push({ kill: () => child.kill('SIGKILL') });
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await gone;
  clearTimeout(timer);
}

/** Stands in for the control plane: one open tenant. */
function serveTenant(bus: NatsBus): void {
  bus.serve<ControlQueryRequest, unknown>(Subjects.controlQuery, 'control-plane', ({ query }) => {
    const now = new Date().toISOString();
    const quota = {
      ...DEFAULT_QUOTA,
      maxActiveSeries: 0,
      ingestionRateSamplesPerSecond: 1e9,
      ingestionBurstSamples: 1e9,
    };
    return Promise.resolve(
      query.type === 'GetQuota'
        ? { tenantId: TENANT, quota, version: 1, updatedAt: now }
        : {
            tenantId: TENANT,
            displayName: TENANT,
            status: 'active',
            suspendedReason: null,
            version: 1,
            createdAt: now,
            updatedAt: now,
          },
    );
  });
}

interface Answer {
  ms: number;
  series: number;
  body: string;
}

/**
 * CPU time in ms all threads of a process have used so far (the kernel's per-thread `schedstat`):
 * what a query costs each side, which other jobs on the machine disturb far less than latency.
 */
function cpuMs(pid: number): number {
  let ns = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return ns / 1e6;
}

/** `cpuMs` of a process and its descendants (the all-in-one's supervised router). */
function treeCpuMs(pid: number): number {
  let children: string[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ');
  } catch {
    // The process ended.
  }
  return (
    cpuMs(pid) + children.filter((c) => c.trim()).reduce((n, c) => n + treeCpuMs(Number(c)), 0)
  );
}

async function rangeQuery(
  url: string,
  headers: Record<string, string>,
  query: string,
  start: number,
  end: number,
  step: number,
): Promise<Answer> {
  const params = new URLSearchParams({
    query,
    start: String(start / 1000),
    end: String(end / 1000),
    step: String(step / 1000),
  });
  const t = performance.now();
  const res = await fetch(`${url}/api/v1/query_range`, {
    method: 'POST',
    body: params,
    // The frontend's cache would answer repeats from memory; the bench times evaluation.
    headers: {
      ...headers,
      'content-type': 'application/x-www-form-urlencoded',
      'cache-control': 'no-store',
    },
  });
  const body = await res.text();
  const ms = performance.now() - t;
  const parsed = JSON.parse(body) as { data?: { result: unknown[] }; error?: string };
  if (!parsed.data) throw new Error(`${url}: ${query}: ${parsed.error ?? res.status}`);
  return { ms, series: parsed.data.result.length, body };
}

async function main(): Promise<void> {
  const nats = await startNatsServer({ dataDir: join(dir, 'nats') });
  children.push({ kill: () => void nats.process.stop('SIGKILL', 0) });
  const bus = await connectBus({ url: nats.url, name: 'bench', ...nats.login(NATS_DEV_ADMIN) });
  serveTenant(bus);
  const prom = await startPrometheus();
  children.push({ kill: () => void prom.stop() });
  const httpPort = await freePort();
  const profile = process.env.STRATA_BENCH_PROFILE
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.STRATA_BENCH_PROFILE}`]
    : [];
  const strata = spawnLogged(
    [
      ...profile,
      '-r',
      '@swc-node/register',
      'apps/strata/src/main.ts',
      '--target=gateway,router,ingester,store,query',
    ],
    {
      NATS_URL: nats.url,
      NATS_CREDENTIALS_DIR: nats.credentialsDir,
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(httpPort),
      STRATA_ADMIN_TOKEN: ADMIN_TOKEN,
      STRATA_DATA_DIR: join(dir, 'strata'),
      HEALTH_PORT: String(await freePort()),
      SWC_NODE_PROJECT: 'tsconfig.json',
      LOG_LEVEL: 'warn',
    },
  );
  const url = `http://127.0.0.1:${httpPort}`;
  const headers = { authorization: `Bearer ${ADMIN_TOKEN}`, 'x-scope-orgid': TENANT };
  try {
    let total = 0;
    const t = performance.now();
    for (const batch of batches()) {
      total += batch.series.reduce((n, s) => n + s.values.length, 0);
      await prom.write(batch);
      for (const until = Date.now() + 120_000; ;) {
        try {
          const res = await fetch(`${url}/api/v1/write`, {
            method: 'POST',
            headers: { ...headers, ...REMOTE_WRITE_V1_HEADERS },
            body: encodeWriteRequestV1(batch),
          });
          if (!res.ok) throw new Error(`remote write: ${res.status} ${await res.text()}`);
          break;
        } catch (error) {
          // The first batch may arrive before the gateway listens or the partitions have owners.
          if (Date.now() > until || total > batch.series.length * 20) throw error;
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    }
    // Acknowledged means stored in the stream; wait until the heads hold every sample.
    const count = `sum(count_over_time({__name__=~"bench_.*"}[2h]))`;
    for (const until = Date.now() + 300_000; ;) {
      const held = await fetch(
        `${url}/api/v1/query?${new URLSearchParams({ query: count, time: String((END + 1) / 1000) })}`,
        { headers },
      ).then((r) => r.json() as Promise<{ data?: { result: Array<{ value: [number, string] }> } }>);
      if (Number(held.data?.result[0]?.value[1] ?? 0) === total) break;
      if (Date.now() > until) throw new Error(`the heads hold ${JSON.stringify(held)} of ${total}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    console.log(
      `data: ${families().reduce((n, f) => n + f.labels.length, 0)} series (${perMetric} per metric, ${metrics} metrics) x ${POINTS} samples (1 h at 15 s) = ${total} samples, loaded into both in ${((performance.now() - t) / 1000).toFixed(1)} s (Prometheus ${prom.version})`,
    );
    const start = END - 50 * 60_000;
    console.log(
      `range queries over the last 50 min at 15 s steps (201 points), over HTTP, alternating Strata and Prometheus; median of ${runs} after one warm-up pass over every shape`,
    );
    console.log(
      [
        'query',
        'series',
        'strata ms',
        'prometheus ms',
        'ratio of medians',
        'median pair ratio',
        'strata cpu ms',
        'prometheus cpu ms',
        'cpu ratio',
      ].join('\t'),
    );
    const only = process.env.STRATA_BENCH_ONLY?.split(',');
    const ratios: number[] = [];
    const cpuRatios: number[] = [];
    const shapes = PLATFORM_QUERIES.filter(([name]) => !only || only.includes(name));
    // One pass over every shape first, so the first shape timed does not pay for the load's
    // aftermath (garbage, the first head snapshots) or for compiling the engine's code.
    for (const [, query] of shapes) {
      await rangeQuery(url, headers, query, start, END, STEP_MS);
      await rangeQuery(prom.url, {}, query, start, END, STEP_MS);
    }
    for (const [name, query] of shapes) {
      const times: number[][] = [[], []];
      const cpu: number[][] = [[], []];
      const pairRatios: number[] = [];
      const series: number[] = [0, 0];
      const strataPid = strata.pid as number;
      for (let r = 0; r < runs; r++) {
        const c0 = treeCpuMs(strataPid);
        const s = await rangeQuery(url, headers, query, start, END, STEP_MS);
        const c1 = treeCpuMs(strataPid);
        const c2 = cpuMs(prom.pid);
        const p = await rangeQuery(prom.url, {}, query, start, END, STEP_MS);
        cpu[0].push(c1 - c0);
        cpu[1].push(cpuMs(prom.pid) - c2);
        times[0].push(s.ms);
        times[1].push(p.ms);
        pairRatios.push(s.ms / p.ms);
        series[0] = s.series;
        series[1] = p.series;
      }
      const [sm, pm] = times.map(median);
      const [sc, pc] = cpu.map(median);
      cpuRatios.push(sc / pc);
      // Each pair ran back to back, so its ratio is what a loaded machine disturbs least.
      const pair = median(pairRatios);
      ratios.push(pair);
      console.log(
        [
          name,
          series[0] === series[1] ? String(series[0]) : `${series[0]}/${series[1]}`,
          sm.toFixed(1),
          pm.toFixed(1),
          (sm / pm).toFixed(2),
          pair.toFixed(2),
          sc.toFixed(1),
          pc.toFixed(1),
          (sc / pc).toFixed(2),
        ].join('\t'),
      );
    }
    console.log(`median of the pair ratios over the shapes: ${median(ratios).toFixed(2)}`);
    console.log(
      `median of the cpu ratios over the shapes: ${median(cpuRatios).toFixed(2)} (CPU time of all the process' threads during each query, median per shape; Strata's includes its background work)`,
    );
  } finally {
    await stop(strata);
    await prom.stop();
    await bus.drain();
    await nats.process.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  for (const c of children) c.kill();
  process.exit(1);
});
