import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { type NatsBus } from '@strata/bus';
import { jetstreamManager } from '@nats-io/jetstream';
import { DEFAULT_QUOTA, type QuotaSpec, StrataError, Streams } from '@strata/contracts';
import { type RunningNatsServer } from '@strata/devstack';
import { compressBlock, ingestMessagesOf } from '@strata/remote-write';
import { encodeWriteRequestV1, marshalWriteRequestV1 } from '@strata/remote-write/testing';
import { type RunningServices } from '@strata/service-kit';
import { type StoreClient } from '@strata/store-client';
import { labelsFrom } from '@strata/tsdb';
import {
  OPEN_QUOTA,
  batchAt,
  clientBus,
  countSamples,
  fakeControlPlane,
  sendWrite,
  startInProcess,
  startTestNats,
  storeClient,
  strataEnv,
  waitForStore,
  writeRequest,
  removeTestDirs,
} from '@strata/platform/testing';

jest.setTimeout(60_000);

describe('write path: router and ingester in one process', () => {
  let nats: RunningNatsServer;
  let dir: string;
  let bus: NatsBus;
  let platform: RunningServices;
  let store: StoreClient;
  const tenants = new Map<string, QuotaSpec>([
    ['acme', OPEN_QUOTA],
    ['slow', { ...DEFAULT_QUOTA, ingestionRateSamplesPerSecond: 100, ingestionBurstSamples: 150 }],
    ['fast', OPEN_QUOTA],
    ['tiny', { ...OPEN_QUOTA, maxActiveSeries: 10 }],
    ['beta', OPEN_QUOTA],
    ['mallory', OPEN_QUOTA],
  ]);
  const t0 = Date.now() - 60_000;

  beforeAll(async () => {
    ({ server: nats, dir } = await startTestNats());
    bus = await clientBus(nats);
    fakeControlPlane(bus, tenants);
    platform = await startInProcess(strataEnv(nats, join(dir, 'data')));
    store = storeClient(bus);
    await waitForStore(store, 'acme');
  });

  afterAll(async () => {
    await platform?.stop();
    await bus?.drain();
    await nats?.process.stop();
    removeTestDirs();
  });

  it('stores every acknowledged sample exactly once, labelled with the tenant, and dedupes a retried write', async () => {
    for (let i = 0; i < 20; i++) {
      const res = await sendWrite(
        bus,
        writeRequest('acme', batchAt('wp_basic', 50, t0 + i * 1000, i)),
      );
      expect(res).toEqual({ samples: 50, histograms: 0, exemplars: 0 });
    }
    const again = writeRequest('acme', batchAt('wp_basic', 50, t0 + 19 * 1000, 19));
    expect(await sendWrite(bus, again)).toEqual({ samples: 50, histograms: 0, exemplars: 0 });
    await eventually(async () =>
      expect(await countSamples(store, 'acme', 'wp_basic')).toEqual({
        series: 50,
        samples: 1000,
        distinct: 1000,
      }),
    );
    const series = await store.series({
      tenantId: 'acme',
      matchers: [{ type: '=', name: '__name__', value: 'wp_basic' }],
      start: 0,
      end: Date.now(),
    });
    expect(series.value[0]).toEqual(
      labelsFrom({ __name__: 'wp_basic', instance: 'i0', job: 'spec', tenant_id: 'acme' }),
    );
    expect(
      (
        await store.labelValues('tenant_id', {
          tenantId: 'acme',
          matchers: [],
          start: 0,
          end: Date.now(),
        })
      ).value,
    ).toEqual(['acme']);
    // Another tenant sees none of it.
    expect((await countSamples(store, 'fast', 'wp_basic')).samples).toBe(0);
  });

  it('stores concurrent writes of several tenants together, refusing one tenant’s bad write alone, and counts a retried batched write once', async () => {
    const jsm = await jetstreamManager(bus.connection);
    const first = (await jsm.streams.info(Streams.ingest.name)).state.last_seq + 1;
    const good = Array.from({ length: 8 }, (_, i) =>
      writeRequest(i % 2 === 0 ? 'acme' : 'beta', batchAt('wp_batched', 40, t0 + i * 1000, i)),
    );
    const bad = writeRequest('mallory', {
      metadata: [],
      series: [
        {
          labels: labelsFrom({ __name__: 'wp_batched', ['x'.repeat(2000)]: 'too long' }),
          timestamps: new Float64Array([t0]),
          values: new Float64Array([1]),
          exemplars: [],
        },
        ...batchAt('wp_batched', 40, t0, 1).series,
      ],
    });
    const answers = await Promise.all(
      [...good, bad].map((w) => sendWrite(bus, w).catch((e: unknown) => e)),
    );
    expect(answers.slice(0, 8)).toEqual(
      Array.from({ length: 8 }, () => ({ samples: 40, histograms: 0, exemplars: 0 })),
    );
    expect(answers[8]).toMatchObject({ code: 'bad_request', reason: 'label_name_too_long' });
    // The same write again, as a sender does after a lost answer: stored again, counted once.
    expect(await sendWrite(bus, good[6])).toMatchObject({ samples: 40 });
    for (const tenant of ['acme', 'beta'])
      await eventually(async () =>
        expect(await countSamples(store, tenant, 'wp_batched')).toEqual({
          series: 40,
          samples: 160,
          distinct: 160,
        }),
      );
    expect((await countSamples(store, 'mallory', 'wp_batched')).samples).toBe(0);
    // The writes arrived together, so at least one stream message holds parts of several of them.
    const last = (await jsm.streams.info(Streams.ingest.name)).state.last_seq;
    let most = 0;
    for (let seq = first; seq <= last; seq++) {
      const stored = await jsm.streams.getMessage(Streams.ingest.name, { seq });
      if (stored) most = Math.max(most, ingestMessagesOf(stored.data).length);
    }
    expect(most).toBeGreaterThan(1);
  });

  it('takes a write above max_payload (chunked by the bus) and splits large partitions into bounded messages', async () => {
    const series = Array.from({ length: 10_000 }, (_, i) => ({
      labels: labelsFrom({
        __name__: 'wp_big',
        id: randomBytes(150).toString('base64'),
        n: String(i),
      }),
      timestamps: new Float64Array([t0, t0 + 1000]),
      values: new Float64Array([i, i + 1]),
      exemplars: [],
    }));
    const request = writeRequest('acme', { series, metadata: [] });
    expect(Buffer.from(request.body, 'base64').length).toBeGreaterThan(1024 * 1024);
    const jsm = await jetstreamManager(bus.connection);
    const before = (await jsm.streams.info(Streams.ingest.name)).state.messages;
    expect(await sendWrite(bus, request, 30_000)).toMatchObject({ samples: 20_000 });
    // Four partitions of ~650 KB each, every one split below 512 KB.
    expect(
      (await jsm.streams.info(Streams.ingest.name)).state.messages - before,
    ).toBeGreaterThanOrEqual(8);
    await eventually(
      async () =>
        expect(await countSamples(store, 'acme', 'wp_big')).toEqual({
          series: 10_000,
          samples: 20_000,
          distinct: 20_000,
        }),
      30_000,
    );
  });

  it('keeps family metadata per tenant, including from metadata-only writes', async () => {
    const withMeta = {
      ...batchAt('wp_meta', 2, t0, 1),
      metadata: [
        { metricFamilyName: 'wp_meta', type: 'counter' as const, help: 'Things.', unit: '' },
      ],
    };
    expect(await sendWrite(bus, writeRequest('acme', withMeta))).toMatchObject({ samples: 2 });
    const only = {
      series: [],
      metadata: [
        { metricFamilyName: 'wp_only', type: 'gauge' as const, help: 'Level.', unit: 'bytes' },
      ],
    };
    expect(await sendWrite(bus, writeRequest('acme', only))).toEqual({
      samples: 0,
      histograms: 0,
      exemplars: 0,
    });
    await eventually(async () =>
      expect((await store.metadata('acme')).value).toMatchObject({
        wp_meta: [{ type: 'counter', help: 'Things.', unit: '' }],
        wp_only: [{ type: 'gauge', help: 'Level.', unit: 'bytes' }],
      }),
    );
    expect((await store.metadata('fast')).value).toEqual({});
  });

  it('stores exemplars per series for the tenant, dropping repeats and out-of-order ones', async () => {
    const traced = (t: number, exemplarTimes: number[]) => {
      const batch = batchAt('wp_ex', 2, t, 1);
      return {
        ...batch,
        series: batch.series.map((s) => ({
          ...s,
          exemplars: exemplarTimes.map((et) => ({
            labels: labelsFrom({ trace_id: `${s.labels[1].value}-${et}` }),
            value: et === t0 ? NaN : 0.5,
            timestamp: et,
          })),
        })),
      };
    };
    expect(await sendWrite(bus, writeRequest('acme', traced(t0, [t0])))).toMatchObject({
      exemplars: 2,
    });
    // The repeat of t0 is ignored and t0 - 1 is out of order; t0 + 1000 is new.
    await sendWrite(bus, writeRequest('acme', traced(t0 + 1000, [t0, t0 - 1, t0 + 1000])));
    const wanted = [
      [{ type: '=' as const, name: '__name__', value: 'wp_ex' }],
      [{ type: '=' as const, name: 'instance', value: 'nowhere' }],
    ];
    await eventually(async () => {
      const { value } = await store.exemplars('acme', wanted, t0 - 60_000, t0 + 60_000);
      expect(value.map((s) => s.seriesLabels.find((l) => l.name === 'instance')?.value)).toEqual([
        'i0',
        'i1',
      ]);
      expect(value[1].exemplars).toEqual([
        { labels: labelsFrom({ trace_id: `i1-${t0}` }), value: NaN, timestamp: t0 },
        { labels: labelsFrom({ trace_id: `i1-${t0 + 1000}` }), value: 0.5, timestamp: t0 + 1000 },
      ]);
    });
    expect(
      (await store.exemplars('acme', wanted, t0 + 500, t0 + 60_000)).value[0].exemplars,
    ).toHaveLength(1);
    expect((await store.exemplars('fast', wanted, 0, Date.now())).value).toEqual([]);
  });

  it('refuses an unknown tenant with tenant_unknown', async () => {
    await expect(
      sendWrite(bus, writeRequest('nobody', batchAt('wp_x', 1, t0, 1))),
    ).rejects.toMatchObject({ code: 'tenant_unknown' });
  });

  it('answers bad input with a 4xx code and a reason, stores nothing, and keeps serving', async () => {
    const good = batchAt('wp_bad', 2, t0, 1);
    const raw = marshalWriteRequestV1(good);
    const cases: Array<[string, Partial<ReturnType<typeof writeRequest>>, string, string]> = [
      [
        'not snappy',
        { body: Buffer.from('garbage that is not snappy').toString('base64') },
        'bad_request',
        'invalid_snappy',
      ],
      [
        'not protobuf',
        { body: compressBlock(Buffer.from([0xff, 0xff, 0xff, 0x01])).toString('base64') },
        'bad_request',
        'invalid_protobuf',
      ],
      [
        'truncated',
        { body: compressBlock(Buffer.from(raw.subarray(0, raw.length - 3))).toString('base64') },
        'bad_request',
        'invalid_protobuf',
      ],
      [
        'json body',
        { contentType: 'application/json' },
        'unsupported_media_type',
        'unsupported_media_type',
      ],
      [
        'gzip',
        { contentEncoding: 'gzip' },
        'unsupported_media_type',
        'unsupported_content_encoding',
      ],
      [
        'no metric name',
        { body: encodeWriteRequestV1(batchWithLabels({ job: 'x' })).toString('base64') },
        'bad_request',
        'missing_metric_name',
      ],
      [
        'unsorted labels',
        {
          body: encodeWriteRequestV1(
            batchWithRawLabels([
              ['job', 'x'],
              ['__name__', 'wp_bad'],
            ]),
          ).toString('base64'),
        },
        'bad_request',
        'labels_not_sorted',
      ],
      [
        'zero timestamp',
        { body: encodeWriteRequestV1(batchAt('wp_bad', 1, 0, 1)).toString('base64') },
        'bad_request',
        'missing_timestamp',
      ],
      [
        'too many labels',
        { body: encodeWriteRequestV1(batchWithLabels(manyLabels(40))).toString('base64') },
        'bad_request',
        'too_many_labels',
      ],
      [
        'long value',
        {
          body: encodeWriteRequestV1(
            batchWithLabels({ __name__: 'wp_bad', v: 'x'.repeat(3000) }),
          ).toString('base64'),
        },
        'bad_request',
        'label_value_too_long',
      ],
    ];
    for (const [what, override, code, reason] of cases) {
      const error = await sendWrite(bus, { ...writeRequest('acme', good), ...override }).then(
        () => null,
        (e: unknown) => e,
      );
      expect({
        what,
        error: error instanceof StrataError ? { code: error.code, reason: error.reason } : error,
      }).toEqual({ what, error: { code, reason } });
    }
    await expect(
      sendWrite(bus, { ...writeRequest('acme', good), tenantId: 'Not A Tenant!' }),
    ).rejects.toMatchObject({ code: 'validation_failed' });
    expect(
      await sendWrite(bus, writeRequest('acme', batchAt('wp_ok_after_bad', 1, t0, 1))),
    ).toMatchObject({ samples: 1 });
    await eventually(async () =>
      expect((await countSamples(store, 'acme', 'wp_ok_after_bad')).samples).toBe(1),
    );
    expect((await countSamples(store, 'acme', 'wp_bad')).samples).toBe(0);
  });

  it('limits one tenant to its rate with a retry-after while another tenant keeps writing', async () => {
    expect(
      await sendWrite(bus, writeRequest('slow', batchAt('wp_rate', 100, t0, 1))),
    ).toMatchObject({ samples: 100 });
    const refused = await sendWrite(
      bus,
      writeRequest('slow', batchAt('wp_rate', 100, t0 + 1000, 1)),
    ).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'rate_limited', reason: 'ingestion_rate' });
    expect((refused as StrataError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    for (let i = 0; i < 5; i++)
      expect(
        await sendWrite(bus, writeRequest('fast', batchAt('wp_rate', 100, t0 + i * 1000, 1))),
      ).toMatchObject({ samples: 100 });
    await eventually(async () =>
      expect((await countSamples(store, 'slow', 'wp_rate')).samples).toBe(100),
    );
  });

  it('refuses writes once the tenant reaches its active series limit', async () => {
    expect(
      await sendWrite(bus, writeRequest('tiny', batchAt('wp_series', 12, t0, 1))),
    ).toMatchObject({ samples: 12 });
    await eventually(async () => {
      const refused = await sendWrite(
        bus,
        writeRequest('tiny', batchAt('wp_series', 12, t0 + 1000, 1)),
      ).catch((e: unknown) => e);
      expect(refused).toMatchObject({ code: 'rate_limited', reason: 'max_active_series' });
    }, 15_000);
  });

  it('keeps samples, exemplars and metadata across an orderly restart (snapshot on shutdown, replay after it)', async () => {
    const exemplars = () =>
      store.exemplars('acme', [[{ type: '=', name: '__name__', value: 'wp_ex' }]], 0, Date.now());
    const before = await countSamples(store, 'acme', 'wp_basic');
    const exemplarsBefore = (await exemplars()).value;
    expect(exemplarsBefore).toHaveLength(2);
    const metadataBefore = (await store.metadata('acme')).value;
    expect(Object.keys(metadataBefore)).toEqual(['wp_meta', 'wp_only']);
    await platform.stop();
    platform = await startInProcess(strataEnv(nats, join(dir, 'data')));
    await waitForStore(store, 'acme');
    expect(await countSamples(store, 'acme', 'wp_basic')).toEqual(before);
    expect((await exemplars()).value).toEqual(exemplarsBefore);
    expect((await store.metadata('acme')).value).toEqual(metadataBefore);
  });
});

function batchWithLabels(labels: Record<string, string>) {
  return batchWithRawLabels(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function batchWithRawLabels(pairs: Array<[string, string]>) {
  return {
    metadata: [],
    series: [
      {
        labels: pairs.map(([name, value]) => ({ name, value })),
        timestamps: new Float64Array([Date.now()]),
        values: new Float64Array([1]),
        exemplars: [],
      },
    ],
  };
}

function manyLabels(n: number): Record<string, string> {
  const out: Record<string, string> = { __name__: 'wp_bad' };
  for (let i = 0; i < n; i++) out[`l${String(i).padStart(2, '0')}`] = 'v';
  return out;
}

async function eventually(check: () => Promise<void>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
