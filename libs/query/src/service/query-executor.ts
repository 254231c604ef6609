import { guardRequest } from './guard-request';
import {
  Engine,
  exprType,
  parseExpr,
  ParseError,
  type Annotations,
  type Expr,
  type Matcher,
  type QueryResult,
  type VectorSelector,
} from '@strata/promql';
import {
  ExemplarsRequest,
  InstantQueryRequest,
  LabelNamesRequest,
  LabelValuesRequest,
  MetadataRequest,
  RangeQueryRequest,
  SeriesRequest,
  type PromApiReply,
  type PromApiSerializedReply,
  type PromExemplars,
  type PromMetricMetadata,
  type PromQueryData,
  type QueryLimits,
  PromApiError,
} from '@strata/contracts';
import { formatGoDuration } from '../engine/go-duration';
import {
  formatPromValue,
  promTimestamp,
  serializeQueryResponse,
  toPromQueryData,
} from '../engine/prom-json';
import { type ReadScope, type SeriesSource } from '../storage/series-source';
import { TenantQueryable } from '../storage/tenant-queryable';
import { matcherAcceptsEmpty } from '../storage/matchers';

/** Settings of the query service's evaluation. */
export interface QueryExecutorOptions {
  /** Budget of a query that names none (Prometheus' default: 2m). */
  defaultTimeoutMs?: number;
  /** Longest budget a caller may ask for. */
  maxTimeoutMs?: number;
  /** How far back instant selectors look (default 5m). */
  lookbackDeltaMs?: number;
  /** Limits of requests that carry none. */
  defaultLimits?: Partial<QueryLimits>;
}

const TRUNCATED = 'results truncated due to limit';

/**
 * Answers the query subjects for any tenant: evaluates PromQL with the engine over the tenant's
 * view of the series source, applies the tenant's limits, and replies in Prometheus' shape.
 */
export class QueryExecutor {
  private readonly defaultTimeoutMs: number;
  private readonly maxTimeoutMs: number;
  private readonly lookbackDeltaMs: number;

  constructor(
    private readonly source: SeriesSource,
    private readonly options: QueryExecutorOptions = {},
  ) {
    this.defaultTimeoutMs = options.defaultTimeoutMs ?? 120_000;
    this.maxTimeoutMs = options.maxTimeoutMs ?? 600_000;
    this.lookbackDeltaMs = options.lookbackDeltaMs ?? 300_000;
  }

  /** `/api/v1/query`. */
  instant(input: unknown): Promise<PromApiReply<PromQueryData>> {
    return guardRequest(InstantQueryRequest, input, async (req) => {
      const expr = parseExpr(req.query);
      const limits = this.limits(req.limits);
      const read = readScope(req.partialResponse, resolutionMs(req.maxSourceResolution, 0));
      const { engine, queryable } = this.prepare(
        req.tenantId,
        limits,
        read,
        req.timeoutMs,
        req.lookbackDeltaMs,
      );
      const res = await engine.instantQuery(queryable, expr, req.timeMs);
      return success(toPromQueryData(res.result), withStoreWarnings(res.annotations, read));
    });
  }

  /** `/api/v1/query_range`. */
  range(input: unknown): Promise<PromApiReply<PromQueryData>> {
    return this.runRange(input, (res, annotations) =>
      success(toPromQueryData(res.result), annotations),
    );
  }

  /** `/api/v1/query_range` as the bus serves it: a successful reply comes already serialised. */
  rangeSerialized(input: unknown): Promise<PromApiReply<PromQueryData> | PromApiSerializedReply> {
    return this.runRange(input, (res, annotations): PromApiSerializedReply => ({
      status: 'success',
      serialized: serializeQueryResponse(res.result, annotations),
    }));
  }

  private runRange<R>(
    input: unknown,
    reply: (res: QueryResult, annotations: Annotations) => R,
  ): Promise<R | PromApiReply<never>> {
    return guardRequest(RangeQueryRequest, input, async (req) => {
      const expr = parseExpr(req.query);
      const type = exprType(expr);
      if (type !== 'scalar' && type !== 'vector') {
        throw PromApiError.invalidParam(
          'query',
          `invalid expression type "${type === 'matrix' ? 'range vector' : type}" for range query, must be Scalar or instant Vector`,
        );
      }
      const limits = this.limits(req.limits);
      const lengthMs = req.endMs - req.startMs;
      if (limits.maxQueryRangeSeconds > 0 && lengthMs > limits.maxQueryRangeSeconds * 1000) {
        throw new PromApiError(
          'bad_data',
          `the query time range exceeds the limit (query length: ${formatGoDuration(lengthMs)}, limit: ${formatGoDuration(limits.maxQueryRangeSeconds * 1000)})`,
        );
      }
      const read = readScope(
        req.partialResponse,
        resolutionMs(req.maxSourceResolution, req.stepMs),
      );
      const { engine, queryable } = this.prepare(req.tenantId, limits, read, req.timeoutMs);
      const res = await engine.rangeQuery(queryable, expr, req.startMs, req.endMs, req.stepMs);
      return reply(res, withStoreWarnings(res.annotations, read));
    });
  }

