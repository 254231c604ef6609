import { KvKeyExistsError, type KvBucket, KvRevisionConflictError } from '@strata/bus';
import { type LogDailyBytes, logDailyBytesKey } from '@strata/contracts';
import { dailyQuotaRefusal, type LogAdmission, type LogQuota, utcDay } from './limits';

/** Compare-and-set rounds before giving up on a key other writers keep changing. */
const MAX_ROUNDS = 64;

/**
 * Each tenant's log bytes of the UTC day in a KV bucket shared by every gateway replica, added
 * with compare-and-set: a request is added only if the day's total stays within
 * `logBytesPerDay`, so the cap holds exactly however many replicas count.
 */
export class SharedDailyBytes {
  constructor(
    private readonly bucket: KvBucket,
    private readonly now: () => number = Date.now,
  ) {}

  /** Adds `bytes` to the tenant's day, or refuses without adding if that would pass the quota. */
  async take(tenantId: string, bytes: number, quota: LogQuota): Promise<LogAdmission> {
    if (quota.logBytesPerDay <= 0) return { ok: true };
    const now = this.now();
    const key = logDailyBytesKey(tenantId, utcDay(now));
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const current = await this.bucket.get(key);
      const used = current ? current.json<LogDailyBytes>().bytes : 0;
      if (used + bytes > quota.logBytesPerDay) return dailyQuotaRefusal(quota, used, now);
      if (await this.write(key, current?.revision ?? null, used + bytes)) return { ok: true };
    }
    throw new Error(`the log day total of ${tenantId} kept changing under ${MAX_ROUNDS} writes`);
  }

  /** Takes back `bytes` from the tenant's day for a request that was then not stored. */
  async refund(tenantId: string, bytes: number, quota: LogQuota): Promise<void> {
    if (quota.logBytesPerDay <= 0) return;
    // The day of the refund: a request that failed across midnight gives back to the new day.
    const key = logDailyBytesKey(tenantId, utcDay(this.now()));
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const current = await this.bucket.get(key);
      if (current === null) return;
      const used = current.json<LogDailyBytes>().bytes;
      if (await this.write(key, current.revision, Math.max(0, used - bytes))) return;
    }
  }

  /** Writes `bytes` if the key is still at `revision` (absent when null); false if another won. */
  private async write(key: string, revision: number | null, bytes: number): Promise<boolean> {
    const value: LogDailyBytes = { bytes };
    try {
      if (revision === null) await this.bucket.create(key, value);
      else await this.bucket.update(key, value, revision);
      return true;
    } catch (error) {
      if (error instanceof KvRevisionConflictError || error instanceof KvKeyExistsError)
        return false;
      throw error;
    }
  }
}
