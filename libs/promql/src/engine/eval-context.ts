// What operators and functions see of the evaluator, declared apart from it so that the
// evaluator can call them without an import circle.
import { type Expr, type VectorSelector } from '../parser/ast';
import { type Labels } from '../storage/labels';
import { type Querier } from '../storage/queryable';
import { type Annotations } from './annotations';
import { type LoadedSeries } from './selectors';
import { type Matrix, type Series, type StringValue, type Vector } from './types';

/** State shared by the evaluators of one query, including nested subquery evaluators. */
export interface QueryContext {
  querier: Querier;
  lookbackMs: number;
  maxSamples: number;
  deadline: number;
  /** Aborts evaluation when signalled (checked with the deadline). */
  signal: AbortSignal | undefined;
  queryStart: number;
  queryEnd: number;
  noStepSubqueryIntervalMs: number;
  enableExperimental: boolean;
  mint: number;
  maxt: number;
  currentSamples: number;
  seriesCache: Map<VectorSelector, LoadedSeries[]>;
  annotations: Annotations;
}

/** What evaluating a node yields: a matrix of step-aligned points (vectors and scalars) or a string. */
export type EvalValue = Matrix | StringValue;

/** The evaluator as operators and functions use it: the step grid, sample accounting and their arguments. */
export interface StepEvaluator {
  readonly ctx: QueryContext;
  readonly start: number;
  readonly end: number;
  readonly interval: number;
  /** Number of evaluation steps. */
  readonly numSteps: number;
  /** Throws once the query deadline has passed or the query was cancelled. */
  checkDeadline(): void;
  /** Adds to the in-memory sample count, failing when over the limit. */
  addSamples(n: number): void;
  /** Evaluates an expression that yields a matrix (any non-string type). */
  evalMatrix(e: Expr): Matrix;
  /**
   * Evaluates an instant selector or a range function call (`rate(x[5m])`, `max_over_time(...)`)
   * one output series at a time, handing each to `sink` in the order `evalMatrix` would list them,
   * in a buffer that may be reused for the next one; false, with nothing evaluated, for any other
   * expression.
   */
  streamSeries(e: Expr, sink: (s: Series) => void): boolean;
  /** Runs `fn` once per step over the vectors of the evaluated arguments (see `Evaluator.rangeEval`). */
  rangeEval(
    fn: (args: Vector[], sigs: string[][] | null, ts: number) => Vector,
    exprs: ReadonlyArray<Expr | null>,
    sig?: (l: Labels) => string,
  ): Matrix;
}
