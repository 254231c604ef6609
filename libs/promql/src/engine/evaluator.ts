import { isStaleNaN } from '@strata/contracts';
import {
  exprType,
  type Call,
  type Expr,
  type MatrixSelector,
  type SubqueryExpr,
  type TimeModifiers,
  type VectorSelector,
  unwrapParens,
} from '../parser/ast';
import { Labels, METRIC_NAME } from '../storage/labels';
import { evalAggregate } from './aggregations';
import { Anno } from './annotations';
import { evalBinary } from './binary-ops';
import { type EvalValue, type QueryContext, type StepEvaluator } from './eval-context';
import { EvalError, QueryCanceledError, QueryTimeoutError, TooManySamplesError } from './errors';
import { evalLabelJoin, evalLabelReplace } from './functions/labels';
import {
  absentLabels,
  ELEMENTWISE_FUNCTIONS,
  MATRIX_FUNCTIONS,
  VECTOR_FUNCTIONS,
} from './functions/registry';
import { RANGE_FUNCTIONS } from './functions/range';
import { CounterResets, type RangeFn } from './functions/types';
import {
  firstAfter,
  lastAtOrBefore,
  materialised,
  SeriesScratch,
  type LoadedSeries,
} from './selectors';
import { newSeries, pushPoint, type Matrix, type Sample, type Series, type Vector } from './types';

/** Evaluates an expression at every step of [start, end], as Prometheus' evaluator does. */
export class Evaluator implements StepEvaluator {
  constructor(
    readonly ctx: QueryContext,
    readonly start: number,
    readonly end: number,
    readonly interval: number,
  ) {}

  /** Number of evaluation steps. */
  get numSteps(): number {
    return Math.floor((this.end - this.start) / this.interval) + 1;
  }

  /** Throws once the query deadline has passed. */
  checkDeadline(): void {
    if (this.ctx.signal?.aborted === true) throw new QueryCanceledError();
    if (Date.now() > this.ctx.deadline) throw new QueryTimeoutError();
  }

  /** Adds to the in-memory sample count, failing when over the limit. */
  addSamples(n: number): void {
    this.ctx.currentSamples += n;
    if (this.ctx.currentSamples > this.ctx.maxSamples) throw new TooManySamplesError();
  }

  /** The fixed evaluation time of an `@` modifier, or null. */
  atTime(m: TimeModifiers): number | null {
    if (m.timestampMs !== null) return m.timestampMs;
    if (m.startOrEnd === 'start') return this.ctx.queryStart;
    if (m.startOrEnd === 'end') return this.ctx.queryEnd;
    return null;
  }

  /** Evaluates an expression that yields a matrix (any non-string type). */
  evalMatrix(e: Expr): Matrix {
    const v = this.eval(e);
    if (!Array.isArray(v)) throw new EvalError(`unexpected string value`);
    return v;
  }

  /** Evaluates one node. */
  eval(e: Expr): EvalValue {
    this.checkDeadline();
    if (this.end < this.start) return [];
    if (
      this.start !== this.end &&
      e.type !== 'NumberLiteral' &&
      e.type !== 'StringLiteral' &&
      isStepInvariant(e)
    ) {
      return this.evalOnceAndRepeat(e);
    }
    switch (e.type) {
      case 'NumberLiteral':
        this.addSamples(this.numSteps);
        return [this.constantSeries(e.value)];
      case 'StringLiteral':
        return { t: this.start, v: e.value };
      case 'ParenExpr':
        return this.eval(e.expr);
      case 'VectorSelector':
        return this.evalVectorSelector(e);
      case 'MatrixSelector':
        return this.evalMatrixSelector(e);
      case 'SubqueryExpr':
        return this.evalSubquery(e);
      case 'UnaryExpr': {
        const m = this.evalMatrix(e.expr);
        if (e.op === '+') return m;
        return m.map((s) => {
          const vals = new Float64Array(s.n);
          for (let i = 0; i < s.n; i++) vals[i] = -s.vals[i];
          return { metric: s.metric, ts: s.ts, vals, n: s.n, dropName: true };
        });
      }
      case 'BinaryExpr':
        return evalBinary(this, e);
      case 'AggregateExpr':
        return evalAggregate(this, e);
      case 'Call':
        return this.evalCall(e);
    }
  }

