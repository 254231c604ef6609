import { exprType, type Expr, type VectorSelector } from '../parser/ast';
import { parseExpr } from '../parser/parser';
import { compareLabels, METRIC_NAME } from '../storage/labels';
import { type Queryable, type SelectHints } from '../storage/queryable';
import { Annotations } from './annotations';
import { EvalError } from './errors';
import { type QueryContext } from './eval-context';
import { Evaluator } from './evaluator';
import { loadSeries } from './selectors';
import { type Matrix, type QueryValue, type Series, type Vector } from './types';

/** Engine settings; defaults match Prometheus. */
export interface EngineOptions {
  /** How far back an instant selector looks for a sample (default 5m). */
  lookbackDeltaMs?: number;
  /** Wall-clock limit per query (default 2m). */
  timeoutMs?: number;
  /** Most samples a query may hold in memory at once (default 50,000,000). */
  maxSamples?: number;
  /** Allows functions Prometheus marks experimental (default false). */
  enableExperimentalFunctions?: boolean;
  /** Step of subqueries written without one (default 1m, Prometheus' global evaluation interval). */
  noStepSubqueryIntervalMs?: number;
  /** Turns query text into a syntax tree; defaults to the PromQL parser. */
  parse?: (query: string) => Expr;
}

/** Per-query overrides, like the lookback_delta parameter of Prometheus' HTTP API. */
export interface QueryOptions {
  lookbackDeltaMs?: number;
  /** Cancels the query; evaluation stops at the next step with QueryCanceledError. */
  signal?: AbortSignal;
}

/** A query's value plus the warnings and infos gathered while computing it. */
export interface QueryResult {
  result: QueryValue;
  annotations: Annotations;
}

interface Window {
  mint: number;
  maxt: number;
  hints: SelectHints;
}

/** Evaluates PromQL syntax trees against a Queryable with Prometheus 3 semantics. */
export class Engine {
  private readonly opts: Required<EngineOptions>;

  constructor(opts: EngineOptions = {}) {
    this.opts = {
      // Zero or negative means the default, as in Prometheus.
      lookbackDeltaMs:
        opts.lookbackDeltaMs !== undefined && opts.lookbackDeltaMs > 0
          ? opts.lookbackDeltaMs
          : 5 * 60 * 1000,
      timeoutMs: opts.timeoutMs ?? 2 * 60 * 1000,
      maxSamples: opts.maxSamples ?? 50_000_000,
      enableExperimentalFunctions: opts.enableExperimentalFunctions ?? false,
      noStepSubqueryIntervalMs: opts.noStepSubqueryIntervalMs ?? 60 * 1000,
      parse:
        opts.parse ??
        ((q: string): Expr =>
          parseExpr(q, { enableExperimentalFunctions: opts.enableExperimentalFunctions ?? false })),
    };
  }

  /** Evaluates an expression at one point in time. */
  async instantQuery(
    queryable: Queryable,
    expr: Expr | string,
    timeMs: number,
    opts: QueryOptions = {},
  ): Promise<QueryResult> {
    const e = this.toExpr(expr);
    const { ev, annotations } = await this.prepare(queryable, e, timeMs, timeMs, 1, opts);
    const val = ev.eval(e);
    if (!Array.isArray(val)) return { result: { type: 'string', value: val }, annotations };
    const mat = cleanup(val);
    switch (exprType(e)) {
      case 'vector': {
        const vec: Vector = mat.map((s) => ({
          metric: s.metric,
          t: timeMs,
          f: s.vals[0],
          dropName: false,
        }));
        return { result: { type: 'vector', value: vec }, annotations };
      }
      case 'scalar':
        return { result: { type: 'scalar', value: { t: timeMs, v: mat[0].vals[0] } }, annotations };
      case 'matrix':
        mat.sort((a, b) => compareLabels(a.metric, b.metric));
        return { result: { type: 'matrix', value: mat }, annotations };
      case 'string':
        throw new EvalError('unexpected string result');
    }
  }

  /** Evaluates an expression at every step from start to end inclusive. */
  async rangeQuery(
    queryable: Queryable,
    expr: Expr | string,
    startMs: number,
    endMs: number,
    stepMs: number,
    opts: QueryOptions = {},
  ): Promise<QueryResult> {
    const e = this.toExpr(expr);
    const t = exprType(e);
    if (t !== 'scalar' && t !== 'vector') {
      throw new EvalError(
        `invalid expression type "${t === 'matrix' ? 'range vector' : t}" for range query, must be Scalar or instant Vector`,
      );
    }
    if (stepMs <= 0)
      throw new EvalError('zero or negative query resolution step widths are not accepted');
    const { ev, annotations } = await this.prepare(queryable, e, startMs, endMs, stepMs, opts);
    const val = ev.evalMatrix(e);
    const mat = cleanup(val);
    mat.sort((a, b) => compareLabels(a.metric, b.metric));
    return { result: { type: 'matrix', value: mat }, annotations };
  }

  private toExpr(expr: Expr | string): Expr {
    return typeof expr === 'string' ? this.opts.parse(expr) : expr;
  }

