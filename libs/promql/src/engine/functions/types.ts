import { type Call } from '../../parser/ast';
import { type Labels } from '../../storage/labels';
import { type Annotations } from '../annotations';
import { type StepEvaluator } from '../eval-context';
import { type Vector } from '../types';

/** Per-step context for functions over instant vectors and scalars. */
export interface VectorCallContext {
  ts: number;
  ev: StepEvaluator;
}

/** A function evaluated once per step; scalar arguments arrive as one-element vectors. */
export type VectorFn = (args: Vector[], call: Call, c: VectorCallContext) => Vector;

/** Context for one call of a range-vector function over one series' window. */
export interface RangeCallContext {
  ts: number;
  rangeStart: number;
  rangeEnd: number;
  rangeMs: number;
  /** Values of the scalar arguments at this step, indexed by argument position. */
  scalars: Float64Array;
  metric: Labels;
  annos: Annotations;
  call: Call;
  /** Number of samples of the current series (its `ts`/`vs` may be longer buffers). */
  seriesLength: number;
  /** The current series' counter resets, built by the first window that needs them. */
  resets: CounterResets;
}

/**
 * Where one series' counter resets are (index i with vs[i] < vs[i - 1]), so a window's reset
 * corrections are found without rescanning it at every step. `clear` at each new series.
 */
export class CounterResets {
  /** `before[i]` = number of resets at indices ≤ i in the series built. */
  private before = new Int32Array(0);
  /** Indices of the resets in order. */
  private at = new Int32Array(0);
  private built = false;

  /** Forgets the series, so the next `count`/`indexAt` builds from the next one's values. */
  clear(): void {
    this.built = false;
  }

  /** Builds the index over `vs[0..n)` unless it already holds the current series. */
  ensure(vs: Float64Array, n: number): void {
    if (this.built) return;
    this.built = true;
    if (this.before.length < n) {
      this.before = new Int32Array(Math.max(n, this.before.length * 2));
      this.at = new Int32Array(this.before.length);
    }
    let k = 0;
    if (n > 0) this.before[0] = 0;
    for (let i = 1; i < n; i++) {
      if (vs[i] < vs[i - 1]) this.at[k++] = i;
      this.before[i] = k;
    }
  }

  /** Index into the reset list of the first reset after `lo`, i.e. at an index in (lo, ...). */
  firstAfter(lo: number): number {
    return this.before[lo];
  }

  /** Index into the reset list one past the last reset at an index < hi. */
  endBefore(hi: number): number {
    return this.before[hi - 1];
  }

  /** The series index of the k-th reset. */
  indexAt(k: number): number {
    return this.at[k];
  }
}

/**
 * A function over the window `ts/vs[lo..hi)` of one series (non-empty); returns the output value
 * or undefined for no output. Works on typed-array views so no per-sample objects are created.
 */
export type RangeFn = (
  ts: Float64Array,
  vs: Float64Array,
  lo: number,
  hi: number,
  c: RangeCallContext,
) => number | undefined;
