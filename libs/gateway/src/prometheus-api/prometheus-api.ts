import { BusClient, type Bus } from '@strata/bus';
import {
  PROM_ERROR_STATUS,
  PromApiError,
  QuerySubjects,
  StrataError,
  type PromApiReply,
  type QuerySubject,
  type RequestOf,
  type QueryLimits,
} from '@strata/contracts';
import { exprToJson, parseExpr, ParseError } from '@strata/promql';
import { type CacheDirective, type QueryFrontend } from '../query-frontend/query-frontend';
import { goAtoi } from './cardinality-params';
import { prettyExpr } from './pretty';
import {
  type ApiParams,
  durationParamMs,
  limitParam,
  MAX_TIME_MS,
  MIN_TIME_MS,
  maxSourceResolutionParam,
  partialResponseParam,
  rangeParams,
  timeParam,
  unescapeLabelName,
  validLabelName,
} from './params';

/** The tenant a call was admitted for, with the limits of its quota. */
export interface AdmittedTenant {
  tenantId: string;
  limits?: QueryLimits;
}

/** An HTTP answer: status and Prometheus' response body. */
export interface ApiAnswer {
  statusCode: number;
  body: PromApiReply<unknown>;
  /** The body already serialised by the query service, written as-is (`body` parses it on demand). */
  serialized?: string;
}

/** What the gateway reports at `/api/v1/status/buildinfo`; Grafana reads `version` to pick features. */
export const BUILD_INFO = {
  version: '3.0.0',
  revision: '',
  branch: '',
  buildUser: '',
  buildDate: '',
  goVersion: '',
  application: 'strata',
} as const;

/** Budget of a query that names no `timeout` (Prometheus' default query timeout). */
const DEFAULT_TIMEOUT_MS = 120_000;
/** Extra wait for the reply beyond the query's own budget: the service answers `timeout` itself. */
const REPLY_MARGIN_MS = 5_000;
/** A request that says nothing about caching. */
const USE_CACHE: CacheDirective = { read: true, write: true };

/**
 * Prometheus' query HTTP API over the query service: validates parameters with Prometheus'
 * messages, forwards to the query subjects and maps replies to status codes.
 */
export class PrometheusApi {
  private readonly client: BusClient;

  constructor(
    bus: Bus,
    private readonly now: () => number = Date.now,
    /** Splits and caches instant and range queries; absent, every query goes to the query service whole. */
    private readonly frontend: QueryFrontend | null = null,
  ) {
    this.client = new BusClient(bus);
  }

  /** `/api/v1/query`; `cache` is what the request's `Cache-Control` allows. */
  query(tenant: AdmittedTenant, p: ApiParams, cache = USE_CACHE): Promise<ApiAnswer> {
    return this.answer(async () => {
      const timeMs = timeParam(p, 'time', this.now());
      const timeoutMs = timeoutParam(p);
      const lookbackDeltaMs = durationParamMs(p, 'lookback_delta') ?? undefined;
      const shaping = { lookbackDeltaMs, ...partialResponse(p), ...maxSourceResolution(p) };
      const query = p.get('query');
      const run = (): Promise<ApiAnswer> =>
        this.ask(
          QuerySubjects.instant,
          { ...scope(tenant), query, timeMs, timeoutMs, ...shaping },
          timeoutMs,
        );
      if (this.frontend === null) return run();
      const variant = JSON.stringify(shaping);
      return this.frontend.instant(tenant.tenantId, { query, timeMs, variant }, cache, run);
    });
  }

