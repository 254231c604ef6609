import { plainBatch } from '../testing/plain-batch';
import { decodeV1 } from '../testing/reference-decode-v1';
import { decodeV2 } from '../testing/reference-decode-v2';
import { marshalWriteRequestV1, marshalWriteRequestV2 } from '../testing/encode';
import { RemoteWriteError } from './errors';
import { fastDecodeV1 } from './fast-decode-v1';
import { fastDecodeV2 } from './fast-decode-v2';
import { generateBatch, rng } from '../testing/generate';
import { type InjectedLabel, LabelInjection } from './label-block-builder';
import { V2Encode } from '../testing/proto';
import { type WriteBatch } from './types';
import { DEFAULT_VALIDATION } from './validate';

// The streaming decoders must agree with protobufjs' reflection decoders (the reference).
const o = { ...DEFAULT_VALIDATION, rejectZeroTimestamps: false };

function outcome(fn: () => WriteBatch): unknown {
  try {
    return plainBatch(fn());
  } catch (e) {
    if (e instanceof RemoteWriteError) return e.code;
    throw e;
  }
}

describe('streaming decoders agree with the protobufjs reflection decoders', () => {
  it('on generated batches, with metadata, exemplars and non-ASCII text', () => {
    const rand = rng(77);
    for (let k = 0; k < 20; k++) {
      const b = generateBatch({
        series: 1 + Math.floor(rand() * 100),
        samplesPerSeries: Math.floor(rand() * 4),
        exemplarEvery: 3,
        seed: k,
        extraLabels: k % 4,
      });
      const withText: WriteBatch = {
        series: b.series.map((s, i) =>
          i % 5 === 0
            ? {
                ...s,
                labels: [...s.labels, { name: 'zz', value: `ünï ${i} 🌍` }],
                metadata: { type: 'gauge', help: 'h ✓', unit: 'u' },
                createdTimestamp: 5,
              }
            : s,
        ),
        metadata: [
          { metricFamilyName: 'metric_0_total', type: 'counter', help: 'Help é', unit: '' },
        ],
      };
      const v1 = Buffer.from(marshalWriteRequestV1(withText));
      const v2 = Buffer.from(marshalWriteRequestV2(withText));
      expect(outcome(() => fastDecodeV1(v1, o))).toEqual(outcome(() => decodeV1(v1, o)));
      expect(outcome(() => fastDecodeV2(v2, o))).toEqual(outcome(() => decodeV2(v2, o)));
    }
  });

  it('on randomly corrupted bodies: whatever the streaming decoder accepts, the reference decodes identically', () => {
    const rand = rng(99);
    const base = generateBatch({ series: 20, samplesPerSeries: 2, exemplarEvery: 4, seed: 3 });
    const bodies = [
      Buffer.from(marshalWriteRequestV1(base)),
      Buffer.from(marshalWriteRequestV2(base)),
    ];
    let accepted = 0;
    for (let k = 0; k < 600; k++) {
      const version = k % 2;
      const body = Buffer.from(bodies[version]);
      const flips = 1 + Math.floor(rand() * 3);
      for (let f = 0; f < flips; f++)
        body[Math.floor(rand() * body.length)] = Math.floor(rand() * 256);
      const fast = outcome(() => (version === 0 ? fastDecodeV1(body, o) : fastDecodeV2(body, o)));
      if (typeof fast === 'string') continue;
      accepted++;
      expect(fast).toEqual(outcome(() => (version === 0 ? decodeV1(body, o) : decodeV2(body, o))));
    }
    expect(accepted).toBeGreaterThan(50);
  });

  it('merge injected labels as Prometheus applies external labels, for ASCII and non-ASCII series alike', () => {
    const rand = rng(5);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
    const names = ['a', 'cluster', 'env', 'job', 'region', 'tenant_id', 'zone', 'zz'];
    const values = ['', 'x', 'eu-1', 'ü', '🌍 prod', 'v'.repeat(40)];
    for (let k = 0; k < 300; k++) {
      const labels = [{ name: '__name__', value: pick(['up', 'ünits_total']) }];
      for (const name of names) if (rand() < 0.4) labels.push({ name, value: pick(values) });
      const injected: InjectedLabel[] = [];
      for (const name of names)
        if (rand() < 0.3)
          injected.push({ name, value: pick(values.slice(1)), override: rand() < 0.5 });
      // Reference: an injected label replaces the sender's when it overrides or the sender's is
      // empty (absent), fills in a missing one otherwise; empty values are dropped.
      const expected = new Map(labels.filter((l) => l.value !== '').map((l) => [l.name, l.value]));
      for (const i of injected)
        if (i.override || !expected.has(i.name)) expected.set(i.name, i.value);
      const want = [...expected]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([name, value]) => ({ name, value }));
      const batch: WriteBatch = {
        series: [
          { labels, timestamps: Float64Array.of(1000), values: Float64Array.of(1), exemplars: [] },
        ],
        metadata: [],
      };
      const injection = new LabelInjection(injected);
      const v1 = fastDecodeV1(Buffer.from(marshalWriteRequestV1(batch)), o, injection);
      const v2 = fastDecodeV2(Buffer.from(marshalWriteRequestV2(batch)), o, injection);
      expect(v1.series[0].labels).toEqual(want);
      expect(v2.series[0].labels).toEqual(want);
    }
  });

  it('accepts unpacked label refs and symbols placed after the series', () => {
    const packed = Buffer.from(
      V2Encode.encode({
        symbols: ['', '__name__', 'up'],
        timeseries: [{ labelsRefs: [1, 2], samples: [{ value: 1, timestamp: 7 }] }],
      }).finish(),
    );
    // Hand-built: timeseries (field 5) first with unpacked refs (two field-1 varints), then symbols.
    const ts = Buffer.from([
      0x08, 0x01, 0x08, 0x02, 0x12, 0x0b, 0x09, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0x10, 0x07,
    ]);
    const sym = (s: string): Buffer =>
      Buffer.concat([Buffer.from([0x22, s.length]), Buffer.from(s)]);
    const reordered = Buffer.concat([
      Buffer.from([0x2a, ts.length]),
      ts,
      sym(''),
      sym('__name__'),
      sym('up'),
    ]);
    expect(plainBatch(fastDecodeV2(reordered, o))).toEqual(plainBatch(fastDecodeV2(packed, o)));
  });
});
