import { labelsFrom } from '@strata/tsdb';
import {
  type Exemplar,
  type MetricMetadata,
  type WriteBatch,
  type WriteSeries,
} from '@strata/remote-write';
import { STALE_NAN } from '@strata/contracts';

/** Where the data set starts (ms); a fixed instant so every run writes the same samples. */
export const T0 = 1_700_000_000_000;
/** Scrape interval of the data set. */
export const INTERVAL_MS = 15_000;
/** Samples per series (2 h at 15 s). */
export const POINTS = 481;
/**
 * Steps before the first event (reset, gap, stale marker): queries look back at most 45 minutes,
 * so no window reaches the start of the data, where 2.42 and 3 extrapolate rates differently.
 */
export const WARMUP = 240;

/** One series of a data set: labels, values by step and a scrape offset. */
export interface SeriesSpec {
  labels: Record<string, string>;
  /** Steps that carry an exemplar (trace id `t<i>`, the sample's value). */
  exemplarEvery?: number;
  /** Value at step i, or null for a gap. */
  value: (i: number) => number | null;
  /** Per-series scrape offset, so sample times are not all aligned. */
  offsetMs: number;
}

/** A small seeded generator (mulberry32), so every run writes the same values. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function counter(seed: number, rate: number, resetAt: number | null = null): (i: number) => number {
  const r = prng(seed);
  const vals: number[] = [];
  let v = Math.floor(r() * 100);
  for (let i = 0; i < POINTS; i++) {
    if (i === resetAt) v = 0;
    v += Math.floor(r() * rate * 2);
    vals.push(v);
  }
  return (i) => vals[i];
}

const LE = ['0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '+Inf'];

/** The deterministic series of the data set: counters, gauges, classic histograms, gaps and a stale marker. */
export function datasetSeries(): SeriesSpec[] {
  const out: SeriesSpec[] = [];
  let seed = 1;
  ['api', 'web'].forEach((job, j) => {
    for (let inst = 0; inst < 3; inst++) {
      for (const method of ['GET', 'POST']) {
        for (const code of ['200', '500']) {
          const rate = (code === '200' ? 20 : 2) * (method === 'GET' ? 3 : 1) * (j + 1);
          const resetAt =
            job === 'api' && inst === 1 && method === 'GET' && code === '200' ? WARMUP + 120 : null;
          out.push({
            labels: { __name__: 'http_requests_total', job, instance: `i${inst}`, method, code },
            value: counter(seed++, rate, resetAt),
            offsetMs: inst * 1_000 + j * 250,
            ...(method === 'GET' && code === '200' && inst === 0 ? { exemplarEvery: 40 } : {}),
          });
        }
      }
      const r = prng(seed++);
      const noise = Array.from({ length: POINTS }, () => r());
      out.push({
        labels: { __name__: 'node_temperature_celsius', job, instance: `i${inst}` },
        value: (i) =>
          Math.round(
            (20 + 15 * Math.sin(i / 20 + inst) + noise[i] * 3 - (j === 1 ? 25 : 0)) * 1000,
          ) / 1000,
        offsetMs: inst * 1_000 + j * 250,
      });
      out.push({
        labels: { __name__: 'build_info', job, instance: `i${inst}`, version: `1.${inst}.${j}` },
        value: () => 1,
        offsetMs: inst * 1_000 + j * 250,
      });
    }
    // A classic histogram per job: cumulative buckets, _sum and _count.
    const r = prng(seed++);
    const counts = LE.map(() => 0);
    const bucketVals: number[][] = LE.map(() => []);
    const sums: number[] = [];
    let sum = 0;
    for (let i = 0; i < POINTS; i++) {
      const n = 5 + Math.floor(r() * 20);
      for (let k = 0; k < n; k++) {
        const obs = Math.exp(r() * 3 - 3) * (j + 1);
        sum += obs;
        LE.forEach((le, b) => {
          if (le === '+Inf' || obs <= Number(le)) counts[b]++;
        });
      }
      counts.forEach((c, b) => bucketVals[b].push(c));
      sums.push(Math.round(sum * 1e6) / 1e6);
    }
    LE.forEach((le, b) => {
      out.push({
        labels: { __name__: 'request_duration_seconds_bucket', job, le },
        value: (i) => bucketVals[b][i],
        offsetMs: 500 + j * 250,
      });
    });
    out.push({
      labels: { __name__: 'request_duration_seconds_sum', job },
      value: (i) => sums[i],
      offsetMs: 500 + j * 250,
    });
    out.push({
      labels: { __name__: 'request_duration_seconds_count', job },
      value: (i) => bucketVals[LE.length - 1][i],
      offsetMs: 500 + j * 250,
    });
  });
  // Gaps: a gauge missing 10 minutes in the middle and its last quarter.
  for (let inst = 0; inst < 2; inst++) {
    out.push({
      labels: { __name__: 'flaky_gauge', instance: `i${inst}` },
      value: (i) =>
        (i >= WARMUP + 80 && i < WARMUP + 120) || i > WARMUP + 200
          ? null
          : (i % 17) * (inst + 1) - 5,
      offsetMs: 2_000 + inst * 300,
    });
  }
  // A series that ends with a staleness marker 30 min after the warm-up, as a scrape target that disappeared.
  out.push({
    labels: { __name__: 'ephemeral_gauge', id: '1' },
    value: (i) => (i < WARMUP + 120 ? i * 0.5 : i === WARMUP + 120 ? STALE_NAN : null),
    offsetMs: 700,
  });
  out.push({
    labels: { __name__: 'large_values', kind: 'big' },
    value: (i) => 1.5e21 * (i + 1),
    offsetMs: 0,
  });
  out.push({
    labels: { __name__: 'large_values', kind: 'tiny' },
    value: (i) => 1e-7 * (i + 1),
    offsetMs: 0,
  });
  out.push({
    labels: { __name__: 'large_values', kind: 'million' },
    value: (i) => 1e6 + i,
    offsetMs: 0,
  });
  return out;
}