  /** `/api/v1/query_range`; `cache` is what the request's `Cache-Control` allows. */
  queryRange(tenant: AdmittedTenant, p: ApiParams, cache = USE_CACHE): Promise<ApiAnswer> {
    return this.answer(async () => {
      const range = rangeParams(p);
      const timeoutMs = timeoutParam(p);
      const shaping = { ...partialResponse(p), ...maxSourceResolution(p) };
      const query = p.get('query');
      const run = (startMs: number, endMs: number): Promise<ApiAnswer> =>
        this.ask(
          QuerySubjects.range,
          { ...scope(tenant), query, ...range, startMs, endMs, timeoutMs, ...shaping },
          timeoutMs,
        );
      const limit = tenant.limits?.maxQueryRangeSeconds ?? 0;
      // A range over the tenant's limit goes whole, so the query service refuses it as a whole.
      if (this.frontend === null || (limit > 0 && range.endMs - range.startMs > limit * 1000))
        return run(range.startMs, range.endMs);
      const variant = JSON.stringify(shaping);
      return this.frontend.range(tenant.tenantId, { query, ...range, variant }, cache, run);
    });
  }

  /** `/api/v1/series`. */
  series(tenant: AdmittedTenant, p: ApiParams): Promise<ApiAnswer> {
    return this.answer(async () => {
      const match = p.all('match[]');
      if (match.length === 0) throw new PromApiError('bad_data', 'no match[] parameter provided');
      const window = metadataWindow(p);
      return this.ask(QuerySubjects.series, {
        ...scope(tenant),
        match,
        ...window,
        limit: limitParam(p),
        ...partialResponse(p),
      });
    });
  }

  /** `/api/v1/labels`. */
  labels(tenant: AdmittedTenant, p: ApiParams): Promise<ApiAnswer> {
    return this.answer(async () => {
      const window = metadataWindow(p);
      const payload = {
        ...scope(tenant),
        match: p.all('match[]'),
        ...window,
        limit: limitParam(p),
        ...partialResponse(p),
      };
      return this.ask(QuerySubjects.labelNames, payload);
    });
  }

  /** `/api/v1/label/:name/values`. */
  labelValues(tenant: AdmittedTenant, rawName: string, p: ApiParams): Promise<ApiAnswer> {
    return this.answer(async () => {
      const name = unescapeLabelName(rawName);
      if (!validLabelName(name))
        throw new PromApiError('bad_data', `invalid label name: ${JSON.stringify(name)}`);
      const window = metadataWindow(p);
      const payload = {
        ...scope(tenant),
        name,
        match: p.all('match[]'),
        ...window,
        limit: limitParam(p),
        ...partialResponse(p),
      };
      return this.ask(QuerySubjects.labelValues, payload);
    });
  }

  /** `/api/v1/metadata`. */
  metadata(tenant: AdmittedTenant, p: ApiParams): Promise<ApiAnswer> {
    return this.answer(async () => {
      const int = (name: string): number => {
        const v = p.get(name);
        if (v === '') return -1;
        if (!/^[+-]?\d+$/.test(v))
          throw new PromApiError(
            'bad_data',
            `${name === 'limit' ? 'limit' : 'limit_per_metric'} must be a number`,
          );
        return Number(v);
      };
      const payload = {
        tenantId: tenant.tenantId,
        metric: p.get('metric'),
        limit: int('limit'),
        limitPerMetric: int('limit_per_metric'),
      };
      return this.ask(QuerySubjects.metadata, payload);
    });
  }

  /** `/api/v1/query_exemplars`. */
  queryExemplars(tenant: AdmittedTenant, p: ApiParams): Promise<ApiAnswer> {
    return this.answer(async () => {
      const startMs = timeParam(p, 'start', MIN_TIME_MS);
      const endMs = timeParam(p, 'end', MAX_TIME_MS);
      if (endMs < startMs)
        throw new PromApiError('bad_data', 'end timestamp must not be before start timestamp');
      const query = p.get('query');
      try {
        parseExpr(query);
      } catch (error) {
        if (error instanceof ParseError) throw new PromApiError('bad_data', error.message);
        throw error;
      }
      return this.ask(QuerySubjects.exemplars, { ...scope(tenant), query, startMs, endMs });
    });
  }

  /** `/api/v1/status/tsdb`: the tenant's head cardinality, top lists of `limit` entries (default 10). */
  tsdbStatus(tenant: AdmittedTenant, p: ApiParams): Promise<ApiAnswer> {
    return this.answer(async () => {
      let limit = 10;
      const v = p.get('limit');
      if (v !== '') {
        const n = goAtoi(v);
        if (typeof n === 'string' || n < 1)
          throw new PromApiError('bad_data', 'limit must be a positive number');
        limit = n;
      }
      return this.ask(QuerySubjects.tsdbStatus, { tenantId: tenant.tenantId, limit });
    });
  }

