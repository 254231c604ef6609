import { type Bus, type PublishAck } from '@strata/bus';
import { DEFAULT_QUOTA, StrataError } from '@strata/contracts';
import { decodeIngestMessage } from '@strata/remote-write';
import { encodeWriteRequestV1 } from '@strata/remote-write/testing';
import { labelsFrom } from '@strata/tsdb';
import { type ActiveSeriesTracker } from '../limits/active-series.tracker';
import { type TenantLimitsCache } from '../limits/tenant-limits.cache';
import { TokenBuckets } from '@strata/service-kit';
import { tenantLabelInjection } from './relabel';
import { encodeBounded } from './codec/prepare-write';
import { WriteHandler } from './write.handler';

/** Samples of the tests sit around the time the spec started, inside the default window. */
const T = Date.now();

function batch(series: number, t = T) {
  return {
    metadata: [],
    series: Array.from({ length: series }, (_, i) => ({
      labels: labelsFrom({ __name__: 'm', i: String(i) }),
      timestamps: new Float64Array([t]),
      values: new Float64Array([i]),
      exemplars: [],
    })),
  };
}

describe('WriteHandler', () => {
  const published: Array<{ subject: string; msgId: string; data: Uint8Array }> = [];
  let fail = false;
  const bus = {
    publish: (subject: string, data: Uint8Array, o?: { msgId?: string }) => {
      if (fail) return Promise.reject(new Error('stream down'));
      published.push({ subject, data, msgId: o?.msgId ?? '' });
      return Promise.resolve<PublishAck>({ stream: 'S', seq: published.length, duplicate: false });
    },
  } as unknown as Bus;
  const quota = { ...DEFAULT_QUOTA, ingestionRateSamplesPerSecond: 1, ingestionBurstSamples: 100 };
  const tenants = {
    admit: () =>
      Promise.resolve({
        tenantId: 't',
        status: 'active',
        quota,
        externalLabels: [],
        injection: tenantLabelInjection('t', []),
      }),
  } as unknown as TenantLimitsCache;
  const active = { activeSeries: () => 0 } as unknown as ActiveSeriesTracker;
  const observer = {
    accepted: jest.fn(),
    rejected: jest.fn(),
    discarded: jest.fn(),
    published: jest.fn(),
  };
  const limits = {
    partitions: 4,
    maxLabelNameLength: 1024,
    maxLabelValueLength: 2048,
    maxSeriesPerRequest: 10_000,
    maxMessageBytes: 512 * 1024,
    headRetentionSeconds: 86_400,
  };
  const request = (n: number, t?: number) => ({
    tenantId: 't',
    contentType: null,
    contentEncoding: null,
    body: encodeWriteRequestV1(batch(n, t)).toString('base64'),
    protocolVersion: null,
  });

  beforeEach(() => {
    published.length = 0;
    fail = false;
  });

  it('labels every series with the tenant, publishes per partition with ids that repeat for a repeated body', async () => {
    const h = new WriteHandler(bus, tenants, new TokenBuckets(), active, limits, observer);
    expect(await h.write(request(40))).toEqual({ samples: 40, histograms: 0, exemplars: 0 });
    const first = published.map((p) => p.msgId).sort();
    expect(new Set(published.map((p) => p.subject)).size).toBe(4);
    const series = published.flatMap((p) => decodeIngestMessage(p.data).series);
    expect(series).toHaveLength(40);
    expect(
      series.every((s) => s.labels.some((l) => l.name === 'tenant_id' && l.value === 't')),
    ).toBe(true);
    published.length = 0;
    await h.write(request(40));
    expect(published.map((p) => p.msgId).sort()).toEqual(first);
  });

  it('gives the tokens back when the stream does not acknowledge, so the retry is not rate limited', async () => {
    const h = new WriteHandler(bus, tenants, new TokenBuckets(), active, limits, observer);
    fail = true;
    await expect(h.write(request(80))).rejects.toMatchObject({
      code: 'unavailable',
      reason: 'publish_failed',
    });
    fail = false;
    await expect(h.write(request(80))).resolves.toMatchObject({ samples: 80 });
    const refused = await h.write(request(80, T + 2_000)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(StrataError);
    expect(refused).toMatchObject({ code: 'rate_limited', retryAfterSeconds: 60 });
  });

  it('splits the tenant rate among the routers that serve it', async () => {
    const tenantsAt = (rate: number) =>
      ({
        admit: () =>
          Promise.resolve({
            tenantId: 't',
            status: 'active',
            quota: { ...quota, ingestionRateSamplesPerSecond: rate, ingestionBurstSamples: 40 },
            externalLabels: [],
            injection: tenantLabelInjection('t', []),
          }),
      }) as unknown as TenantLimitsCache;
    for (const [routers, accepted] of [
      [1, true],
      [2, false],
    ] as const) {
      let now = 0;
      const h = new WriteHandler(
        bus,
        tenantsAt(40),
        new TokenBuckets(() => now),
        active,
        limits,
        observer,
        () => routers,
      );
      await h.write(request(40));
      now = 1000;
      const second = await h.write(request(40, T + 2_000)).then(
        () => true,
        () => false,
      );
      expect({ routers, accepted: second }).toEqual({ routers, accepted });
    }
  });

  it('splits a partition into messages below the size bound', () => {
    const series = batch(200).series.map((s) => ({ ...s, hash: 0n }));
    const parts = encodeBounded('t', series, 500);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.every((p) => p.length <= 500)).toBe(true);
    expect(parts.flatMap((p) => decodeIngestMessage(p).series.map((s) => s.values[0]))).toEqual(
      series.map((s) => s.values[0]),
    );
  });

  describe('sample time window', () => {
    const NOW = 1_800_000_000_000;
    const MIN = 60_000;
    const handlerWith = (q: Partial<typeof DEFAULT_QUOTA>) =>
      new WriteHandler(
        bus,
        {
          admit: () =>
            Promise.resolve({
              tenantId: 't',
              status: 'active',
              quota: { ...DEFAULT_QUOTA, ...q },
              externalLabels: [],
              injection: tenantLabelInjection('t', []),
            }),
        } as unknown as TenantLimitsCache,
        new TokenBuckets(),
        active,
        limits,
        observer,
        () => 1,
        undefined,
        () => NOW,
      );
    const write = (h: WriteHandler, timestamps: number[]) =>
      h.write({
        ...request(0),
        body: encodeWriteRequestV1({
          metadata: [],
          series: [
            {
              labels: labelsFrom({ __name__: 'm', i: '0' }),
              timestamps: new Float64Array(timestamps),
              values: new Float64Array(timestamps.map((_, i) => i)),
              exemplars: [],
            },
          ],
        }).toString('base64'),
      });
    const stored = () =>
      published.flatMap((p) =>
        decodeIngestMessage(p.data).series.flatMap((s) => [...s.timestamps]),
      );

    beforeEach(() => observer.discarded.mockClear());

    it('stores samples exactly at the grace limits and refuses the ones a millisecond beyond, counting them by reason', async () => {
      const h = handlerWith({});
      const future = NOW + 10 * MIN;
      const past = NOW - 86_400_000;
      const answer = await write(h, [past - 1, past, NOW, future, future + 1, future + 2]);
      expect(answer).toMatchObject({
        samples: 3,
        refused: { reason: 'sample_too_far_in_future', samples: 3 },
      });
      expect(answer.refused?.message).toMatch(/2 sample\(s\) after .* and 1 sample\(s\) before/);
      expect(stored()).toEqual([past, NOW, future]);
      expect(observer.discarded.mock.calls).toEqual([
        ['t', 'sample_too_far_in_future', 2],
        ['t', 'sample_too_old', 1],
      ]);
    });

    it('names sample_too_old when only old samples were refused, and publishes nothing when nothing is left', async () => {
      const answer = await write(handlerWith({}), [NOW - 2 * 86_400_000]);
      expect(answer).toEqual({
        samples: 0,
        histograms: 0,
        exemplars: 0,
        refused: expect.objectContaining({ reason: 'sample_too_old', samples: 1 }) as unknown,
      });
      expect(published).toEqual([]);
    });

    it("follows the tenant's past window, but never reaches back beyond the heads' retention", async () => {
      expect(
        await write(handlerWith({ pastGracePeriodSeconds: 3600 }), [
          NOW - 3600_000,
          NOW - 3600_001,
        ]),
      ).toMatchObject({ samples: 1, refused: { reason: 'sample_too_old' } });
      published.length = 0;
      const capped = await write(handlerWith({ pastGracePeriodSeconds: 30 * 86_400 }), [
        NOW - 86_400_000,
        NOW - 86_400_001,
      ]);
      expect(capped).toMatchObject({
        samples: 1,
        refused: { reason: 'sample_too_old', samples: 1 },
      });
      expect(stored()).toEqual([NOW - 86_400_000]);
    });

    it('has no future bound with a grace period of 0, and answers without `refused` when all samples fit', async () => {
      expect(
        await write(handlerWith({ creationGracePeriodSeconds: 0 }), [NOW + 365 * 86_400_000]),
      ).toEqual({
        samples: 1,
        histograms: 0,
        exemplars: 0,
      });
    });

    it("carries the tenant's out-of-order window in every message (at most the retention), and none when it is 0", async () => {
      await write(handlerWith({ outOfOrderTimeWindowSeconds: 600 }), [NOW]);
      expect(published.map((p) => decodeIngestMessage(p.data).settings)).toEqual([
        { outOfOrderWindowMs: 600_000 },
      ]);
      published.length = 0;
      await write(handlerWith({}), [NOW + 1]);
      expect(published.map((p) => decodeIngestMessage(p.data).settings)).toEqual([
        { outOfOrderWindowMs: 0 },
      ]);
      published.length = 0;
      await write(handlerWith({ outOfOrderTimeWindowSeconds: Number.MAX_SAFE_INTEGER }), [NOW + 2]);
      expect(published.map((p) => decodeIngestMessage(p.data).settings)).toEqual([
        { outOfOrderWindowMs: 86_400_000 },
      ]);
    });
  });
});