/** Metadata the data set sends with its first batch. */
export const DATASET_METADATA: MetricMetadata[] = [
  { metricFamilyName: 'http_requests_total', type: 'counter', help: 'Requests served.', unit: '' },
  {
    metricFamilyName: 'node_temperature_celsius',
    type: 'gauge',
    help: 'Temperature.',
    unit: 'celsius',
  },
  {
    metricFamilyName: 'request_duration_seconds',
    type: 'histogram',
    help: 'Request latency.',
    unit: 'seconds',
  },
];

/**
 * The data set as remote-write batches, one per `sliceSteps` scrape steps in time order, because
 * Prometheus' head only accepts samples within an hour of the newest one it has seen.
 */
export function datasetBatches(
  specs: SeriesSpec[] = datasetSeries(),
  sliceSteps = 20,
): WriteBatch[] {
  const batches: WriteBatch[] = [];
  for (let from = 0; from < POINTS; from += sliceSteps) {
    const series: WriteSeries[] = [];
    for (const s of specs) {
      const ts: number[] = [];
      // Values go straight into a typed array: JS arrays of doubles canonicalise NaN and would
      // lose the staleness marker's bits.
      const values = new Float64Array(sliceSteps);
      let n = 0;
      const exemplars: Exemplar[] = [];
      for (let i = from; i < Math.min(POINTS, from + sliceSteps); i++) {
        const v = s.value(i);
        if (v === null) continue;
        ts.push(T0 + i * INTERVAL_MS + s.offsetMs);
        values[n++] = v;
        if (s.exemplarEvery !== undefined && i % s.exemplarEvery === 0) {
          exemplars.push({
            labels: labelsFrom({ trace_id: `t${i}` }),
            value: v,
            timestamp: T0 + i * INTERVAL_MS + s.offsetMs,
          });
        }
      }
      if (n > 0)
        series.push({
          labels: labelsFrom(s.labels),
          timestamps: Float64Array.from(ts),
          values: values.subarray(0, n),
          exemplars,
        });
    }
    batches.push({ series, metadata: from === 0 ? DATASET_METADATA : [] });
  }
  return batches;
}
