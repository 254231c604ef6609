import { type Labels, type Matcher } from './labels';
import { type PromRegex, compilePromRegex } from '@strata/prom-regex';

/** Optional hints describing what the engine will read, so storage can prune. */
export interface SelectHints {
  start: number;
  end: number;
  step?: number;
  range?: number;
  func?: string;
  grouping?: string[];
  by?: boolean;
}

/** Iterates one series' float samples in ascending timestamp order (same shape as the tsdb iterators). */
export interface SampleIterator {
  /** Advances to the next sample; false when exhausted. */
  next(): boolean;
  /** Advances to the first sample with timestamp >= t; false when none. */
  seek(t: number): boolean;
  /** Timestamp (ms) of the current sample. */
  readonly t: number;
  /** Value of the current sample. */
  readonly v: number;
}

/** Two parallel arrays samples are decoded into, replaced by longer ones when too short (as `@strata/tsdb`'s). */
export interface SampleBuffer {
  ts: Float64Array;
  vs: Float64Array;
}

/** One stored series: its labels and a fresh iterator over its samples. */
export interface StorageSeries {
  readonly labels: Labels;
  iterator(): SampleIterator;
  /**
   * Optional fast path: the same samples as the iterator, as ascending typed arrays (first `n`
   * valid) that the caller only reads. Stores that already hold samples this way offer it so the
   * engine does not copy them through the iterator.
   */
  samples?(): { ts: Float64Array; vs: Float64Array; n: number };
  /**
   * Optional lazy path: writes the iterator's samples into `into` from index 0 (growing its
   * arrays when short) and returns how many. Stores that hold encoded chunks offer it, so the
   * engine decodes each series only when it gets to it, into arrays it reuses.
   */
  decodeInto?(into: SampleBuffer): number;
  /**
   * Set when the samples are aggregates of downsampled blocks that range functions combine
   * otherwise than raw samples: `count` values are sample counts (`count_over_time` sums them);
   * `avg` values are window averages of `weights[i]` samples each (`avg_over_time` weighs them).
   */
  readonly downsampled?: { kind: 'count' } | { kind: 'avg'; weights: Float64Array };
}

/** Reads series within the time window it was opened for. */
export interface Querier {
  /** Series matching every matcher; sorted by labels when `sortSeries` is true. */
  select(
    sortSeries: boolean,
    hints: SelectHints | null,
    ...matchers: Matcher[]
  ): Promise<StorageSeries[]>;
  /** Values of one label across series matching the matchers. */
  labelValues(name: string, ...matchers: Matcher[]): Promise<string[]>;
  /** Label names present on series matching the matchers. */
  labelNames(...matchers: Matcher[]): Promise<string[]>;
  /** Releases resources held by the querier. */
  close(): void;
}

/** Anything the engine can read series from. */
export interface Queryable {
  /** Opens a querier over samples with mint <= t <= maxt. */
  querier(mint: number, maxt: number): Querier;
}

/** Compiles a label regex fully anchored, with `.` matching newlines as Prometheus 3 does (RE2, linear time, shared per pattern). */
export function compileLabelRegex(re: string): PromRegex {
  return compilePromRegex(re);
}

/** Whether a label value (''" when absent) satisfies the matcher. */
export function matchesValue(m: Matcher, v: string): boolean {
  switch (m.op) {
    case '=':
      return v === m.value;
    case '!=':
      return v !== m.value;
    case '=~':
      return compileLabelRegex(m.value).test(v);
    case '!~':
      return !compileLabelRegex(m.value).test(v);
  }
}

/** Whether a label set satisfies every matcher. */
export function matchesAll(lbls: Labels, matchers: readonly Matcher[]): boolean {
  for (const m of matchers) if (!matchesValue(m, lbls.get(m.name))) return false;
  return true;
}
