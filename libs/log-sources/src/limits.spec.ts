import { LogLimiter, type LogQuota } from './limits';

describe('LogLimiter', () => {
  let now = Date.UTC(2024, 0, 1, 23, 59, 0);
  const quota: LogQuota = {
    logBytesPerDay: 10_000,
    logIngestionRateBytesPerSecond: 1_000,
    logIngestionBurstBytes: 5_000,
  };

  it('refuses a request past the burst with the wait for the missing tokens, then refills', () => {
    const limiter = new LogLimiter(() => now);
    expect(limiter.take('t', 4_000, quota)).toEqual({ ok: true });
    expect(limiter.take('t', 3_000, quota)).toMatchObject({
      ok: false,
      reason: 'log_rate_limited',
      retryAfterSeconds: 2,
    });
    now += 2_000;
    expect(limiter.take('t', 3_000, quota)).toEqual({ ok: true });
  });

  it('refuses past the daily bytes until the next UTC day, and counts refunds back', () => {
    const limiter = new LogLimiter(() => now);
    const open = { ...quota, logIngestionBurstBytes: 1e9, logIngestionRateBytesPerSecond: 1e9 };
    expect(limiter.take('d', 9_000, open)).toEqual({ ok: true });
    expect(limiter.take('d', 2_000, open)).toMatchObject({ ok: false, reason: 'log_daily_quota' });
    limiter.refund('d', 9_000);
    expect(limiter.take('d', 2_000, open)).toEqual({ ok: true });
    expect(limiter.take('d', 9_000, open)).toMatchObject({ ok: false, reason: 'log_daily_quota' });
    now += 120_000;
    expect(limiter.take('d', 9_000, open)).toEqual({ ok: true });
  });

  it('takes a request larger than the burst only from a full bucket, leaving it in debt', () => {
    const limiter = new LogLimiter(() => now);
    expect(limiter.take('big', 100, quota)).toEqual({ ok: true });
    expect(limiter.take('big', 8_000, quota)).toMatchObject({ ok: false, retryAfterSeconds: 1 });
    now += 1_000;
    expect(limiter.take('big', 8_000, quota)).toEqual({ ok: true });
    now += 2_000;
    expect(limiter.take('big', 100, quota)).toMatchObject({ ok: false, retryAfterSeconds: 2 });
  });

  it('takes nothing at rate 0 and never limits a day quota of 0', () => {
    const limiter = new LogLimiter(() => now);
    expect(limiter.take('z', 1, { ...quota, logIngestionRateBytesPerSecond: 0 })).toMatchObject({
      ok: false,
    });
    expect(limiter.take('u', 4_000, { ...quota, logBytesPerDay: 0 })).toEqual({ ok: true });
  });
});

describe('LogLimiter shared by replicas', () => {
  const now = Date.UTC(2024, 0, 2, 12, 0, 0);
  const quota: LogQuota = {
    logBytesPerDay: 0,
    logIngestionRateBytesPerSecond: 1_000,
    logIngestionBurstBytes: 6_000,
  };

  it("holds 1/N of the tenant's burst in each of N replicas", () => {
    const limiter = new LogLimiter(() => now);
    expect(limiter.take('r', 2_000, quota, 3)).toEqual({ ok: true });
    expect(limiter.take('r', 1, quota, 3)).toMatchObject({ ok: false, reason: 'log_rate_limited' });
  });

  it('leaves the day to another counter when told to', () => {
    const limiter = new LogLimiter(() => now, false);
    const open = { ...quota, logBytesPerDay: 10, logIngestionBurstBytes: 1e9 };
    expect(limiter.take('s', 5_000, open)).toEqual({ ok: true });
  });
});
