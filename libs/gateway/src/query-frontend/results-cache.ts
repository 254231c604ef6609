import { LRUCache } from 'lru-cache';
import { Counter, Gauge, type Registry } from 'prom-client';

/** Which API a cached result answers. */
export type CachedKind = 'instant' | 'range';

const HITS = 'strata_query_frontend_cache_hits_total';
const MISSES = 'strata_query_frontend_cache_misses_total';
const BYTES = 'strata_query_frontend_cache_bytes';
const ENTRIES = 'strata_query_frontend_cache_entries';

function single<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

/**
 * Query results by tenant and request, in memory, least recently used first out once their bytes
 * pass `maxBytes`; each entry lives at most its own TTL. The tenant is part of every key, so one
 * tenant's lookups can only ever find its own results.
 */
export class ResultsCache {
  private readonly lru: LRUCache<string, string> | null;
  private readonly hits: Counter<'kind'>;
  private readonly misses: Counter<'kind'>;

  constructor(maxBytes: number, registry: Registry, now: () => number = Date.now) {
    this.lru =
      maxBytes > 0
        ? new LRUCache<string, string>({
            maxSize: maxBytes,
            // UTF-16 in memory; the key is stored too.
            sizeCalculation: (value, key) => 2 * (value.length + key.length) + 64,
            // An entry that alone would take more than a tenth of the cache is not worth keeping.
            maxEntrySize: Math.max(1, Math.floor(maxBytes / 10)),
            // Entries expire on the frontend's clock, the one freshness is judged by.
            perf: { now },
            ttlResolution: 0,
          })
        : null;
    const lru = this.lru;
    this.hits = single(
      registry,
      HITS,
      () =>
        new Counter({
          name: HITS,
          help: 'Query frontend results cache lookups that found a result, by API (instant, range part).',
          labelNames: ['kind'],
          registers: [registry],
        }),
    );
    this.misses = single(
      registry,
      MISSES,
      () =>
        new Counter({
          name: MISSES,
          help: 'Query frontend results cache lookups that found nothing, by API (instant, range part).',
          labelNames: ['kind'],
          registers: [registry],
        }),
    );
    single(
      registry,
      BYTES,
      () =>
        new Gauge({
          name: BYTES,
          help: 'Bytes the query frontend results cache holds.',
          registers: [registry],
          collect() {
            this.set(lru?.calculatedSize ?? 0);
          },
        }),
    );
    single(
      registry,
      ENTRIES,
      () =>
        new Gauge({
          name: ENTRIES,
          help: 'Results the query frontend results cache holds.',
          registers: [registry],
          collect() {
            this.set(lru?.size ?? 0);
          },
        }),
    );
  }

  /** Whether results are kept at all (a size of 0 turns the cache off). */
  get enabled(): boolean {
    return this.lru !== null;
  }

  /** The cached result for `key` of `tenantId`, counted as a hit or a miss. */
  get(kind: CachedKind, tenantId: string, key: string): string | undefined {
    if (this.lru === null) return undefined;
    const found = this.lru.get(`${tenantId}\u0000${key}`);
    (found === undefined ? this.misses : this.hits).inc({ kind });
    return found;
  }

  /** Keeps `value` for `key` of `tenantId` for at most `ttlMs`. */
  set(tenantId: string, key: string, value: string, ttlMs: number): void {
    if (this.lru === null || ttlMs <= 0) return;
    this.lru.set(`${tenantId}\u0000${key}`, value, { ttl: ttlMs });
  }

  /** Forgets every result of `tenantId` (its data changed in the past, e.g. a block upload). */
  invalidateTenant(tenantId: string): void {
    if (this.lru === null) return;
    const prefix = `${tenantId}\u0000`;
    for (const key of [...this.lru.keys()]) if (key.startsWith(prefix)) this.lru.delete(key);
  }
}
