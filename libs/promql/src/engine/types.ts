import { type Labels } from '../storage/labels';

/** One instant-vector element: labels, timestamp (ms) and value. */
export interface Sample {
  metric: Labels;
  t: number;
  f: number;
  /** Set when `__name__` must be removed before the result leaves the engine (delayed name removal). */
  dropName: boolean;
}

/** A series of points over time; timestamps in ms and values kept in parallel typed arrays. */
export interface Series {
  metric: Labels;
  ts: Float64Array;
  vals: Float64Array;
  /** Number of valid points at the front of `ts`/`vals`. */
  n: number;
  dropName: boolean;
}

/** An instant vector. */
export type Vector = Sample[];

/** A range vector / range-query result. */
export type Matrix = Series[];

/** A scalar result. */
export interface Scalar {
  t: number;
  v: number;
}

/** A string result. */
export interface StringValue {
  t: number;
  v: string;
}

/** What a query returns, tagged by its PromQL type. */
export type QueryValue =
  | { type: 'scalar'; value: Scalar }
  | { type: 'string'; value: StringValue }
  | { type: 'vector'; value: Vector }
  | { type: 'matrix'; value: Matrix };

/** Grows a series' typed arrays so one more point fits. */
export function pushPoint(s: Series, t: number, v: number): void {
  if (s.n === s.ts.length) {
    const cap = Math.max(4, s.ts.length * 2);
    const ts = new Float64Array(cap);
    ts.set(s.ts.subarray(0, s.n));
    const vs = new Float64Array(cap);
    vs.set(s.vals.subarray(0, s.n));
    s.ts = ts;
    s.vals = vs;
  }
  s.ts[s.n] = t;
  s.vals[s.n] = v;
  s.n++;
}

/** A new empty series with room for `cap` points. */
export function newSeries(metric: Labels, dropName: boolean, cap = 0): Series {
  return { metric, ts: new Float64Array(cap), vals: new Float64Array(cap), n: 0, dropName };
}
