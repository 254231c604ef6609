import { NO_INJECTION } from './label-block-builder';
import { plainBatch } from '../testing/plain-batch';
import { STALE_NAN } from '@strata/contracts';
import { decodeHttpWrite, decodeWriteRequest } from './decode';
import { encodeWriteRequestV1, encodeWriteRequestV2 } from '../testing/encode';
import { generateBatch, rng } from '../testing/generate';
import { type WriteBatch } from './types';

const batch: WriteBatch = {
  series: [
    {
      labels: [
        { name: '__name__', value: 'http_requests_total' },
        { name: 'job', value: 'api' },
        { name: 'path', value: '/ünïcødé' },
      ],
      timestamps: Float64Array.from([1_700_000_000_000, 1_700_000_015_000, 1_700_000_030_000]),
      values: Float64Array.from([1, -2.5, STALE_NAN]),
      exemplars: [
        { labels: [{ name: 'trace_id', value: 'abc' }], value: 1, timestamp: 1_700_000_000_000 },
      ],
      metadata: { type: 'counter', help: 'Requests.', unit: 'requests' },
      createdTimestamp: 1_699_999_000_000,
    },
    {
      labels: [
        { name: '__name__', value: 'temperature' },
        { name: 'room.name', value: 'a' },
      ],
      timestamps: Float64Array.from([1_700_000_000_000]),
      values: Float64Array.from([Infinity]),
      exemplars: [],
    },
  ],
  metadata: [
    {
      metricFamilyName: 'http_requests_total',
      type: 'counter',
      help: 'Requests.',
      unit: 'requests',
    },
  ],
};

describe('remote write round trips', () => {
  it('v1: decodes what it encodes, including stale markers and exemplars', () => {
    const got = decodeWriteRequest(encodeWriteRequestV1(batch), 'v1');
    const want = {
      ...batch,
      series: batch.series.map((s) => ({ ...s, metadata: undefined, createdTimestamp: undefined })),
    };
    expect(plainBatch(got)).toEqual(plainBatch(want));
  });

  it('v2: decodes what it encodes, with per-series metadata and created timestamps', () => {
    const got = decodeWriteRequest(encodeWriteRequestV2(batch), 'v2');
    const want = {
      ...batch,
      series: [batch.series[0], { ...batch.series[1], metadata: undefined }],
    };
    expect(plainBatch(got)).toEqual(plainBatch(want));
    expect(got.metadata).toEqual(batch.metadata);
  });

  it('negotiates the protocol from headers', () => {
    const v2 = decodeHttpWrite(
      encodeWriteRequestV2(batch),
      {
        contentType: 'application/x-protobuf;proto=io.prometheus.write.v2.Request',
        contentEncoding: 'snappy',
      },
      {},
      NO_INJECTION,
    );
    expect(v2.version).toBe('v2');
    const v1 = decodeHttpWrite(
      encodeWriteRequestV1(batch),
      {
        contentType: 'application/x-protobuf',
      },
      {},
      NO_INJECTION,
    );
    expect(v1.version).toBe('v1');
    expect(v1.batch.series).toHaveLength(2);
  });

  it('drops labels with empty values, which Prometheus treats as absent', () => {
    const b: WriteBatch = {
      series: [
        {
          ...batch.series[1],
          labels: [
            { name: '__name__', value: 'x' },
            { name: 'empty', value: '' },
          ],
        },
      ],
      metadata: [],
    };
    expect(decodeWriteRequest(encodeWriteRequestV1(b), 'v1').series[0].labels).toEqual([
      { name: '__name__', value: 'x' },
    ]);
  });

  it('round trips generated batches of varied shapes through both protocols', () => {
    const rand = rng(42);
    for (let k = 0; k < 25; k++) {
      const b = generateBatch({
        series: 1 + Math.floor(rand() * 200),
        samplesPerSeries: Math.floor(rand() * 5),
        extraLabels: Math.floor(rand() * 6),
        exemplarEvery: 1 + Math.floor(rand() * 10),
        seed: k,
        stepMs: 1 + Math.floor(rand() * 60_000),
      });
      expect(plainBatch(decodeWriteRequest(encodeWriteRequestV1(b), 'v1'))).toEqual(plainBatch(b));
      expect(plainBatch(decodeWriteRequest(encodeWriteRequestV2(b), 'v2'))).toEqual(plainBatch(b));
    }
  });
});