  /** `/api/v1/format_query`: the query pretty-printed by the PromQL printer. */
  formatQuery(p: ApiParams): ApiAnswer {
    return this.parseWith(p, (e) => prettyExpr(e));
  }

  /** `/api/v1/parse_query`: the query's syntax tree as JSON. */
  parseQuery(p: ApiParams): ApiAnswer {
    return this.parseWith(p, (e) => exprToJson(e));
  }

  /** `/api/v1/status/buildinfo`. */
  buildInfo(): ApiAnswer {
    return { statusCode: 200, body: { status: 'success', data: BUILD_INFO } };
  }

  private parseWith(p: ApiParams, render: (e: ReturnType<typeof parseExpr>) => unknown): ApiAnswer {
    try {
      return {
        statusCode: 200,
        body: { status: 'success', data: render(parseExpr(p.get('query'))) },
      };
    } catch (error) {
      if (error instanceof ParseError)
        return fromReply(PromApiError.invalidParam('query', error.message).toReply());
      throw error;
    }
  }

  private async ask<S extends QuerySubject>(
    subject: S,
    payload: RequestOf<S>,
    timeoutMs?: number,
  ): Promise<ApiAnswer> {
    const budget = timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const reply = await this.client.ask(subject, payload, {
      timeoutMs: budget + REPLY_MARGIN_MS,
    });
    if ('serialized' in reply && typeof reply.serialized === 'string')
      return fromSerialized(reply.serialized);
    return fromReply(reply as PromApiReply<unknown>);
  }

  private async answer(run: () => Promise<ApiAnswer>): Promise<ApiAnswer> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof PromApiError) return fromReply(error.toReply());
      if (
        error instanceof StrataError &&
        (error.code === 'timeout' || error.code === 'unavailable')
      ) {
        return fromReply({ status: 'error', errorType: error.code, error: error.message });
      }
      throw error;
    }
  }
}

/** The `timeout` parameter in ms; zero or negative budgets expire at once, as a Go context's would. */
function timeoutParam(p: ApiParams): number | undefined {
  const ms = durationParamMs(p, 'timeout');
  return ms === null ? undefined : Math.max(1, ms);
}

/** `maxSourceResolution` for the payload when the caller chose; absent, raw data only. */
function maxSourceResolution(p: ApiParams): { maxSourceResolution?: number | 'auto' } {
  const v = maxSourceResolutionParam(p);
  return v === null ? {} : { maxSourceResolution: v };
}

/** `partialResponse` for the payload when the caller chose; absent, the query service's default applies. */
function partialResponse(p: ApiParams): { partialResponse?: boolean } {
  const v = partialResponseParam(p);
  return v === null ? {} : { partialResponse: v };
}

function scope(tenant: AdmittedTenant): AdmittedTenant {
  return tenant.limits
    ? { tenantId: tenant.tenantId, limits: tenant.limits }
    : { tenantId: tenant.tenantId };
}

function metadataWindow(p: ApiParams): { startMs: number; endMs: number } {
  return { startMs: timeParam(p, 'start', MIN_TIME_MS), endMs: timeParam(p, 'end', MAX_TIME_MS) };
}

/** A successful reply already serialised: passed through, decoded only if someone reads `body`. */
export function fromSerialized(serialized: string): ApiAnswer {
  let parsed: PromApiReply<unknown> | undefined;
  return {
    statusCode: 200,
    serialized,
    get body(): PromApiReply<unknown> {
      parsed ??= JSON.parse(serialized) as PromApiReply<unknown>;
      return parsed;
    },
  };
}

function fromReply(body: PromApiReply<unknown>): ApiAnswer {
  return { statusCode: body.status === 'success' ? 200 : PROM_ERROR_STATUS[body.errorType], body };
}
