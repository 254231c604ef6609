/** The tenant's log limits, from its quota. */
export interface LogQuota {
  /** Bytes of lines per UTC day; 0: no limit. */
  logBytesPerDay: number;
  /** Sustained bytes of lines per second; 0: no log ingestion. */
  logIngestionRateBytesPerSecond: number;
  /** Bytes a burst may take above the rate. */
  logIngestionBurstBytes: number;
}

/** Outcome of asking the limiter for room: granted, or refused with the wait and the limit hit. */
export type LogAdmission =
  | { ok: true }
  | {
      ok: false;
      reason: 'log_rate_limited' | 'log_daily_quota';
      retryAfterSeconds: number;
      message: string;
    };

const DAY_MS = 86_400_000;

/** The UTC day of `now` (days since the epoch), the unit `logBytesPerDay` counts in. */
export function utcDay(now: number): number {
  return Math.floor(now / DAY_MS);
}

/** The refusal of a request that would take the tenant past `logBytesPerDay` (`used` bytes today). */
export function dailyQuotaRefusal(quota: LogQuota, used: number, now: number): LogAdmission {
  return {
    ok: false,
    reason: 'log_daily_quota',
    retryAfterSeconds: Math.max(1, Math.ceil(((utcDay(now) + 1) * DAY_MS - now) / 1000)),
    message: `the tenant's log quota of ${quota.logBytesPerDay} bytes per day is used up (${used} used today)`,
  };
}

/**
 * Per-tenant token buckets (bytes/s with a burst) and, unless `countDays` is off (the day is then
 * counted elsewhere, e.g. shared by every gateway), a per-UTC-day byte count, in this process.
 * A request is taken whole or refused whole; one larger than the burst is taken only from a full
 * bucket. `refund` gives back what a request that failed to be stored had taken.
 */
export class LogLimiter {
  private readonly buckets = new Map<string, { tokens: number; last: number }>();
  private readonly days = new Map<string, { day: number; bytes: number }>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly countDays = true,
  ) {}

  /**
   * Takes `bytes` for `tenantId` under `quota`, or says which limit refused and for how long. With
   * `replicas` > 1 this process is one of that many taking requests at random, so its bucket holds
   * 1/N of the rate and burst and the tenant's total holds across them.
   */
  take(tenantId: string, bytes: number, quota: LogQuota, replicas = 1): LogAdmission {
    const now = this.now();
    const day = utcDay(now);
    let used = this.days.get(tenantId);
    if (!used || used.day !== day) {
      used = { day, bytes: 0 };
      this.days.set(tenantId, used);
    }
    if (this.countDays && quota.logBytesPerDay > 0 && used.bytes + bytes > quota.logBytesPerDay)
      return dailyQuotaRefusal(quota, used.bytes, now);
    const rate = quota.logIngestionRateBytesPerSecond / Math.max(1, replicas);
    if (rate <= 0)
      return {
        ok: false,
        reason: 'log_rate_limited',
        retryAfterSeconds: 60,
        message: 'log ingestion is disabled for this tenant (rate 0)',
      };
    const capacity = Math.max(Math.ceil(quota.logIngestionBurstBytes / Math.max(1, replicas)), 1);
    let b = this.buckets.get(tenantId);
    if (!b) {
      b = { tokens: capacity, last: now };
      this.buckets.set(tenantId, b);
    }
    b.tokens = Math.min(capacity, b.tokens + ((now - b.last) / 1000) * rate);
    b.last = now;
    // A request larger than the burst passes on a full bucket and leaves it in debt, so it is
    // neither refused forever (a syslog flush cannot be split by its sender) nor free.
    if (bytes > b.tokens && b.tokens < capacity) {
      const missing = Math.min(bytes, capacity) - b.tokens;
      return {
        ok: false,
        reason: 'log_rate_limited',
        retryAfterSeconds: Math.max(1, Math.ceil(missing / rate)),
        message: `log ingestion rate limit of ${quota.logIngestionRateBytesPerSecond} bytes/s (burst ${quota.logIngestionBurstBytes}) exceeded by a request of ${bytes} bytes`,
      };
    }
    b.tokens -= bytes;
    used.bytes += bytes;
    return { ok: true };
  }

  /** Gives back what `take` granted for a request that was then not stored. */
  refund(tenantId: string, bytes: number): void {
    const b = this.buckets.get(tenantId);
    if (b) b.tokens += bytes;
    const used = this.days.get(tenantId);
    if (used) used.bytes = Math.max(0, used.bytes - bytes);
  }
}
