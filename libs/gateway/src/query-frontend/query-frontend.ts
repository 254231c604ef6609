import { type PromApiReply } from '@strata/contracts';
import { type Registry } from 'prom-client';
import { type ApiAnswer, fromSerialized } from '../prometheus-api/prometheus-api';
import { mergeRangeBodies, mergeSerializedRanges, type RangeBody } from './merge-range';
import { queryShape, readsUntil } from './query-shape';
import { ResultsCache } from './results-cache';
import { splitByInterval, type RangePart } from './split-by-interval';

/** How the query frontend splits and caches; `queryFrontendOptionsFrom` reads it from the platform env. */
export interface QueryFrontendOptions {
  /** Range queries are split at multiples of this (24 h: by UTC day); 0 does not split. */
  splitIntervalMs: number;
  /** Bytes of results kept in memory across tenants; 0 caches nothing. */
  maxBytes: number;
  /** Results that read samples newer than this before now are never cached (Mimir's `max_cache_freshness`). */
  maxFreshnessMs: number;
  /**
   * How far back a write may still land (the heads' retention): results reading samples within
   * this of now are kept only for `maxFreshnessMs`, as Mimir keeps results in the out-of-order window.
   */
  lateWriteWindowMs: number;
  /** Longest life of any cached result (Mimir's `results_cache_ttl`, 7 d). */
  ttlMs: number;
  /** Parts of one range query asked of the query service at once. */
  maxParallelParts: number;
}

/** The frontend's defaults, as Thanos and Mimir ship theirs. */
export const DEFAULT_QUERY_FRONTEND: QueryFrontendOptions = {
  splitIntervalMs: 24 * 3_600_000,
  maxBytes: 128 * 1024 * 1024,
  maxFreshnessMs: 10 * 60_000,
  lateWriteWindowMs: 24 * 3_600_000,
  ttlMs: 7 * 24 * 3_600_000,
  maxParallelParts: 4,
};

/** What a request's `Cache-Control` allows: reading cached results, and keeping the new one. */
export interface CacheDirective {
  read: boolean;
  write: boolean;
}

/** `no-store` neither reads nor keeps results; `no-cache` recomputes and keeps the fresh result. */
export function cacheDirectiveOf(header: string | string[] | undefined): CacheDirective {
  const tokens = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((t) => t.trim().toLowerCase());
  if (tokens.includes('no-store')) return { read: false, write: false };
  return { read: !tokens.includes('no-cache'), write: true };
}

/** A range request as the frontend sees it; `variant` holds every other parameter that shapes the result. */
export interface RangeRequest {
  query: string;
  startMs: number;
  endMs: number;
  stepMs: number;
  variant: string;
}

/** An instant request as the frontend sees it. */
export interface InstantRequest {
  query: string;
  timeMs: number;
  variant: string;
}

type PartOutcome = { body: RangeBody; answer?: ApiAnswer } | { error: ApiAnswer };

function answerOf(body: PromApiReply<unknown>, serialized = JSON.stringify(body)): ApiAnswer {
  return { statusCode: 200, body, serialized };
}

/**
 * Thanos' and Mimir's query frontend in the gateway, in front of the query service: range queries
 * split by day on their step grid, each part's result and instant results cached per tenant for
 * as long as the samples they read can no longer change, joined into the answer the whole query
 * gets from the query service.
 */
export class QueryFrontend {
  private readonly cache: ResultsCache;

  constructor(
    private readonly options: QueryFrontendOptions,
    registry: Registry,
    private readonly now: () => number = Date.now,
  ) {
    this.cache = new ResultsCache(options.maxBytes, registry, now);
  }

