/** How an `EventInvalidatedCache` fetches, ages and falls back. */
export interface EventInvalidatedCacheOptions<K, V> {
  /** Asks the source of truth unless `get` is given its own fetch; a rejection is never cached. */
  fetch?: (key: K) => Promise<V>;
  /** How long a fetched value is trusted without an event, in ms (0: not kept). */
  ttlMs: (value: V) => number;
  /** Clock; `Date.now` unless a test drives it. */
  now?: () => number;
  /**
   * Called when a refetch fails while a value is still cached; return true to serve that stale
   * value instead of the error (e.g. writes during a control-plane restart).
   */
  serveStale?: (key: K, error: unknown) => boolean;
}

type Entry<V> = { value: V; expiresAt: number };

/**
 * Values fetched once per key and kept until an event invalidates the key or a TTL lapses.
 * Concurrent misses share one fetch; a generation counter per key keeps a fetch that raced an
 * invalidation from storing the answer it got before the change.
 */
export class EventInvalidatedCache<K, V> {
  private readonly entries = new Map<K, Entry<V>>();
  private readonly pending = new Map<K, Promise<V>>();
  private readonly generation = new Map<K, number>();
  private readonly now: () => number;

  constructor(private readonly options: EventInvalidatedCacheOptions<K, V>) {
    this.now = options.now ?? Date.now;
  }

  /**
   * The cached value while fresh, else a fetch shared by concurrent callers; `fetch` overrides
   * the options' one, e.g. to carry what must not be the key (a secret, a request id).
   */
  get(key: K, fetch?: () => Promise<V>): Promise<V> {
    const cached = this.entries.get(key);
    if (cached && this.now() < cached.expiresAt) return Promise.resolve(cached.value);
    let p = this.pending.get(key);
    if (p) return p;
    const gen = this.generation.get(key) ?? 0;
    const fetchedAt = this.now();
    const ask = fetch ?? (() => this.options.fetch?.(key) ?? Promise.reject(new Error('no fetch')));
    p = ask().then(
      (value) => {
        if (this.pending.get(key) === p) this.pending.delete(key);
        const ttl = this.options.ttlMs(value);
        if ((this.generation.get(key) ?? 0) === gen) {
          if (ttl > 0) this.entries.set(key, { value, expiresAt: fetchedAt + ttl });
          else this.entries.delete(key);
        }
        return value;
      },
      (error: unknown) => {
        if (this.pending.get(key) === p) this.pending.delete(key);
        if (
          cached &&
          (this.generation.get(key) ?? 0) === gen &&
          this.options.serveStale?.(key, error)
        )
          return cached.value;
        throw error;
      },
    );
    this.pending.set(key, p);
    return p;
  }

  /** The value cached for `key` without fetching, fresh or not; undefined when none. */
  peek(key: K): V | undefined {
    return this.entries.get(key)?.value;
  }

  /** The keys that currently hold a value. */
  keys(): IterableIterator<K> {
    return this.entries.keys();
  }

  /** Forgets `key`; a fetch under way for it will not store its answer. */
  invalidate(key: K): void {
    this.generation.set(key, (this.generation.get(key) ?? 0) + 1);
    this.entries.delete(key);
    this.pending.delete(key);
  }

  /** Forgets every key, e.g. after the event feed had a gap. */
  invalidateAll(): void {
    for (const key of [...this.entries.keys(), ...this.pending.keys()]) this.invalidate(key);
  }

  /**
   * Forgets every key whose cached value matches, e.g. all keys of a suspended tenant, and every
   * fetch under way, whose answer may match too.
   */
  invalidateWhere(matches: (value: V) => boolean): void {
    for (const [key, entry] of [...this.entries]) if (matches(entry.value)) this.invalidate(key);
    for (const key of [...this.pending.keys()]) this.invalidate(key);
  }
}
