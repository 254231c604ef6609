import { type Bus, type PublishAck } from '@strata/bus';
import { DEFAULT_QUOTA, StrataError } from '@strata/contracts';
import { decodeIngestMessage, encodeWriteRequestV1 } from '@strata/remote-write';
import { labelsFrom } from '@strata/tsdb';
import { type ActiveSeriesTracker } from '../limits/active-series.tracker';
import { type TenantLimitsCache } from '../limits/tenant-limits.cache';
import { TokenBuckets } from '../limits/token-bucket';
import { tenantLabelInjection } from './relabel';
import { encodeBounded } from './codec/prepare-write';
import { WriteHandler } from './write.handler';

function batch(series: number, t = 1_000) {
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
  const observer = { accepted: jest.fn(), rejected: jest.fn(), published: jest.fn() };
  const limits = {
    partitions: 4,
    maxLabelNameLength: 1024,
    maxLabelValueLength: 2048,
    maxSeriesPerRequest: 10_000,
    maxMessageBytes: 512 * 1024,
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
    const refused = await h.write(request(80, 2_000)).catch((e: unknown) => e);
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
      const second = await h.write(request(40, 2_000)).then(
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
});