  /**
   * Evaluates a step-invariant expression (everything pinned by `@`) at the first step only and
   * repeats the result, like Prometheus' StepInvariantExpr; range results are returned as they are.
   */
  private evalOnceAndRepeat(e: Expr): EvalValue {
    const single = new Evaluator(this.ctx, this.start, this.start, this.interval);
    const res = single.eval(e);
    const inner = unwrapParens(e);
    if (!Array.isArray(res) || inner.type === 'MatrixSelector' || inner.type === 'SubqueryExpr')
      return res;
    const numSteps = this.numSteps;
    return res.map((s) => {
      const out = newSeries(s.metric, s.dropName, numSteps);
      const v = s.vals[0];
      pushPoint(out, this.start, v);
      for (let ts = this.start + this.interval; ts <= this.end; ts += this.interval) {
        this.addSamples(1);
        pushPoint(out, ts, v);
      }
      return out;
    });
  }

  /** A single series with the same value at every step and no labels (how scalars travel). */
  constantSeries(v: number): Series {
    const n = this.numSteps;
    const s = newSeries(Labels.EMPTY, false, n);
    for (let t = this.start; t <= this.end; t += this.interval) pushPoint(s, t, v);
    return s;
  }

  /** The materialised series of a selector, loaded once per query. */
  seriesFor(vs: VectorSelector): LoadedSeries[] {
    const s = this.ctx.seriesCache.get(vs);
    // Every selector is loaded before evaluation starts (see preloadSeries).
    if (s === undefined) throw new EvalError('internal error: selector was not preloaded');
    return s;
  }

  /** Looks a series up at a reference time honouring lookback and staleness; index or -1. */
  instantIndex(s: LoadedSeries, refTime: number): number {
    const i = lastAtOrBefore(s.ts, s.n, refTime);
    if (i < 0) return -1;
    if (s.ts[i] <= refTime - this.ctx.lookbackMs) return -1;
    const v = s.vs[i];
    if (v !== v && isStaleNaN(v)) return -1;
    return i;
  }

  /** `sink` given: each series goes there in one reused buffer instead of into the result. */
  private evalVectorSelector(vs: VectorSelector, sink?: (s: Series) => void): Matrix {
    const loaded = this.seriesFor(vs);
    const at = this.atTime(vs);
    const out: Matrix = [];
    const lookback = this.ctx.lookbackMs;
    const numSteps = this.numSteps;
    const reused: Series | null =
      sink === undefined ? null : newSeries(Labels.EMPTY, false, numSteps);
    const scratch = new SeriesScratch();
    for (const held of loaded) {
      this.checkDeadline();
      const s = scratch.samplesOf(held);
      if (at !== null) {
        const i = this.instantIndex(s, at - vs.offsetMs);
        if (i < 0) continue;
        const ss = newSeries(s.labels, false, numSteps);
        for (let ts = this.start; ts <= this.end; ts += this.interval) pushPoint(ss, ts, s.vs[i]);
        this.addSamples(ss.n);
        if (sink !== undefined) sink(ss);
        else out.push(ss);
        continue;
      }
      // Reference times only move forward with the steps: the sample index slides, no search per step.
      const sts = s.ts;
      const svs = s.vs;
      const sn = s.n;
      let ss: Series | null = null;
      let i = -1;
      for (let ts = this.start; ts <= this.end; ts += this.interval) {
        const ref = ts - vs.offsetMs;
        while (i + 1 < sn && sts[i + 1] <= ref) i++;
        if (i < 0 || sts[i] <= ref - lookback) continue;
        const v = svs[i];
        if (v !== v && isStaleNaN(v)) continue;
        if (ss === null) {
          if (reused !== null) {
            ss = reused;
            ss.metric = s.labels;
            ss.n = 0;
          } else ss = newSeries(s.labels, false, numSteps);
        }
        ss.ts[ss.n] = ts;
        ss.vals[ss.n] = v;
        ss.n++;
      }
      if (ss !== null) {
        this.addSamples(ss.n);
        if (sink !== undefined) sink(ss);
        else out.push(ss);
      }
    }
    return out;
  }

