// The query service's executor alone on the benchmark's data (no Prometheus, no NATS), for quick
// profiling of the engine and the JSON shaping. Run:
//   node [--cpu-prof] -r @swc-node/register tools/bench/promql/in-process.ts [hours=6] [counterSeries=10000] [runs=3] [query-name-filter]
import { MemorySeriesSource, QueryExecutor } from '@strata/query';

const hours = Number(process.argv[2] ?? 6);
const counterSeries = Number(process.argv[3] ?? 10_000);
const runs = Number(process.argv[4] ?? 3);
const only = process.argv[5] ?? '';
const STEP_MS = 15_000;
const T0 = 1_700_000_000_000;
const points = Math.floor((hours * 3600_000) / STEP_MS) + 1;
const END = T0 + (points - 1) * STEP_MS;
const TENANT = 'bench';
const LE = ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '+Inf'];

const QUERIES: Array<[string, string]> = [
  ['rate over all counters', 'rate(bench_requests_total[5m])'],
  ['sum by job', 'sum by (job) (rate(bench_requests_total[5m]))'],
  [
    'histogram_quantile',
    'histogram_quantile(0.99, sum by (le, job) (rate(bench_latency_seconds_bucket[5m])))',
  ],
  ['topk', 'topk(10, rate(bench_requests_total[5m]))'],
  ['subquery', 'max_over_time(sum by (job, instance) (rate(bench_requests_total[5m]))[30m:1m])'],
  [
    'group_left join',
    'sum by (job, instance) (rate(bench_requests_total[5m])) * on(job, instance) group_left(version) bench_build_info',
  ],
];

function load(source: MemorySeriesSource): void {
  const jobs = 10;
  const perJob = Math.max(1, Math.floor(counterSeries / jobs / 10));
  const add = (labels: Record<string, string>, value: (i: number) => number): void => {
    for (let i = 0; i < points; i++) source.append(TENANT, labels, T0 + i * STEP_MS, value(i));
  };
  for (let j = 0; j < jobs; j++) {
    for (let inst = 0; inst < perJob; inst++) {
      for (let path = 0; path < 10; path++) {
        const rate = 1 + ((j * 31 + inst * 7 + path) % 50);
        add(
          {
            __name__: 'bench_requests_total',
            job: `job-${j}`,
            instance: `i-${inst}`,
            path: `/p${path}`,
          },
          (i) => i * rate + ((i * path) % 7),
        );
      }
      add(
        {
          __name__: 'bench_build_info',
          job: `job-${j}`,
          instance: `i-${inst}`,
          version: `v${inst % 3}`,
        },
        () => 1,
      );
    }
    for (let h = 0; h < 10; h++) {
      LE.forEach((le, b) =>
        add(
          { __name__: 'bench_latency_seconds_bucket', job: `job-${j}`, instance: `i-${h}`, le },
          (i) => i * (b + 1) * (h + 1),
        ),
      );
    }
  }
}

async function main(): Promise<void> {
  const source = new MemorySeriesSource();
  load(source);
  const executor = new QueryExecutor(source, { defaultTimeoutMs: 600_000 });
  const range = { startMs: END - 2 * 3600_000, endMs: END, stepMs: 60_000 };
  for (const [name, query] of QUERIES) {
    if (!name.includes(only)) continue;
    // Object reply + JSON.stringify (what executor.range callers pay) and the pre-serialised reply
    // the query service sends over the bus.
    const times: number[] = [];
    const serialized: number[] = [];
    let bytes = 0;
    for (let r = 0; r <= runs; r++) {
      let t = performance.now();
      const reply = await executor.range({ tenantId: TENANT, query, ...range });
      bytes = JSON.stringify(reply).length;
      if (r > 0) times.push(performance.now() - t);
      t = performance.now();
      const raw = await executor.rangeSerialized({ tenantId: TENANT, query, ...range });
      if (!('serialized' in raw) || raw.serialized.length !== bytes)
        throw new Error(`${name}: serialised reply differs`);
      if (r > 0) serialized.push(performance.now() - t);
    }
    const med = (xs: number[]): string =>
      [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)].toFixed(1);
    console.log(
      `${name}\tobject+stringify ${med(times)} ms\tserialised ${med(serialized)} ms\t${bytes} bytes`,
    );
  }
}

void main();
