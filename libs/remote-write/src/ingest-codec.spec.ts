import { xxh32 } from '@node-rs/xxhash';
import { STALE_NAN, isStaleNaN } from '@strata/contracts';
import { labelsFrom } from '@strata/tsdb';
import { generateBatch } from '../testing/generate';
import {
  INGEST_VERSION,
  IngestMessageView,
  decodeIngestMessage,
  encodeIngestMessage,
} from './ingest-codec';
import { decodeWriteRequest } from './decode';
import { encodeWriteRequestV1 } from '../testing/encode';
import { partitionOf, seriesHash } from './series-hash';
import { expandBlock } from './snappy';

describe('ingest message codec', () => {
  it('round trips tenant, labels, hashes, samples and exemplars', () => {
    const b = generateBatch({ series: 300, samplesPerSeries: 3, exemplarEvery: 4, seed: 9 });
    const msg = encodeIngestMessage('tenant-ä', b.series);
    expect(msg[2]).toBe(INGEST_VERSION);
    const got = decodeIngestMessage(msg);
    expect(got.tenant).toBe('tenant-ä');
    expect(got.series).toHaveLength(300);
    got.series.forEach((s, i) => {
      expect(s.labels).toEqual(b.series[i].labels);
      expect(s.hash).toBe(seriesHash(b.series[i].labels));
      expect([...s.timestamps]).toEqual([...b.series[i].timestamps]);
      expect([...s.values]).toEqual([...b.series[i].values]);
      expect(s.exemplars).toEqual(b.series[i].exemplars);
    });
  });

  it('lays out the documented version 2 header and body', () => {
    const labels = labelsFrom({ __name__: 'up' });
    const msg = encodeIngestMessage('t1', [
      {
        labels,
        timestamps: Float64Array.from([1000]),
        values: Float64Array.from([0.5]),
        exemplars: [],
      },
    ]);
    expect(msg.subarray(0, 4).toString('hex')).toBe('53490208'); // "SI", version 2, snappy body
    expect(msg.readUInt32LE(4)).toBe(msg.length - 12);
    expect(msg.readUInt32LE(8)).toBe(xxh32(msg.subarray(12)));
    const body = expandBlock(msg.subarray(12), 1 << 20);
    const expected = Buffer.concat([
      Buffer.from([2]),
      Buffer.from('t1'), // tenant
      Buffer.from([1]), // 1 series
      (() => {
        const b = Buffer.alloc(8);
        b.writeBigUInt64LE(seriesHash(labels));
        return b;
      })(),
      Buffer.from([12]),
      Buffer.from('__name__\xffup\xff', 'latin1'), // the label block
      Buffer.from([1]), // one sample
      (() => {
        const b = Buffer.alloc(16);
        b.writeDoubleLE(1000, 0);
        b.writeDoubleLE(0.5, 8);
        return b;
      })(),
    ]);
    expect(body.toString('hex')).toBe(expected.toString('hex'));
  });

  it('still reads version 1 messages (symbol table, label refs) left in the stream by an upgrade', () => {
    const labels = labelsFrom({ __name__: 'up', job: 'a' });
    const hash = Buffer.alloc(8);
    hash.writeBigUInt64LE(seriesHash(labels));
    const sample = Buffer.alloc(16);
    sample.writeDoubleLE(1000, 0);
    sample.writeDoubleLE(0.5, 8);
    // The version 1 layout: tenant, symbols, then per series hash, label refs and samples.
    const body = Buffer.concat([
      Buffer.from([2]),
      Buffer.from('t1'),
      Buffer.from([4, 8]),
      Buffer.from('__name__'),
      Buffer.from([2]),
      Buffer.from('up'),
      Buffer.from([3]),
      Buffer.from('job'),
      Buffer.from([1]),
      Buffer.from('a'),
      Buffer.from([1]),
      hash,
      Buffer.from([2, 0, 1, 2, 3]),
      Buffer.from([1]),
      sample,
    ]);
    const header = Buffer.alloc(12);
    header.writeUInt16BE(0x5349, 0);
    header[2] = 1;
    header.writeUInt32LE(body.length, 4);
    header.writeUInt32LE(xxh32(body), 8);
    const got = decodeIngestMessage(Buffer.concat([header, body]));
    expect(got.tenant).toBe('t1');
    expect(got.series.map((s) => [s.labels, s.hash, [...s.timestamps], [...s.values]])).toEqual([
      [labels, seriesHash(labels), [1000], [0.5]],
    ]);
    const corrupt = Buffer.concat([header, body]);
    corrupt[corrupt.length - 1] ^= 1;
    expect(() => decodeIngestMessage(corrupt)).toThrow(/checksum mismatch/);
  });

  it('carries created timestamps and family metadata when present', () => {
    const b = generateBatch({ series: 4, samplesPerSeries: 1, seed: 4 }).series;
    const series = b.map((s, i) =>
      i % 2 === 0 ? { ...s, createdTimestamp: 1_600_000_000_000 + i } : s,
    );
    const metadata = [
      {
        metricFamilyName: 'metric_0_total',
        type: 'counter' as const,
        help: 'Requests ✓.',
        unit: 'requests',
      },
      { metricFamilyName: 'metric_1_total', type: 'gauge' as const, help: '', unit: '' },
    ];
    const msg = encodeIngestMessage('t', series, metadata);
    expect(msg[3]).toBe(2 | 4 | 8);
    const got = decodeIngestMessage(msg);
    expect(got.series.map((s) => s.createdTimestamp)).toEqual([
      1_600_000_000_000,
      undefined,
      1_600_000_000_002,
      undefined,
    ]);
    expect(got.metadata).toEqual(metadata);
    const unknown = Buffer.from(msg);
    unknown[3] |= 0x80;
    expect(() => decodeIngestMessage(unknown)).toThrow(/unknown flags/);
  });

  it('keeps stale markers and works without exemplars or series', () => {
    const labels = labelsFrom({ __name__: 'x' });
    const got = decodeIngestMessage(
      encodeIngestMessage('t', [
        {
          labels,
          timestamps: Float64Array.from([5]),
          values: Float64Array.from([STALE_NAN]),
          exemplars: [],
        },
      ]),
    );
    expect(isStaleNaN(got.series[0].values[0])).toBe(true);
    expect(decodeIngestMessage(encodeIngestMessage('', []))).toEqual({
      tenant: '',
      settings: { outOfOrderWindowMs: 0 },
      series: [],
      metadata: [],
    });
  });

  it("carries the tenant's out-of-order window, and writes nothing for it when it is 0", () => {
    const series = generateBatch({ series: 3, samplesPerSeries: 2 }).series;
    const withWindow = encodeIngestMessage('t', series, [], { outOfOrderWindowMs: 3_600_000 });
    const view = IngestMessageView.read(withWindow);
    expect(view.settings).toEqual({ outOfOrderWindowMs: 3_600_000 });
    const plain = (m: Buffer) =>
      decodeIngestMessage(m).series.map((s) => ({
        labels: s.labels,
        t: [...s.timestamps],
        v: [...s.values],
      }));
    expect(plain(withWindow)).toEqual(plain(encodeIngestMessage('t', series)));
    // Without a window the message is the one earlier routers wrote, so ingesters of either age read it.
    expect(encodeIngestMessage('t', series, [], { outOfOrderWindowMs: 0 })).toEqual(
      encodeIngestMessage('t', series),
    );
    expect(() => encodeIngestMessage('t', series, [], { outOfOrderWindowMs: -1 })).toThrow(
      RangeError,
    );
  });

  it('refuses corrupted, truncated and foreign messages', () => {
    const msg = encodeIngestMessage('t', generateBatch({ series: 5, samplesPerSeries: 2 }).series);
    const flipped = Buffer.from(msg);
    flipped[flipped.length - 3] ^= 1;
    const code = (b: Uint8Array): unknown => {
      try {
        decodeIngestMessage(b);
        return 'no error';
      } catch (e) {
        return (e as { code: string; message: string }).message;
      }
    };
    expect(code(flipped)).toMatch(/checksum/);
    expect(code(msg.subarray(0, msg.length - 1))).toMatch(/length/);
    expect(code(Buffer.from('{"json":true}'))).toMatch(/magic/);
    const v9 = Buffer.from(msg);
    v9[2] = 9;
    expect(code(v9)).toMatch(/version 9/);
  });
});

