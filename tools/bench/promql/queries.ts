/** The range queries both PromQL latency benchmarks time (name, query), over the `bench_*` series they generate. */
export const BENCH_QUERIES: Array<[string, string]> = [
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

/** The median of a non-empty list. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
