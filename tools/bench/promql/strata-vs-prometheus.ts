// What the benches that time issue 17's shapes against Prometheus share: the series, the
// all-in-one Strata process, CPU time from /proc, and the alternating timing loop that prints
// latency and CPU ratios (tools/bench/promql/platform.ts over the heads, tools/bench/blocks/query.ts
// over blocks).
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type NatsBus } from '@strata/bus';
import { type ControlQueryRequest, DEFAULT_QUOTA, Subjects } from '@strata/contracts';
import { freePort, type RunningNatsServer } from '@strata/devstack';
import { median } from './queries';

const ROOT = join(__dirname, '../../..');
/** The tenant both benches write and query as. */
export const TENANT = 'bench';
/** The admin token the Strata process is started with. */
export const ADMIN_TOKEN = 'bench-admin-token-0123456789';
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

/** One metric's series: their labels and the value of series `s` at sample `i`. */
export interface BenchFamily {
  labels: Array<Record<string, string>>;
  value: (series: number, i: number) => number;
}

/** `metrics - 1` counters of 100 pods × paths, and one histogram by pod and le; about `perMetric` series each. */
export function benchFamilies(perMetric: number, metrics: number): BenchFamily[] {
  const out: BenchFamily[] = [];
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

/** Stands in for the control plane on the bus: one open tenant. */
export function serveTenant(bus: NatsBus): void {
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

/** The Strata process a bench started, and how to reach it. */
export interface BenchStrata {
  child: ChildProcess;
  url: string;
  /** What a tenant's request carries. */
  headers: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * Starts `apps/strata` as `npm start` runs it, minus the control plane the bench stands in for
 * (`serveTenant`), logging into `<dir>/strata.log`. `STRATA_BENCH_PROFILE=<dir>` profiles it into
 * `<dir>/strata-<pid>.cpuprofile`.
 */
export async function startBenchStrata(
  nats: RunningNatsServer,
  dir: string,
  targets: string,
  env: Record<string, string> = {},
): Promise<BenchStrata> {
  const httpPort = await freePort();
  // `--cpu-prof` writes nothing: the platform re-raises SIGTERM to exit. The preload profiles
  // from the start and writes the profile on SIGUSR2, which `stop` sends first.
  const profiling = process.env.STRATA_BENCH_PROFILE !== undefined;
  const profile = profiling ? ['-r', join(ROOT, 'tools/bench/notification/cpu-profile.ts')] : [];
  const logFile = join(dir, 'strata.log');
  const log = openSync(logFile, 'a');
  const child = spawn(
    process.execPath,
    ['-r', '@swc-node/register', ...profile, 'apps/strata/src/main.ts', `--target=${targets}`],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        NATS_URL: nats.url,
        NATS_CREDENTIALS_DIR: nats.credentialsDir,
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: String(httpPort),
        STRATA_ADMIN_TOKEN: ADMIN_TOKEN,
        STRATA_DATA_DIR: join(dir, 'strata'),
        HEALTH_PORT: String(await freePort()),
        SWC_NODE_PROJECT: 'tsconfig.json',
        LOG_LEVEL: 'warn',
        ...env,
      },
      stdio: ['ignore', log, log],
    },
  );
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    if (profiling) {
      child.kill('SIGUSR2');
      for (const until = Date.now() + 60_000; Date.now() < until;) {
        if (readFileSync(logFile, 'utf8').includes('cpu profile written')) break;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await gone;
    clearTimeout(timer);
  };
  return {
    child,
    url: `http://127.0.0.1:${httpPort}`,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'x-scope-orgid': TENANT },
    stop,
  };
}

/**
 * CPU time in ms all threads of a process have used so far (the kernel's per-thread `schedstat`):
 * what a query costs each side, which other jobs on the machine disturb far less than latency.
 */
export function cpuMs(pid: number): number {
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
export function treeCpuMs(pid: number): number {
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

/** A range query's answer as the bench keeps it. */
export interface Answer {
  ms: number;
  series: number;
  body: string;
}

/** One range query over HTTP (`Cache-Control: no-store`: the bench times evaluation, not a cache). */
export async function rangeQuery(
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

/** A side of the comparison: where it answers and which process to charge CPU time to. */
export interface QuerySide {
  url: string;
  headers: Record<string, string>;
  /** CPU ms the side has used so far. */
  cpu: () => number;
}

/**
 * Times each shape (`STRATA_BENCH_ONLY=<name,...>` picks some) `runs` times as pairs, one query to
 * Strata and one to Prometheus back to back, after one pass over every shape, and prints per
 * shape the median latencies, the median pair ratio and the median CPU time of each side.
 */
export async function compareShapes(
  strata: QuerySide,
  prometheus: QuerySide,
  window: { start: number; end: number; step: number },
  runs: number,
  shapes: Array<[string, string]> = PLATFORM_QUERIES,
): Promise<void> {
  const { start, end, step } = window;
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
  const picked = shapes.filter(([name]) => !only || only.includes(name));
  // One pass over every shape first, so the first shape timed does not pay for what came before
  // (garbage, opening blocks) or for compiling the engine's code.
  for (const [, query] of picked) {
    await rangeQuery(strata.url, strata.headers, query, start, end, step);
    await rangeQuery(prometheus.url, prometheus.headers, query, start, end, step);
  }
  const ratios: number[] = [];
  const cpuRatios: number[] = [];
  for (const [name, query] of picked) {
    const times: number[][] = [[], []];
    const cpu: number[][] = [[], []];
    const pairRatios: number[] = [];
    const series: number[] = [0, 0];
    for (let r = 0; r < runs; r++) {
      const c0 = strata.cpu();
      const s = await rangeQuery(strata.url, strata.headers, query, start, end, step);
      const c1 = strata.cpu();
      const c2 = prometheus.cpu();
      const p = await rangeQuery(prometheus.url, prometheus.headers, query, start, end, step);
      cpu[0].push(c1 - c0);
      cpu[1].push(prometheus.cpu() - c2);
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
}
