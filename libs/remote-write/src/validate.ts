import { type Label, type Labels, METRIC_NAME } from '@strata/tsdb';
import { RemoteWriteError } from './errors';

/** Limits and rules applied to every decoded request; defaults follow Mimir. */
export interface ValidationOptions {
  /** `utf8` accepts any non-empty UTF-8 label name (Prometheus 3); `legacy` enforces `[a-zA-Z_][a-zA-Z0-9_]*`. */
  readonly nameValidation?: 'utf8' | 'legacy';
  /** Bytes (default 1024). */
  readonly maxLabelNameLength?: number;
  /** Bytes (default 2048). */
  readonly maxLabelValueLength?: number;
  /** Default 30. */
  readonly maxLabelsPerSeries?: number;
  /** Default 10,000. */
  readonly maxSeriesPerRequest?: number;
  /** Decompressed body bytes (default 64 MiB). */
  readonly maxDecompressedBytes?: number;
  /** Treat sample timestamp 0 as missing (proto3 cannot tell unset from 0); default true. */
  readonly rejectZeroTimestamps?: boolean;
}

/** The effective options with every default filled in. */
export type ResolvedValidation = Required<ValidationOptions>;

/** Mimir-like defaults. */
export const DEFAULT_VALIDATION: ResolvedValidation = {
  nameValidation: 'utf8',
  maxLabelNameLength: 1024,
  maxLabelValueLength: 2048,
  maxLabelsPerSeries: 30,
  maxSeriesPerRequest: 10_000,
  maxDecompressedBytes: 64 * 1024 * 1024,
  rejectZeroTimestamps: true,
};

/** Fills in defaults. */
export function resolveValidation(o: ValidationOptions = {}): ResolvedValidation {
  return { ...DEFAULT_VALIDATION, ...o };
}

const LEGACY_LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const LEGACY_METRIC = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

// A UTF-16 unit encodes to 1-3 UTF-8 bytes, so most strings are decided without measuring.
function exceedsBytes(s: string, limit: number): boolean {
  if (s.length > limit) return true;
  if (s.length * 3 <= limit) return false;
  return Buffer.byteLength(s, 'utf8') > limit;
}

function preview(s: string): string {
  return JSON.stringify(s.length > 64 ? `${s.slice(0, 64)}…` : s);
}

/** Names a series in error messages: its index and a shortened label set, so huge values cannot bloat errors. */
export function describeSeries(seriesIdx: number, labels: Labels): string {
  const shown = labels.slice(0, 8).map((l) => `${l.name.slice(0, 64)}=${preview(l.value)}`);
  return `series ${seriesIdx} {${shown.join(', ')}${labels.length > 8 ? ', …' : ''}}`;
}

/**
 * Checks one series' labels against the spec and limits and returns the normalized set; labels
 * with empty values are dropped because Prometheus treats them as absent.
 */
