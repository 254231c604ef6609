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