  private evalMatrixSelector(ms: MatrixSelector): Matrix {
    const vs = ms.vectorSelector;
    const at = this.atTime(vs);
    const refEnd = (at ?? this.start) - vs.offsetMs;
    const out: Matrix = [];
    const scratch = new SeriesScratch();
    for (const held of this.seriesFor(vs)) {
      const s = scratch.samplesOf(held);
      const lo = firstAfter(s.rts, s.rn, refEnd - ms.rangeMs);
      const hi = firstAfter(s.rts, s.rn, refEnd);
      if (hi <= lo) continue;
      this.addSamples(hi - lo);
      out.push({
        metric: s.labels,
        ts: s.rts.slice(lo, hi),
        vals: s.rvs.slice(lo, hi),
        n: hi - lo,
        dropName: false,
      });
    }
    return out;
  }

  /** Evaluates a subquery's inner expression on its own step-aligned grid. */
  evalSubquery(e: SubqueryExpr): Matrix {
    const at = this.atTime(e);
    const baseStart = at ?? this.start;
    const baseEnd = at ?? this.end;
    const interval = e.stepMs !== 0 ? e.stepMs : this.ctx.noStepSubqueryIntervalMs;
    const lowest = baseStart - e.offsetMs - e.rangeMs;
    let start = interval * Math.trunc(lowest / interval);
    if (start <= lowest) start += interval;
    const inner = new Evaluator(this.ctx, start, baseEnd - e.offsetMs, interval);
    return inner.evalMatrix(e.expr);
  }

  /**
   * Runs `fn` once per step over vectors gathered from the evaluated arguments, assembling the
   * output series; `sig` precomputes a matching signature per input series (binary operators).
   */
  rangeEval(
    fn: (args: Vector[], sigs: string[][] | null, ts: number) => Vector,
    exprs: ReadonlyArray<Expr | null>,
    sig?: (l: Labels) => string,
  ): Matrix {
    const before = this.ctx.currentSamples;
    const mats: Matrix[] = exprs.map((e) =>
      e !== null && exprType(e) !== 'string' ? this.evalMatrix(e) : [],
    );
    const cursors = mats.map((m) => new Int32Array(m.length));
    const reuse: Sample[][] = mats.map((m) =>
      m.map((s) => ({ metric: s.metric, t: 0, f: 0, dropName: s.dropName })),
    );
    const seriesSigs = sig ? mats.map((m) => m.map((s) => sig(s.metric))) : null;
    const out = new Map<string, { s: Series; last: number }>();
    const args: Vector[] = mats.map(() => []);
    const sigs: string[][] | null = seriesSigs ? mats.map(() => []) : null;
    const numSteps = this.numSteps;
    let held = this.ctx.currentSamples;
    for (let ts = this.start; ts <= this.end; ts += this.interval) {
      this.checkDeadline();
      this.ctx.currentSamples = held;
      for (let i = 0; i < mats.length; i++) {
        const m = mats[i];
        // Per-step vectors reuse their arrays; functions return new arrays, never their inputs.
        const vec = args[i];
        vec.length = 0;
        const sg: string[] | null = sigs ? sigs[i] : null;
        if (sg) sg.length = 0;
        const cur = cursors[i];
        for (let j = 0; j < m.length; j++) {
          const s = m[j];
          const c = cur[j];
          if (c < s.n && s.ts[c] === ts) {
            const smp = reuse[i][j];
            smp.t = ts;
            smp.f = s.vals[c];
            vec.push(smp);
            if (sg && seriesSigs) sg.push(seriesSigs[i][j]);
            cur[j] = c + 1;
          }
        }
      }
      const result = fn(args, sigs, ts);
      this.addSamples(result.length);
      held += result.length;
      if (this.start === this.end) {
        this.ctx.currentSamples = before + result.length;
        return result.map((r) => {
          const s = newSeries(r.metric, r.dropName, 1);
          pushPoint(s, ts, r.f);
          return s;
        });
      }
      for (const r of result) {
        const k = r.metric.key;
        let o = out.get(k);
        if (o === undefined) {
          o = { s: newSeries(r.metric, r.dropName, numSteps), last: -Infinity };
          out.set(k, o);
        } else if (o.last === ts) {
          throw new EvalError('vector cannot contain metrics with the same labelset');
        }
        o.last = ts;
        pushPoint(o.s, ts, r.f);
      }
    }
    const res = [...out.values()].map((o) => o.s);
    this.ctx.currentSamples = before + res.reduce((a, s) => a + s.n, 0);
    return res;
  }