export function normalizeLabels(seriesIdx: number, labels: Label[], o: ResolvedValidation): Labels {
  if (labels.length > o.maxLabelsPerSeries) {
    throw new RemoteWriteError(
      'too_many_labels',
      `${describeSeries(seriesIdx, labels)} has ${labels.length} labels, more than the limit of ${o.maxLabelsPerSeries}`,
    );
  }
  let metricName = '';
  let empties = 0;
  for (let i = 0; i < labels.length; i++) {
    const { name, value } = labels[i];
    if (name === '')
      throw new RemoteWriteError(
        'empty_label_name',
        `${describeSeries(seriesIdx, labels)} has a label with an empty name`,
      );
    if (exceedsBytes(name, o.maxLabelNameLength)) {
      throw new RemoteWriteError(
        'label_name_too_long',
        `${describeSeries(seriesIdx, labels)}: label name ${preview(name)} is longer than ${o.maxLabelNameLength} bytes`,
      );
    }
    if (o.nameValidation === 'legacy' && !LEGACY_LABEL.test(name)) {
      throw new RemoteWriteError(
        'invalid_label_name',
        `${describeSeries(seriesIdx, labels)}: label name ${preview(name)} does not match [a-zA-Z_][a-zA-Z0-9_]*`,
      );
    }
    if (exceedsBytes(value, o.maxLabelValueLength)) {
      throw new RemoteWriteError(
        'label_value_too_long',
        `${describeSeries(seriesIdx, labels)}: value of label ${preview(name)} is longer than ${o.maxLabelValueLength} bytes`,
      );
    }
    if (i > 0) {
      const prev = labels[i - 1].name;
      if (prev === name)
        throw new RemoteWriteError(
          'duplicate_label_name',
          `${describeSeries(seriesIdx, labels)}: duplicate label name ${preview(name)}`,
        );
      if (prev > name)
        throw new RemoteWriteError(
          'labels_not_sorted',
          `${describeSeries(seriesIdx, labels)}: labels not sorted by name (${preview(prev)} before ${preview(name)})`,
        );
    }
    if (name === METRIC_NAME) metricName = value;
    if (value === '') empties++;
  }
  if (metricName === '')
    throw new RemoteWriteError(
      'missing_metric_name',
      `${describeSeries(seriesIdx, labels)} has no (or an empty) ${METRIC_NAME} label`,
    );
  if (o.nameValidation === 'legacy' && !LEGACY_METRIC.test(metricName)) {
    throw new RemoteWriteError(
      'invalid_metric_name',
      `${describeSeries(seriesIdx, labels)}: metric name ${preview(metricName)} does not match [a-zA-Z_:][a-zA-Z0-9_:]*`,
    );
  }
  return empties === 0 ? labels : labels.filter((l) => l.value !== '');
}

/** Refuses a request carrying more series than allowed. */
export function checkSeriesCount(n: number, o: ResolvedValidation): void {
  if (n > o.maxSeriesPerRequest) {
    throw new RemoteWriteError(
      'too_many_series',
      `request has ${n} series, more than the limit of ${o.maxSeriesPerRequest}`,
    );
  }
}

/** Copies timestamps and values into typed arrays, refusing missing (zero) timestamps when configured. */
export function toSampleArrays(
  seriesIdx: number,
  labels: Labels,
  samples: ReadonlyArray<{ value: number; timestamp: unknown }>,
  ts: (x: unknown) => number,
  o: ResolvedValidation,
): { timestamps: Float64Array; values: Float64Array } {
  const n = samples.length;
  const timestamps = new Float64Array(n);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = ts(samples[i].timestamp);
    if (t === 0 && o.rejectZeroTimestamps) {
      throw new RemoteWriteError(
        'missing_timestamp',
        `${describeSeries(seriesIdx, labels)}: sample ${i} has no timestamp`,
      );
    }
    timestamps[i] = t;
    values[i] = samples[i].value;
  }
  return { timestamps, values };
}

/** OpenMetrics caps an exemplar's label set at 128 UTF-8 characters (names and values together). */
export const MAX_EXEMPLAR_LABEL_RUNES = 128;

/** Checks an exemplar's labels: non-empty unique names and at most 128 characters in total. */
export function checkExemplarLabels(
  seriesIdx: number,
  exemplarIdx: number,
  labels: Labels,
): Labels {
  let runes = 0;
  const seen = new Set<string>();
  for (const l of labels) {
    if (l.name === '' || seen.has(l.name)) {
      throw new RemoteWriteError(
        'invalid_exemplar',
        `series ${seriesIdx} exemplar ${exemplarIdx}: empty or duplicate label name ${preview(l.name)}`,
      );
    }
    seen.add(l.name);
    for (const _ of l.name) runes++;
    for (const _ of l.value) runes++;
  }
  if (runes > MAX_EXEMPLAR_LABEL_RUNES) {
    throw new RemoteWriteError(
      'invalid_exemplar',
      `series ${seriesIdx} exemplar ${exemplarIdx}: labels have ${runes} characters, more than ${MAX_EXEMPLAR_LABEL_RUNES}`,
    );
  }
  return labels;
}