  private async prepare(
    queryable: Queryable,
    e: Expr,
    start: number,
    end: number,
    interval: number,
    opts: QueryOptions,
  ): Promise<{ ev: Evaluator; annotations: Annotations }> {
    const lookback =
      opts.lookbackDeltaMs !== undefined && opts.lookbackDeltaMs > 0
        ? opts.lookbackDeltaMs
        : this.opts.lookbackDeltaMs;
    const windows = new Map<VectorSelector, Window>();
    collectWindows(
      e,
      {
        start,
        end,
        lookback,
        subOffset: 0,
        subRange: 0,
        subAt: null,
        func: undefined,
        // Instant queries have no step, as in Prometheus' hints.
        step: start === end && interval === 1 ? 0 : interval,
        group: undefined,
        noStepSubqueryIntervalMs: this.opts.noStepSubqueryIntervalMs,
      },
      windows,
    );
    let mint = Infinity;
    let maxt = -Infinity;
    for (const w of windows.values()) {
      mint = Math.min(mint, w.mint);
      maxt = Math.max(maxt, w.maxt);
    }
    if (windows.size === 0) {
      mint = start;
      maxt = end;
    }
    const querier = queryable.querier(mint, maxt);
    const annotations = new Annotations();
    const ctx: QueryContext = {
      querier,
      lookbackMs: lookback,
      maxSamples: this.opts.maxSamples,
      deadline: Date.now() + this.opts.timeoutMs,
      signal: opts.signal,
      queryStart: start,
      queryEnd: end,
      noStepSubqueryIntervalMs: this.opts.noStepSubqueryIntervalMs,
      enableExperimental: this.opts.enableExperimentalFunctions,
      mint,
      maxt,
      currentSamples: 0,
      seriesCache: new Map(),
      annotations,
    };
    try {
      for (const [vs, w] of windows) {
        ctx.seriesCache.set(
          vs,
          await loadSeries(querier, vs, { ...w.hints, start: w.mint, end: w.maxt }),
        );
      }
    } finally {
      querier.close();
    }
    return { ev: new Evaluator(ctx, start, end, interval), annotations };
  }
}

/** Where a selector sits: accumulated subquery offset/range, a pinning `@`, and the enclosing call. */
interface WalkContext {
  start: number;
  end: number;
  lookback: number;
  subOffset: number;
  subRange: number;
  subAt: number | null;
  func: string | undefined;
  step: number;
  /** Set only for the direct child of an aggregation. */
  group: { by: boolean; labels: string[] } | undefined;
  noStepSubqueryIntervalMs: number;
}

/** Works out, per selector, which sample times evaluation can touch (like Prometheus' FindMinMaxTime). */
function collectWindows(e: Expr, c: WalkContext, out: Map<VectorSelector, Window>): void {
  const resolveAt = (m: {
    timestampMs: number | null;
    startOrEnd: 'start' | 'end' | null;
  }): number | null =>
    m.timestampMs ?? (m.startOrEnd === 'start' ? c.start : m.startOrEnd === 'end' ? c.end : null);
  const addSel = (vs: VectorSelector, range: number): void => {
    const own = resolveAt(vs);
    const at = own ?? c.subAt;
    // A selector's own @ pins it regardless of the subqueries around it.
    const offs = vs.offsetMs + (own === null ? c.subOffset : 0);
    const rng = own === null ? c.subRange : 0;
    // The lower bound is exclusive, so the first millisecond after it is the earliest one needed.
    const mint = (at ?? c.start) - offs - rng - (range > 0 ? range : c.lookback) + 1;
    const maxt = (at ?? c.end) - offs;
    const prev = out.get(vs);
    const hints: SelectHints = { start: mint, end: maxt, step: c.step, range, func: c.func };
    if (c.group !== undefined) {
      hints.by = c.group.by;
      hints.grouping = c.group.labels;
    }
    out.set(
      vs,
      prev
        ? { mint: Math.min(prev.mint, mint), maxt: Math.max(prev.maxt, maxt), hints }
        : { mint, maxt, hints },
    );
  };
  switch (e.type) {
    case 'VectorSelector':
      addSel(e, 0);
      return;
    case 'MatrixSelector':
      addSel(e.vectorSelector, e.rangeMs);
      return;
    case 'SubqueryExpr': {
      const at = resolveAt(e);
      // Selectors inside take the subquery's step; the enclosing function still names them.
      const step = e.stepMs !== 0 ? e.stepMs : c.noStepSubqueryIntervalMs;
      const inner: WalkContext =
        at !== null
          ? { ...c, subOffset: e.offsetMs, subRange: e.rangeMs, subAt: at, step, group: undefined }
          : {
              ...c,
              subOffset: c.subOffset + e.offsetMs,
              subRange: c.subRange + e.rangeMs,
              step,
              group: undefined,
            };
      collectWindows(e.expr, inner, out);
      return;
    }
    case 'ParenExpr':
    case 'UnaryExpr':
      collectWindows(e.expr, { ...c, group: undefined }, out);
      return;
    case 'BinaryExpr':
      collectWindows(e.lhs, { ...c, func: undefined, group: undefined }, out);
      collectWindows(e.rhs, { ...c, func: undefined, group: undefined }, out);
      return;
    case 'AggregateExpr':
      collectWindows(
        e.expr,
        { ...c, func: e.op, group: { by: !e.without, labels: e.grouping } },
        out,
      );
      if (e.param) collectWindows(e.param, { ...c, func: e.op, group: undefined }, out);
      return;
    case 'Call':
      for (const a of e.args) collectWindows(a, { ...c, func: e.func.name, group: undefined }, out);
      return;
    case 'NumberLiteral':
    case 'StringLiteral':
      return;
  }
}

/** Applies delayed `__name__` removal and rejects results that then collide. */
function cleanup(mat: Matrix): Matrix {
  const seen = new Set<string>();
  const out: Series[] = [];
  for (const s of mat) {
    // Dropping the name also drops the type and unit metadata labels, as Prometheus 3 does.
    const metric = s.dropName ? s.metric.without(METRIC_NAME, '__type__', '__unit__') : s.metric;
    if (seen.has(metric.key))
      throw new EvalError('vector cannot contain metrics with the same labelset');
    seen.add(metric.key);
    out.push({ ...s, metric, dropName: false });
  }
  return out;
}
