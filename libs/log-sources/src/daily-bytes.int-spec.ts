import { connectBus, type NatsBus } from '@strata/bus';
import { testNatsLogin, testServices, uniqueName } from '@strata/testing';
import { SharedDailyBytes } from './daily-bytes';
import { type LogQuota } from './limits';

describe('SharedDailyBytes', () => {
  const buses: NatsBus[] = [];
  const quota: LogQuota = {
    logBytesPerDay: 1_000,
    logIngestionRateBytesPerSecond: 1e9,
    logIngestionBurstBytes: 1e9,
  };
  let now = Date.UTC(2024, 0, 1, 23, 59, 0);

  /** Two counters on two connections to one bucket, as two gateways are. */
  const counters = async () => {
    const name = uniqueName('days');
    const made: SharedDailyBytes[] = [];
    for (const id of ['a', 'b']) {
      const bus = await connectBus({
        url: testServices().natsUrl,
        ...testNatsLogin('admin'),
        name: `days-${id}`,
      });
      buses.push(bus);
      made.push(new SharedDailyBytes(await bus.openKv(name), () => now));
    }
    return made;
  };

  afterAll(async () => {
    for (const bus of buses) await bus.drain();
  });

  it('admits racing requests only up to the day total, then counts refunds back', async () => {
    const [a, b] = await counters();
    const taken = await Promise.all(
      Array.from({ length: 20 }, (_, n) => (n % 2 ? a : b).take('t', 150, quota)),
    );
    expect(taken.filter((t) => t.ok)).toHaveLength(6);
    expect(await a.take('t', 150, quota)).toMatchObject({ ok: false, reason: 'log_daily_quota' });
    await b.refund('t', 300, quota);
    expect(await a.take('t', 250, quota)).toEqual({ ok: true });
    expect(await b.take('t', 200, quota)).toMatchObject({ ok: false });
    expect(await b.take('t', 150, quota)).toEqual({ ok: true });
    expect(await b.take('other', 1_000, quota)).toEqual({ ok: true });
    now += 120_000;
    expect(await a.take('t', 1_000, quota)).toEqual({ ok: true });
  });
});
