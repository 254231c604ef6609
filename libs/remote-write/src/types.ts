import { type Labels } from '@strata/tsdb';

/** Remote write protocol versions this library speaks. */
export type ProtocolVersion = 'v1' | 'v2';

/** Metric types shared by remote write 1.0 and 2.0 metadata (lower-cased OpenMetrics names). */
export type MetricType =
  | 'unknown'
  | 'counter'
  | 'gauge'
  | 'histogram'
  | 'gaugehistogram'
  | 'summary'
  | 'info'
  | 'stateset';

/** Ordered as both protos number their enum values, so the index is the wire value. */
export const METRIC_TYPES: readonly MetricType[] = [
  'unknown',
  'counter',
  'gauge',
  'histogram',
  'gaugehistogram',
  'summary',
  'info',
  'stateset',
];

/** An example observation (e.g. carrying a trace id) attached to a series. */
export interface Exemplar {
  readonly labels: Labels;
  readonly value: number;
  /** Milliseconds since epoch; 0 when the sender gave none. */
  readonly timestamp: number;
}

/** Type, help and unit of a metric family. */
export interface SeriesMetadata {
  readonly type: MetricType;
  readonly help: string;
  readonly unit: string;
}

/** Metadata of a metric family, as remote write 1.0 sends it beside the series. */
export interface MetricMetadata extends SeriesMetadata {
  readonly metricFamilyName: string;
}

/** One validated series of a write: sorted labels and samples in typed arrays. */
export interface WriteSeries {
  readonly labels: Labels;
  /** Sample timestamps in ms, parallel to `values`. */
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
  readonly exemplars: readonly Exemplar[];
  /** Per-series metadata (remote write 2.0 only). */
  readonly metadata?: SeriesMetadata;
  /** Counter start time in ms (remote write 2.0 only; absent when the sender gave 0). */
  readonly createdTimestamp?: number;
}

/** A fully validated, normalized write request, the form the rest of the pipeline consumes. */
export interface WriteBatch {
  readonly series: readonly WriteSeries[];
  /** Family metadata: sent as-is by 1.0, collected from per-series metadata for 2.0. */
  readonly metadata: readonly MetricMetadata[];
}

/** Counts a receiver reports back in `X-Prometheus-Remote-Write-*-Written` headers. */
export interface WriteStats {
  readonly samples: number;
  readonly histograms: number;
  readonly exemplars: number;
}

/** Counts the samples, histograms and exemplars in a batch. */
export function writeStats(batch: WriteBatch): WriteStats {
  let samples = 0;
  let exemplars = 0;
  for (const s of batch.series) {
    samples += s.values.length;
    exemplars += s.exemplars.length;
  }
  return { samples, histograms: 0, exemplars };
}