  /** A range query through the split and the cache; `run` asks the query service for one part. */
  async range(
    tenantId: string,
    req: RangeRequest,
    directive: CacheDirective,
    run: (startMs: number, endMs: number) => Promise<ApiAnswer>,
  ): Promise<ApiAnswer> {
    const shape = queryShape(req.query);
    if (!shape.splittable) return run(req.startMs, req.endMs);
    const parts = splitByInterval(req.startMs, req.endMs, req.stepMs, this.options.splitIntervalMs);
    if (parts.length === 1 && !this.cache.enabled) return run(req.startMs, req.endMs);
    const outcomes = await this.inParallel(parts, async (part): Promise<PartOutcome> => {
      const newest = readsUntil(shape, part.endMs);
      const cacheable = this.cache.enabled && newest <= this.now() - this.options.maxFreshnessMs;
      const key = JSON.stringify([
        'range',
        req.query,
        req.stepMs,
        part.startMs,
        part.endMs,
        req.variant,
      ]);
      if (cacheable && directive.read) {
        const hit = this.cache.get('range', tenantId, key);
        if (hit !== undefined) {
          // Parsed only if the parts cannot be joined as text.
          const answer = fromSerialized(hit);
          return {
            get body(): RangeBody {
              return answer.body as RangeBody;
            },
            answer,
          };
        }
      }
      const answer = await run(part.startMs, part.endMs);
      if (answer.statusCode !== 200) return { error: answer };
      if (cacheable && directive.write) {
        const body = answer.body as RangeBody;
        if ((body.warnings ?? []).length === 0)
          this.cache.set(
            tenantId,
            key,
            answer.serialized ?? JSON.stringify(body),
            this.ttl(newest),
          );
      }
      // A lone part that is not cached goes back as the query service wrote it: its text is never parsed.
      return {
        get body(): RangeBody {
          return answer.body as RangeBody;
        },
        answer,
      };
    });
    const failed = outcomes.find((o): o is { error: ApiAnswer } => 'error' in o);
    if (failed !== undefined) return failed.error;
    const done = outcomes as Array<{ body: RangeBody; answer?: ApiAnswer }>;
    // One part goes back as the query service or the cache wrote it, without a second encoding.
    if (done.length === 1 && done[0].answer !== undefined) return done[0].answer;
    // Joined as text when every part has its text: parsing a week of points and writing them
    // again cost more than computing them (tools/bench/blocks/README.md).
    const texts = done.map((o) => o.answer?.serialized);
    if (texts.every((t): t is string => t !== undefined)) {
      const joined = mergeSerializedRanges(texts);
      if (joined !== null) return fromSerialized(joined);
    }
    return answerOf(mergeRangeBodies(done.map((o) => o.body)));
  }

  /** An instant query through the cache, keyed by its exact time; `run` asks the query service. */
  async instant(
    tenantId: string,
    req: InstantRequest,
    directive: CacheDirective,
    run: () => Promise<ApiAnswer>,
  ): Promise<ApiAnswer> {
    const newest = readsUntil(queryShape(req.query), req.timeMs);
    if (!this.cache.enabled || newest > this.now() - this.options.maxFreshnessMs) return run();
    const key = JSON.stringify(['instant', req.query, req.timeMs, req.variant]);
    if (directive.read) {
      const hit = this.cache.get('instant', tenantId, key);
      if (hit !== undefined) return answerOf(JSON.parse(hit) as PromApiReply<unknown>, hit);
    }
    const answer = await run();
    if (answer.statusCode === 200 && directive.write && (answer.body.warnings ?? []).length === 0)
      this.cache.set(
        tenantId,
        key,
        answer.serialized ?? JSON.stringify(answer.body),
        this.ttl(newest),
      );
    return answer;
  }

  /** Forgets a tenant's results: its past changed (a block was uploaded). */
  invalidateTenant(tenantId: string): void {
    this.cache.invalidateTenant(tenantId);
  }

  /** Results that late writes can still change live only as long as the freshness window. */
  private ttl(newestReadMs: number): number {
    const { lateWriteWindowMs, maxFreshnessMs, ttlMs } = this.options;
    return newestReadMs > this.now() - lateWriteWindowMs ? maxFreshnessMs : ttlMs;
  }

  private async inParallel<T>(parts: RangePart[], fn: (p: RangePart) => Promise<T>): Promise<T[]> {
    const out = new Array<T>(parts.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < parts.length) {
        const i = next++;
        out[i] = await fn(parts[i]);
      }
    };
    const n = Math.max(1, Math.min(this.options.maxParallelParts, parts.length));
    await Promise.all(Array.from({ length: n }, () => worker()));
    return out;
  }
}