  streamSeries(expr: Expr, sink: (s: Series) => void): boolean {
    const e = unwrapParens(expr);
    if (e.type === 'VectorSelector') {
      this.evalVectorSelector(e, sink);
      return true;
    }
    if (e.type !== 'Call') return false;
    const name = e.func.name;
    if (
      (e.func.experimental && !this.ctx.enableExperimental) ||
      name === 'absent_over_time' ||
      MATRIX_FUNCTIONS[name] === undefined
    )
      return false;
    for (let i = 0; i < e.args.length; i++) {
      const a = unwrapParens(e.args[i]);
      if (a.type === 'MatrixSelector' || a.type === 'SubqueryExpr') {
        this.evalMatrixCall(e, i, sink);
        return true;
      }
    }
    return false;
  }

  private evalCall(e: Call): EvalValue {
    const name = e.func.name;
    if (e.func.experimental && !this.ctx.enableExperimental) {
      throw new EvalError(`function "${name}" is not enabled`);
    }
    if (name === 'timestamp') {
      const arg = unwrapParens(e.args[0]);
      if (arg.type === 'VectorSelector') return this.evalTimestampOfSelector(arg);
    }
    if (name === 'label_replace') return evalLabelReplace(this, e);
    if (name === 'label_join') return evalLabelJoin(this, e);

    let matrixIdx = -1;
    for (let i = 0; i < e.args.length; i++) {
      const a = unwrapParens(e.args[i]);
      if (a.type === 'MatrixSelector' || a.type === 'SubqueryExpr') {
        matrixIdx = i;
        break;
      }
    }
    if (matrixIdx < 0) {
      const ew = ELEMENTWISE_FUNCTIONS[name];
      if (ew !== undefined && e.args.length === 1) return this.evalElementwise(e.args[0], ew);
      const vf = VECTOR_FUNCTIONS[name];
      if (vf === undefined) throw new EvalError(`function "${name}" is not supported`);
      return this.rangeEval((args, _s, ts) => vf(args, e, { ts, ev: this }), e.args);
    }
    return this.evalMatrixCall(e, matrixIdx);
  }

  /** Maps every point of every series; per-step gathering would give the same result, slower. */
  private evalElementwise(arg: Expr, f: (v: number) => number): Matrix {
    const before = this.ctx.currentSamples;
    let total = 0;
    const out = this.evalMatrix(arg).map((s) => {
      const vals = new Float64Array(s.n);
      for (let i = 0; i < s.n; i++) vals[i] = f(s.vals[i]);
      total += s.n;
      return { metric: s.metric, ts: s.ts, vals, n: s.n, dropName: true };
    });
    // Input and output are both held at the peak, then the input is released.
    this.addSamples(total);
    this.ctx.currentSamples = before + total;
    return out;
  }

  private evalTimestampOfSelector(vs: VectorSelector): Matrix {
    // Every step reads every series, so each is decoded once into arrays of its own.
    const loaded = this.seriesFor(vs).map(materialised);
    const at = this.atTime(vs);
    return this.rangeEval((_a, _s, ts) => {
      const out: Vector = [];
      for (const s of loaded) {
        const i = this.instantIndex(s, (at ?? ts) - vs.offsetMs);
        if (i < 0) continue;
        out.push({ metric: s.labels, t: ts, f: s.ts[i] / 1000, dropName: true });
      }
      this.addSamples(out.length);
      return out;
    }, []);
  }

