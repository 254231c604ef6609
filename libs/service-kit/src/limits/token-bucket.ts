/** Outcome of asking a bucket for tokens. */
export type TakeResult = { ok: true } | { ok: false; retryAfterSeconds: number };

/**
 * Per-tenant token buckets for samples/s with a burst, refilled lazily on each request so an idle
 * tenant costs nothing. A request larger than the burst can never fit and is told to wait one
 * full refill, which is what Mimir's distributor does too.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; last: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Takes `n` tokens for `key` under `rate` tokens/s and capacity `burst`, or says how long to wait. */
  take(key: string, n: number, rate: number, burst: number): TakeResult {
    if (rate <= 0) return { ok: false, retryAfterSeconds: 60 };
    const capacity = Math.max(burst, 1);
    const now = this.now();
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: capacity, last: now };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(capacity, b.tokens + ((now - b.last) / 1000) * rate);
    b.last = now;
    if (n <= b.tokens) {
      b.tokens -= n;
      return { ok: true };
    }
    const missing = Math.min(n, capacity) - b.tokens;
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(missing / rate)) };
  }

  /** Gives tokens back, e.g. when the write they paid for failed before anything was stored. */
  refund(key: string, n: number): void {
    const b = this.buckets.get(key);
    if (b) b.tokens += n;
  }
}
