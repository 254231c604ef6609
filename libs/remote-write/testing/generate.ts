import { TENANT_LABEL } from '@strata/contracts';
import { type Label } from '@strata/tsdb';
import { type WriteBatch, type WriteSeries } from '../src/types';

/** Shape of a synthetic batch for tests, load generators and benchmarks. */
export interface GenerateOptions {
  readonly series: number;
  readonly samplesPerSeries: number;
  readonly seed?: number;
  /** Extra labels per series beyond `__name__`, `instance`, `job` (default 2). */
  readonly extraLabels?: number;
  readonly exemplarEvery?: number;
  readonly startMs?: number;
  readonly stepMs?: number;
  readonly tenant?: string;
}

/** A small deterministic PRNG (mulberry32) so generated batches are reproducible. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Builds a valid, deterministic batch of counter-like series with sorted labels. */
export function generateBatch(o: GenerateOptions): WriteBatch {
  const rand = rng(o.seed ?? 1);
  const start = o.startMs ?? 1_700_000_000_000;
  const step = o.stepMs ?? 15_000;
  const series: WriteSeries[] = [];
  for (let i = 0; i < o.series; i++) {
    const labels: Label[] = [
      { name: '__name__', value: `metric_${i % 50}_total` },
      { name: 'instance', value: `host-${i % 997}:9100` },
      { name: 'job', value: `job-${i % 7}` },
    ];
    for (let k = 0; k < (o.extraLabels ?? 2); k++)
      labels.push({ name: `label_${k}`, value: `v${Math.floor(rand() * 1e6)}` });
    if (o.tenant !== undefined) labels.push({ name: TENANT_LABEL, value: o.tenant });
    labels.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const timestamps = new Float64Array(o.samplesPerSeries);
    const values = new Float64Array(o.samplesPerSeries);
    let v = Math.floor(rand() * 1000);
    for (let j = 0; j < o.samplesPerSeries; j++) {
      timestamps[j] = start + j * step;
      v += Math.floor(rand() * 10);
      values[j] = v;
    }
    const exemplars =
      o.exemplarEvery && i % o.exemplarEvery === 0
        ? [{ labels: [{ name: 'trace_id', value: `t${i}` }], value: v, timestamp: start }]
        : [];
    series.push({ labels, timestamps, values, exemplars });
  }
  return { series, metadata: [] };
}