  /** `/api/v1/series`. */
  series(input: unknown): Promise<PromApiReply<Array<Record<string, string>>>> {
    return guardRequest(SeriesRequest, input, async (req) => {
      const sets = parseMatcherSets(req.match, 'match[]');
      const read = readScope(req.partialResponse);
      const q = new TenantQueryable(
        this.source,
        req.tenantId,
        this.limits(req.limits).maxSeriesPerQuery,
        read,
      ).querier(req.startMs, req.endMs);
      const byKey = new Map<string, Record<string, string>>();
      const hints = { start: req.startMs, end: req.endMs, func: 'series' };
      for (const ms of sets)
        for (const s of await q.select(true, hints, ...ms))
          byKey.set(s.labels.key, s.labels.toRecord());
      const keys = [...byKey.keys()].sort();
      const all = keys.map((k) => byKey.get(k) as Record<string, string>);
      return truncate(all, req.limit, read);
    });
  }

  /** `/api/v1/labels`. */
  labelNames(input: unknown): Promise<PromApiReply<string[]>> {
    return guardRequest(LabelNamesRequest, input, async (req) => {
      const read = readScope(req.partialResponse);
      const q = new TenantQueryable(this.source, req.tenantId, 0, read).querier(
        req.startMs,
        req.endMs,
      );
      const sets = req.match.length > 0 ? parseMatcherSets(req.match) : [[]];
      const names = new Set<string>();
      for (const ms of sets) for (const n of await q.labelNames(...ms)) names.add(n);
      return truncate([...names].sort(), req.limit, read);
    });
  }

  /** `/api/v1/label/<name>/values`. */
  labelValues(input: unknown): Promise<PromApiReply<string[]>> {
    return guardRequest(LabelValuesRequest, input, async (req) => {
      const read = readScope(req.partialResponse);
      const q = new TenantQueryable(this.source, req.tenantId, 0, read).querier(
        req.startMs,
        req.endMs,
      );
      const sets = req.match.length > 0 ? parseMatcherSets(req.match) : [[]];
      const values = new Set<string>();
      for (const ms of sets) for (const v of await q.labelValues(req.name, ...ms)) values.add(v);
      return truncate([...values].sort(), req.limit, read);
    });
  }

  /** `/api/v1/metadata`. */
  metadata(input: unknown): Promise<PromApiReply<Record<string, PromMetricMetadata[]>>> {
    return guardRequest(MetadataRequest, input, async (req) => {
      const all = await this.source.metadata(req.tenantId);
      const out: Record<string, PromMetricMetadata[]> = {};
      let n = 0;
      for (const name of [...all.keys()].sort()) {
        if (req.metric !== undefined && req.metric !== '' && name !== req.metric) continue;
        if (req.limit >= 0 && n >= req.limit) break;
        const list = all.get(name) ?? [];
        out[name] = req.limitPerMetric > 0 ? list.slice(0, req.limitPerMetric) : list;
        n++;
      }
      return { status: 'success', data: out };
    });
  }

  /** `/api/v1/query_exemplars`. */
  exemplars(input: unknown): Promise<PromApiReply<PromExemplars[]>> {
    return guardRequest(ExemplarsRequest, input, async (req) => {
      const selectors = collectSelectors(parseExpr(req.query));
      const sets = selectors.map((vs) =>
        vs.matchers.map((m): Matcher => ({ name: m.name, op: m.op, value: m.value })),
      );
      if (sets.length === 0) return { status: 'success', data: [] };
      const found = await new TenantQueryable(this.source, req.tenantId).exemplars(
        req.startMs,
        req.endMs,
        sets,
      );
      const data = found.map((e) => ({
        seriesLabels: e.seriesLabels,
        exemplars: e.exemplars.map((x) => ({
          labels: x.labels,
          value: formatPromValue(x.value),
          timestamp: promTimestamp(x.timestampMs),
        })),
      }));
      return { status: 'success', data };
    });
  }

