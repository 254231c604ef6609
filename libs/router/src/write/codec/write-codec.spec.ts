import { IngestMessageView } from '@strata/remote-write';
import {
  encodeWriteRequestV1,
  encodeWriteRequestV2,
  generateBatch,
} from '@strata/remote-write/testing';
import { tenantLabelInjection } from '../relabel';
import { type PrepareWriteInput } from './prepare-write';
import { InlineWriteCodec, ThreadedWriteCodec } from './write-codec';

const injection = tenantLabelInjection('acme', [{ name: 'cluster', value: 'eu-1' }]);

const input = (body: Buffer, v2 = false): PrepareWriteInput => ({
  tenantId: 'acme',
  body,
  contentType: v2 ? 'application/x-protobuf;proto=io.prometheus.write.v2.Request' : null,
  contentEncoding: 'snappy',
  options: {},
  partitions: 4,
  maxMessageBytes: 64 * 1024,
  window: { from: -Infinity, until: Infinity },
  settings: { outOfOrderWindowMs: 0 },
});

/** What the ingesters would apply: per partition, each series' labels and samples. */
function applied(prepared: Awaited<ReturnType<InlineWriteCodec['prepare']>>): unknown {
  return prepared.messages.map((m) => {
    const series: unknown[] = [];
    IngestMessageView.read(m.data).forEach((s) =>
      series.push([s.hash, s.count, s.timestamp(0), s.value(0)]),
    );
    return { partition: m.partition, index: m.index, series };
  });
}

describe('write codecs', () => {
  const threaded = new ThreadedWriteCodec(2);
  const inline = new InlineWriteCodec();
  afterAll(() => threaded.close());

  it('prepare the same ingest messages on worker threads as on the event loop', async () => {
    const batch = generateBatch({ series: 500, samplesPerSeries: 2, exemplarEvery: 7, seed: 3 });
    for (const [body, v2] of [
      [encodeWriteRequestV1(batch), false],
      [encodeWriteRequestV2(batch), true],
    ] as const) {
      const [a, b] = await Promise.all([
        threaded.prepare(input(body, v2), injection),
        inline.prepare(input(body, v2), injection),
      ]);
      expect(a.stats).toEqual({ samples: 1000, histograms: 0, exemplars: b.stats.exemplars });
      expect(a.stats).toEqual(b.stats);
      expect(new Set(a.messages.map((m) => m.partition)).size).toBe(4);
      expect(applied(a)).toEqual(applied(b));
    }
  });

  it('refuse bad input from a thread with the same error code as on the event loop', async () => {
    const bad = encodeWriteRequestV1({
      series: [
        {
          labels: [{ name: 'job', value: 'x' }],
          timestamps: Float64Array.of(1),
          values: Float64Array.of(1),
          exemplars: [],
        },
      ],
      metadata: [],
    });
    await expect(threaded.prepare(input(bad), injection)).rejects.toMatchObject({
      name: 'RemoteWriteError',
      code: 'missing_metric_name',
    });
    await expect(inline.prepare(input(bad), injection)).rejects.toMatchObject({
      code: 'missing_metric_name',
    });
    // The threads keep serving after a refusal.
    const ok = encodeWriteRequestV1(generateBatch({ series: 3, samplesPerSeries: 1 }));
    await expect(threaded.prepare(input(ok), injection)).resolves.toMatchObject({
      stats: { samples: 3 },
    });
  });
});
