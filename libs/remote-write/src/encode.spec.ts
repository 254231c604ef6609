import { marshalWriteRequestV1 } from '../testing/encode';
import { decodeV1 } from '../testing/reference-decode-v1';
import { encodeSamplesV1, marshalSamplesV1 } from './encode';
import { decompressBlock } from './snappy';
import { DEFAULT_VALIDATION } from './validate';

function staleBits(v: number): bigint {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, v);
  return view.getBigUint64(0);
}

describe('encodeSamplesV1', () => {
  const series = [
    {
      labels: [
        { name: '__name__', value: 'job:requests:rate5m' },
        { name: 'job', value: 'api' },
        // Lengths over 127 and 16383 bytes need two- and three-byte length prefixes.
        { name: 'long', value: 'x'.repeat(200) },
        { name: 'longer', value: 'é'.repeat(9000) },
      ],
      samples: [
        { timestamp: 1_700_000_000_123, value: 0.25 },
        { timestamp: 1_700_000_060_123, value: -1e300 },
      ],
    },
    { labels: [{ name: '__name__', value: 'old' }], samples: [{ timestamp: -5_000, value: 7 }] },
  ];

  it('writes what protobufjs writes for the same series', () => {
    const reference = marshalWriteRequestV1({
      series: series.map((s) => ({
        labels: s.labels,
        timestamps: Float64Array.from(s.samples, (x) => x.timestamp),
        values: Float64Array.from(s.samples, (x) => x.value),
        exemplars: [],
      })),
      metadata: [],
    });
    expect(Buffer.from(marshalSamplesV1(series)).equals(Buffer.from(reference))).toBe(true);
  });

  it('is read back by the reference decoder, staleness markers with their exact bits', () => {
    const body = encodeSamplesV1([
      ...series,
      {
        labels: [{ name: '__name__', value: 'gone' }],
        samples: [{ timestamp: 1_000, value: NaN, stale: true }],
      },
    ]);
    const batch = decodeV1(decompressBlock(body, 1 << 24), {
      ...DEFAULT_VALIDATION,
      maxLabelValueLength: 1 << 20,
    });
    expect(batch.series.map((s) => s.labels.find((l) => l.name === '__name__')?.value)).toEqual([
      'job:requests:rate5m',
      'old',
      'gone',
    ]);
    expect(batch.series[0].labels.find((l) => l.name === 'longer')?.value).toBe('é'.repeat(9000));
    expect([...batch.series[0].values]).toEqual([0.25, -1e300]);
    expect([...batch.series[1].timestamps]).toEqual([-5_000]);
    expect(staleBits(batch.series[2].values[0])).toBe(0x7ff0000000000002n);
  });
});