  /** `sink` given: each output series goes there in one reused buffer instead of into the result. */
  private evalMatrixCall(e: Call, matrixIdx: number, sink?: (s: Series) => void): Matrix {
    const name = e.func.name;
    const fn = MATRIX_FUNCTIONS[name];
    if (fn === undefined) throw new EvalError(`function "${name}" is not supported`);
    const arg = unwrapParens(e.args[matrixIdx]) as MatrixSelector | SubqueryExpr;
    const others: (Matrix | null)[] = e.args.map((a, i) =>
      i === matrixIdx || exprType(a) === 'string' ? null : this.evalMatrix(a),
    );
    // Range functions read `rts/rvs/rn`: a selector's samples without staleness markers, or a subquery's points.
    let source: LoadedSeries[];
    let mods: TimeModifiers;
    let rangeMs: number;
    let subquerySamples = 0;
    if (arg.type === 'MatrixSelector') {
      source = this.seriesFor(arg.vectorSelector);
      mods = arg.vectorSelector;
      rangeMs = arg.rangeMs;
    } else {
      source = this.evalSubquery(arg).map((s) => ({
        labels: s.metric,
        ts: s.ts,
        vs: s.vals,
        n: s.n,
        rts: s.ts,
        rvs: s.vals,
        rn: s.n,
      }));
      for (const s of source) subquerySamples += s.n;
      mods = arg;
      rangeMs = arg.rangeMs;
    }
    const at = this.atTime(mods);
    const dropName = name !== 'last_over_time';
    const numSteps = this.numSteps;
    const scalarArgs = new Float64Array(e.args.length);
    const out: Matrix = [];
    const annos = this.ctx.annotations;
    const callCtx = {
      ts: 0,
      rangeStart: 0,
      rangeEnd: 0,
      rangeMs,
      scalars: scalarArgs,
      metric: Labels.EMPTY,
      annos,
      call: e,
      seriesLength: 0,
      resets: new CounterResets(),
    };
    // The current window stays counted until the next series starts, as Prometheus' buffer does.
    let held = 0;
    const reused: Series | null =
      sink === undefined ? null : newSeries(Labels.EMPTY, dropName, numSteps);
    const scratch = new SeriesScratch();
    for (const loaded of source) {
      this.checkDeadline();
      this.ctx.currentSamples -= held;
      held = 0;
      const s = scratch.samplesOf(loaded);
      const rfn = (arg.type === 'MatrixSelector' ? downsampledFn(name, s) : undefined) ?? fn;
      let ss: Series | null = null;
      let step = -1;
      callCtx.metric = s.labels;
      callCtx.seriesLength = s.rn;
      callCtx.resets.clear();
      const sts = s.rts;
      const svs = s.rvs;
      const sn = s.rn;
      // Window ends only move forward with the steps: both bounds slide instead of searching.
      let lo = -1;
      let hi = -1;
      for (let ts = this.start; ts <= this.end; ts += this.interval) {
        step++;
        for (let j = 0; j < others.length; j++) {
          const o = others[j];
          if (o !== null) scalarArgs[j] = o.length > 0 ? o[0].vals[step] : NaN;
        }
        const refEnd = (at ?? ts) - mods.offsetMs;
        const from = refEnd - rangeMs;
        if (lo < 0) {
          lo = firstAfter(sts, sn, from);
          hi = Math.max(lo, firstAfter(sts, sn, refEnd));
        } else {
          while (lo < sn && sts[lo] <= from) lo++;
          if (hi < lo) hi = lo;
          while (hi < sn && sts[hi] <= refEnd) hi++;
        }
        this.addSamples(hi - lo - held);
        held = hi - lo;
        if (hi <= lo) continue;
        callCtx.ts = ts;
        callCtx.rangeStart = refEnd - rangeMs;
        callCtx.rangeEnd = refEnd;
        const v = rfn(sts, svs, lo, hi, callCtx);
        if (v === undefined) continue;
        if (ss === null) {
          if (reused !== null) {
            ss = reused;
            ss.metric = s.labels;
            ss.n = 0;
          } else ss = newSeries(s.labels, dropName, numSteps);
        }
        ss.ts[ss.n] = ts;
        ss.vals[ss.n] = v;
        ss.n++;
      }
      if (ss !== null) {
        // Counted as if held, so a limit trips exactly where the materialised result would.
        this.addSamples(ss.n);
        if (sink !== undefined) sink(ss);
        else out.push(ss);
        if (name === 'rate' || name === 'increase') {
          const mn = s.labels.get(METRIC_NAME);
          if (
            mn !== '' &&
            !mn.endsWith('_total') &&
            !mn.endsWith('_sum') &&
            !mn.endsWith('_count') &&
            !mn.endsWith('_bucket')
          ) {
            annos.add(Anno.possibleNonCounter(mn));
          }
        }
      }
    }
    // The last window and the subquery's points are released once the function has consumed them.
    this.ctx.currentSamples -= held + subquerySamples;
    if (name === 'absent_over_time') {
      const found = new Set<number>();
      for (const s of out) for (let i = 0; i < s.n; i++) found.add(s.ts[i]);
      if (found.size === numSteps) return [];
      const res = newSeries(absentLabels(arg), true, numSteps);
      for (let ts = this.start; ts <= this.end; ts += this.interval)
        if (!found.has(ts)) pushPoint(res, ts, 1);
      return [res];
    }
    return out;
  }
}