describe('series identity', () => {
  it('hashes equal label sets equally and different ones differently', () => {
    const a = seriesHash(labelsFrom({ __name__: 'up', job: 'a' }));
    expect(seriesHash(labelsFrom({ job: 'a', __name__: 'up' }))).toBe(a);
    expect(seriesHash(labelsFrom({ __name__: 'up', job: 'b' }))).not.toBe(a);
    // The separator keeps name/value boundaries significant.
    expect(seriesHash(labelsFrom({ a: 'bc' }))).not.toBe(seriesHash(labelsFrom({ ab: 'c' })));
  });

  it('spreads series evenly over partitions', () => {
    const counts = new Array<number>(8).fill(0);
    for (const s of generateBatch({ series: 8000, samplesPerSeries: 0 }).series)
      counts[partitionOf(seriesHash(s.labels), 8)]++;
    for (const c of counts) expect(c).toBeGreaterThan(800);
    expect(() => partitionOf(1n, 0)).toThrow(RangeError);
  });

  it('carries the hash the decoder computed over each label block, which is seriesHash of its labels', () => {
    const sent = generateBatch({ series: 100, samplesPerSeries: 1, seed: 12 });
    const { series } = decodeWriteRequest(encodeWriteRequestV1(sent), 'v1');
    const msg = decodeIngestMessage(encodeIngestMessage('t', series));
    msg.series.forEach((s, i) => {
      expect(s.hash).toBe(seriesHash(sent.series[i].labels));
      expect(s.hash).toBe(series[i].hash);
      expect(s.labels).toEqual(sent.series[i].labels);
    });
    const keys: number[] = [];
    IngestMessageView.read(encodeIngestMessage('t', series)).forEach((c) => keys.push(c.hashKey));
    expect(keys).toEqual(series.map((s) => Number(BigInt.asIntN(32, s.hash))));
    // The head's key: the low 52 bits, exact in a Number.
    const headKeys: number[] = [];
    IngestMessageView.read(encodeIngestMessage('t', series)).forEach((c) =>
      headKeys.push(c.hashLow52),
    );
    expect(headKeys).toEqual(series.map((s) => Number(s.hash & 0xfffffffffffffn)));
  });
});
