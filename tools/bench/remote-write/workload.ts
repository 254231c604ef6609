import { type Label } from '@strata/tsdb';

/** Metric families the series are spread over. */
export const FAMILIES = 50;

/** Realistic label sets: node-exporter-like families over many instances. */
export function labelsFor(i: number): Label[] {
  return [
    { name: '__name__', value: `node_cpu_seconds_total_${i % FAMILIES}` },
    { name: 'cpu', value: String(i % 16) },
    { name: 'instance', value: `10.1.${(i >> 8) & 255}.${i & 255}:9100` },
    { name: 'job', value: 'node' },
    { name: 'mode', value: ['idle', 'user', 'system', 'iowait'][i % 4] },
  ];
}