/** Functions whose result depends on the evaluation time even when their arguments do not. */
export const AT_MODIFIER_UNSAFE: ReadonlySet<string> = new Set([
  'days_in_month',
  'day_of_month',
  'day_of_week',
  'day_of_year',
  'hour',
  'minute',
  'month',
  'year',
  'predict_linear',
  'time',
  'timestamp',
]);

const invariantCache = new WeakMap<Expr, boolean>();

/** Prometheus' step-invariance rule: every selector pinned by `@`, no time-dependent function. */
function isStepInvariant(e: Expr): boolean {
  const cached = invariantCache.get(e);
  if (cached !== undefined) return cached;
  let r: boolean;
  switch (e.type) {
    case 'VectorSelector':
      r = e.timestampMs !== null || e.startOrEnd !== null;
      break;
    case 'MatrixSelector':
      r = isStepInvariant(e.vectorSelector);
      break;
    case 'SubqueryExpr':
      r = e.timestampMs !== null || e.startOrEnd !== null;
      break;
    case 'AggregateExpr':
      // Prometheus looks only at the aggregated expression, not at the parameter.
      r = isStepInvariant(e.expr);
      break;
    case 'BinaryExpr': {
      const l = isStepInvariant(e.lhs);
      const rr = isStepInvariant(e.rhs);
      r = l && rr;
      break;
    }
    case 'Call': {
      let all = !AT_MODIFIER_UNSAFE.has(e.func.name);
      for (const a of e.args) all = isStepInvariant(a) && all;
      r = all;
      break;
    }
    case 'ParenExpr':
    case 'UnaryExpr':
      r = isStepInvariant(e.expr);
      break;
    case 'NumberLiteral':
    case 'StringLiteral':
      r = true;
      break;
  }
  invariantCache.set(e, r);
  return r;
}

/**
 * Over downsampled aggregates a few functions combine windows instead of samples: the count of a
 * range is the sum of the windows' counts, its average the windows' averages weighted by their
 * counts. Every other function reads the aggregate the store chose for it as it reads samples.
 */
function downsampledFn(name: string, s: LoadedSeries): RangeFn | undefined {
  if (s.agg === 'count' && name === 'count_over_time') return RANGE_FUNCTIONS.sum_over_time;
  const w = s.rws;
  if (s.agg === 'avg' && w !== undefined && name === 'avg_over_time')
    return (_ts, vs, lo, hi) => {
      let sum = 0;
      let count = 0;
      for (let i = lo; i < hi; i++) {
        sum += vs[i] * w[i];
        count += w[i];
      }
      return sum / count;
    };
  return undefined;
}