  private limits(given: QueryLimits | undefined): QueryLimits {
    const d = this.options.defaultLimits ?? {};
    return {
      maxSamplesPerQuery: given?.maxSamplesPerQuery ?? d.maxSamplesPerQuery ?? 0,
      maxSeriesPerQuery: given?.maxSeriesPerQuery ?? d.maxSeriesPerQuery ?? 0,
      maxQueryRangeSeconds: given?.maxQueryRangeSeconds ?? d.maxQueryRangeSeconds ?? 0,
    };
  }

  private prepare(
    tenantId: string,
    limits: QueryLimits,
    read: ReadScope,
    timeoutMs: number | undefined,
    lookbackDeltaMs?: number,
  ): { engine: Engine; queryable: TenantQueryable } {
    const engine = new Engine({
      timeoutMs: Math.min(timeoutMs ?? this.defaultTimeoutMs, this.maxTimeoutMs),
      lookbackDeltaMs: lookbackDeltaMs ?? this.lookbackDeltaMs,
      ...(limits.maxSamplesPerQuery > 0 ? { maxSamples: limits.maxSamplesPerQuery } : {}),
    });
    return {
      engine,
      queryable: new TenantQueryable(this.source, tenantId, limits.maxSeriesPerQuery, read),
    };
  }
}

function success(data: PromQueryData, annotations: Annotations): PromApiReply<PromQueryData> {
  const { warnings, infos } = annotations;
  return {
    status: 'success',
    data,
    ...(warnings.length > 0 ? { warnings } : {}),
    ...(infos.length > 0 ? { infos } : {}),
  };
}

function truncate<T>(all: T[], limit: number, read: ReadScope): PromApiReply<T[]> {
  const warnings = [...read.warnings];
  if (limit > 0 && all.length > limit)
    return { status: 'success', data: all.slice(0, limit), warnings: [...warnings, TRUNCATED] };
  return { status: 'success', data: all, ...(warnings.length > 0 ? { warnings } : {}) };
}

/** The read scope of one request: its partial response choice (absent: the source's default) and no warnings yet. */
/** Thanos' `auto` downsampling reads data no coarser than a fifth of the step. */
function resolutionMs(param: number | 'auto' | undefined, stepMs: number): number {
  if (param === 'auto') return Math.floor(stepMs / 5);
  return param ?? 0;
}

function readScope(partialResponse: boolean | undefined, maxSourceResolutionMs = 0): ReadScope {
  return {
    ...(partialResponse !== undefined ? { partialResponse } : {}),
    ...(maxSourceResolutionMs > 0 ? { maxSourceResolutionMs } : {}),
    warnings: new Set(),
  };
}

/** The engine's annotations with the stores a partial answer left out appended to its warnings, as Thanos' querier reports them. */
function withStoreWarnings(annotations: Annotations, read: ReadScope): Annotations {
  for (const message of read.warnings) annotations.add({ kind: 'warning', message });
  return annotations;
}

/** Parses `match[]` selectors as Prometheus' `parseMatchersParam` does, with its messages. */
export function parseMatcherSets(
  selectors: readonly string[],
  param: string | null = null,
): Matcher[][] {
  const sets = selectors.map((s) => {
    let e: Expr;
    try {
      e = parseExpr(s);
    } catch (error) {
      if (!(error instanceof ParseError)) throw error;
      throw param !== null
        ? PromApiError.invalidParam(param, error.message)
        : new PromApiError('bad_data', error.message);
    }
    if (e.type !== 'VectorSelector') {
      const msg = `1:1: parse error: expected a metric selector, got ${exprType(e)}`;
      throw param !== null
        ? PromApiError.invalidParam(param, msg)
        : new PromApiError('bad_data', msg);
    }
    return e.matchers.map((m): Matcher => ({ name: m.name, op: m.op, value: m.value }));
  });
  for (const ms of sets) {
    if (ms.every((m) => matcherAcceptsEmpty(m)))
      throw new PromApiError('bad_data', 'match[] must contain at least one non-empty matcher');
  }
  return sets;
}

function collectSelectors(e: Expr): VectorSelector[] {
  switch (e.type) {
    case 'VectorSelector':
      return [e];
    case 'MatrixSelector':
      return [e.vectorSelector];
    case 'SubqueryExpr':
    case 'ParenExpr':
    case 'UnaryExpr':
      return collectSelectors(e.expr);
    case 'BinaryExpr':
      return [...collectSelectors(e.lhs), ...collectSelectors(e.rhs)];
    case 'AggregateExpr':
      return [...collectSelectors(e.expr), ...(e.param ? collectSelectors(e.param) : [])];
    case 'Call':
      return e.args.flatMap((a) => collectSelectors(a));
    case 'NumberLiteral':
    case 'StringLiteral':
      return [];
  }
}
