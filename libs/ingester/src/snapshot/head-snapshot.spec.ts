import { xxh32 } from '@node-rs/xxhash';
import { Head, labelsFrom } from '@strata/tsdb';
import { CorruptSnapshotError, decodeHeadSnapshot, encodeHeadSnapshot } from './head-snapshot';

function samplesOf(head: Head): Record<string, Array<[number, number]>> {
  const out: Record<string, Array<[number, number]>> = {};
  for (const s of head.querier(-Infinity, Infinity).select([])) {
    const it = s.iterator();
    const xs: Array<[number, number]> = [];
    while (it.next()) xs.push([it.t, it.v]);
    out[s.labels.map((l) => `${l.name}=${l.value}`).join(',')] = xs;
  }
  return out;
}

describe('head snapshots', () => {
  it('round-trips closed chunks, the open chunk, append state and out-of-order samples', () => {
    const head = new Head({ outOfOrderWindow: 60_000 });
    const a = labelsFrom({ __name__: 'a', tenant_id: 't1' });
    const b = labelsFrom({ __name__: 'b', tenant_id: 't2', x: 'é' });
    for (let i = 0; i < 300; i++) head.append(a, 1_000_000 + i * 1000, i * 1.5);
    head.append(b, 1_000_000, NaN);
    head.append(b, 1_280_000, 2);
    head.append(b, 1_250_000, 3); // out of order, inside the window
    const bytes = encodeHeadSnapshot(3, 4242, head);
    const restored = decodeHeadSnapshot(bytes, { outOfOrderWindow: 60_000 });
    expect(restored.partition).toBe(3);
    expect(restored.coveredSeq).toBe(4242);
    expect(restored.head.numSeries()).toBe(2);
    expect(restored.head.maxT).toBe(head.maxT);
    expect(samplesOf(restored.head)).toEqual(samplesOf(head));
    expect(Object.fromEntries(restored.head.activeSeriesByTenant())).toEqual({ t1: 1, t2: 1 });
    // Appending continues where the original left off: a repeat is a no-op, an older sample is refused.
    restored.head.append(a, 1_000_000 + 299_000, 299 * 1.5);
    restored.head.append(a, 1_000_000 + 300_000, 1);
    expect(() => restored.head.append(a, 1_000_000 + 100_500, 1)).toThrow();
    expect(restored.head.seriesByLabels(a)?.numSamples()).toBe(301);
  });

  it('round-trips exemplars per tenant, oldest first, and family metadata', () => {
    const head = new Head();
    head.append(labelsFrom({ __name__: 'a', tenant_id: 't1' }), 1000, 1);
    const exemplars = [
      { tenant: 't1', pairs: ['__name__', 'a', 'tenant_id', 't1'], t: 1000, v: 0.25 },
      { tenant: 't2', pairs: ['__name__', 'gone', 'tenant_id', 't2'], t: 900, v: NaN },
      { tenant: 't1', pairs: ['__name__', 'a', 'tenant_id', 't1'], t: 2000, v: -Infinity },
    ].map(({ tenant, pairs, t, v }) => ({
      tenant,
      pairs,
      exemplar: { labels: [{ name: 'trace_id', value: `trace-${t}` }], value: v, timestamp: t },
    }));
    const metadata = [
      {
        tenant: 't1',
        family: { metricFamilyName: 'a', type: 'counter' as const, help: 'A.', unit: '' },
      },
      {
        tenant: 't2',
        family: { metricFamilyName: 'a', type: 'gauge' as const, help: '', unit: 'bytes' },
      },
    ];
    const restored = decodeHeadSnapshot(encodeHeadSnapshot(0, 7, head, { exemplars, metadata }));
    expect(restored.exemplars).toEqual(exemplars);
    expect(restored.metadata).toEqual(metadata);
  });

  it('still reads a version 1 file, written before snapshots held exemplars', () => {
    const head = new Head();
    head.append(labelsFrom({ __name__: 'a' }), 1000, 1);
    const v2 = encodeHeadSnapshot(0, 1, head);
    // Version 1 is version 2 without the exemplar and metadata counts (two zero bytes before the trailer).
    const v1 = Buffer.concat([v2.subarray(0, v2.length - 6), Buffer.alloc(4)]);
    v1[4] = 1;
    v1.writeUInt32LE(xxh32(v1.subarray(0, v1.length - 4)), v1.length - 4);
    const restored = decodeHeadSnapshot(v1);
    expect(samplesOf(restored.head)).toEqual(samplesOf(head));
    expect(restored.exemplars).toEqual([]);
    expect(restored.metadata).toEqual([]);
  });

  it('refuses a corrupt or truncated file', () => {
    const head = new Head();
    head.append(labelsFrom({ __name__: 'a' }), 1000, 1);
    const bytes = encodeHeadSnapshot(0, 1, head);
    const flipped = Buffer.from(bytes);
    flipped[10] ^= 0xff;
    expect(() => decodeHeadSnapshot(flipped)).toThrow(CorruptSnapshotError);
    expect(() => decodeHeadSnapshot(bytes.subarray(0, bytes.length - 5))).toThrow(
      CorruptSnapshotError,
    );
  });
});
