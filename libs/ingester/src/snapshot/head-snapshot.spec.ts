import { xxh32 } from '@node-rs/xxhash';
import { Head, labelsFrom } from '@strata/tsdb';
import { ByteWriter } from './byte-io';
import {
  CorruptSnapshotError,
  type HeadSnapshot,
  SNAPSHOT_MAGIC,
  decodeHeadSnapshot,
  encodeHeadSnapshot,
} from './head-snapshot';

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

const stateOf = (tenant: string, head: Head, discarded: Array<[string, number]> = []) => ({
  tenant,
  head,
  discarded: new Map(discarded),
});
const headOf = (snap: HeadSnapshot, tenant: string): Head => {
  const t = snap.tenants.find((x) => x.tenant === tenant);
  if (!t) throw new Error(`no head for ${tenant}`);
  return t.head;
};

/** A file of the version 1 or 2 layout (one head for all tenants), written byte by byte as those versions did. */
function legacyFile(
  version: 1 | 2,
  minValidTime: number,
  series: Array<{ labels: Record<string, string>; samples: Array<[number, number]> }>,
): Buffer {
  const symbols: string[] = [];
  const ref = (x: string) => (symbols.includes(x) ? symbols.indexOf(x) : symbols.push(x) - 1);
  const body = new ByteWriter();
  body.uvarint(series.length);
  for (const s of series) {
    const pairs = Object.entries(s.labels).sort(([a], [b]) => (a < b ? -1 : 1));
    body.uvarint(pairs.length);
    for (const [n, v] of pairs) {
      body.uvarint(ref(n));
      body.uvarint(ref(v));
    }
    body.uvarint(0); // closed chunks
    body.uvarint(s.samples.length);
    for (const [t, v] of s.samples) {
      body.f64(t);
      body.f64(v);
    }
    const [lastT, lastV] = s.samples[s.samples.length - 1];
    body.f64(lastT);
    body.f64(lastV);
    body.f64((Math.floor(lastT / 7_200_000) + 1) * 7_200_000);
    body.uvarint(0); // out-of-order samples
  }
  if (version === 2) {
    body.uvarint(0); // exemplars
    body.uvarint(0); // metadata
  }
  const out = new ByteWriter();
  out.u32(SNAPSHOT_MAGIC);
  out.u8(version);
  out.u32(0);
  out.f64(99);
  out.f64(minValidTime);
  out.uvarint(symbols.length);
  for (const x of symbols) out.str(x);
  const file = Buffer.concat([out.result(), body.result(), Buffer.alloc(4)]);
  file.writeUInt32LE(xxh32(file.subarray(0, file.length - 4)), file.length - 4);
  return file;
}

describe('head snapshots', () => {
  it('round-trips closed chunks, the open chunk, append state and out-of-order samples', () => {
    const head = new Head({ outOfOrderWindow: 60_000 });
    const a = labelsFrom({ __name__: 'a', tenant_id: 't1' });
    const b = labelsFrom({ __name__: 'b', tenant_id: 't1', x: 'é' });
    for (let i = 0; i < 300; i++) head.append(a, 1_000_000 + i * 1000, i * 1.5);
    head.append(b, 1_000_000, NaN);
    head.append(b, 1_280_000, 2);
    head.append(b, 1_250_000, 3); // out of order, inside the window
    const bytes = encodeHeadSnapshot(3, 4242, [stateOf('t1', head)]);
    const restored = decodeHeadSnapshot(bytes);
    expect(restored.partition).toBe(3);
    expect(restored.coveredSeq).toBe(4242);
    const back = headOf(restored, 't1');
    expect(back.numSeries()).toBe(2);
    expect(back.maxT).toBe(head.maxT);
    expect(back.outOfOrderWindow).toBe(60_000);
    expect(samplesOf(back)).toEqual(samplesOf(head));
    // Appending continues where the original left off: a repeat is a no-op, an older sample is refused.
    back.append(a, 1_000_000 + 299_000, 299 * 1.5);
    back.append(a, 1_000_000 + 300_000, 1);
    expect(() => back.append(a, 1_000_000 + 100_500, 1)).toThrow();
    expect(back.seriesByLabels(a)?.numSamples()).toBe(301);
  });

  it("round-trips several tenants' heads, each with its own bounds, window and discarded samples", () => {
    const busy = new Head();
    const lagging = new Head({ outOfOrderWindow: 600_000 });
    const empty = new Head();
    const hour = 3_600_000;
    const t0 = 1_700_000_000_000;
    busy.append(labelsFrom({ __name__: 'm', tenant_id: 'busy' }), t0 + 5 * hour, 1);
    lagging.append(labelsFrom({ __name__: 'm', tenant_id: 'lagging' }), t0, 2);
    lagging.minValidTime = t0 - hour;
    const bytes = encodeHeadSnapshot(1, 10, [
      stateOf('busy', busy, [['out_of_bounds', 4]]),
      stateOf('lagging', lagging, [
        ['out_of_order_sample', 2],
        ['duplicate_sample_for_timestamp', 1],
      ]),
      stateOf('empty', empty),
    ]);
    const restored = decodeHeadSnapshot(bytes);
    expect(
      restored.tenants.map((t) => ({
        tenant: t.tenant,
        series: t.head.numSeries(),
        maxT: t.head.maxT,
        minValidTime: t.head.minValidTime,
        window: t.head.outOfOrderWindow,
        discarded: Object.fromEntries(t.discarded ?? []),
      })),
    ).toEqual([
      {
        tenant: 'busy',
        series: 1,
        maxT: t0 + 5 * hour,
        minValidTime: -Infinity,
        window: 0,
        discarded: { out_of_bounds: 4 },
      },
      {
        tenant: 'lagging',
        series: 1,
        maxT: t0,
        minValidTime: t0 - hour,
        window: 600_000,
        discarded: { out_of_order_sample: 2, duplicate_sample_for_timestamp: 1 },
      },
      {
        tenant: 'empty',
        series: 0,
        maxT: -Infinity,
        minValidTime: -Infinity,
        window: 0,
        discarded: {},
      },
    ]);
    // The lagging tenant's head still takes its own next sample, five hours behind the busy one.
    headOf(restored, 'lagging').append(
      labelsFrom({ __name__: 'm', tenant_id: 'lagging' }),
      t0 + 15_000,
      3,
    );
    expect(samplesOf(headOf(restored, 'lagging'))).toEqual({
      '__name__=m,tenant_id=lagging': [
        [t0, 2],
        [t0 + 15_000, 3],
      ],
    });
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
    const restored = decodeHeadSnapshot(
      encodeHeadSnapshot(0, 7, [stateOf('t1', head)], { exemplars, metadata }),
    );
    expect(restored.exemplars).toEqual(exemplars);
    expect(restored.metadata).toEqual(metadata);
  });

  it("splits a version 2 file's shared head into tenant heads, so one tenant's far-future sample no longer bounds the others", () => {
    const now = 1_800_000_000_000;
    const file = legacyFile(2, now - 86_400_000, [
      { labels: { __name__: 'up', tenant_id: 'other' }, samples: [[7_258_118_400_000, 1]] }, // 2200-01-01
      {
        labels: { __name__: 'up', tenant_id: 'lab', job: 'a' },
        samples: [
          [now - 60_000, 1],
          [now, 1],
        ],
      },
      { labels: { __name__: 'up', tenant_id: 'lab', job: 'b' }, samples: [[now, 2]] },
    ]);
    const restored = decodeHeadSnapshot(file);
    expect(restored.coveredSeq).toBe(99);
    expect(restored.tenants.map((t) => [t.tenant, t.head.numSeries()])).toEqual([
      ['other', 1],
      ['lab', 2],
    ]);
    const lab = headOf(restored, 'lab');
    expect(lab.maxT).toBe(now);
    expect(lab.minValidTime).toBe(now - 86_400_000);
    lab.append(labelsFrom({ __name__: 'up', tenant_id: 'lab', job: 'a' }), now + 15_000, 3);
    expect(
      lab.seriesByLabels(labelsFrom({ __name__: 'up', tenant_id: 'lab', job: 'a' }))?.numSamples(),
    ).toBe(3);
    expect(restored.exemplars).toEqual([]);
  });

  it('still reads a version 1 file, written before snapshots held exemplars', () => {
    const restored = decodeHeadSnapshot(
      legacyFile(1, -Infinity, [
        { labels: { __name__: 'a', tenant_id: 't' }, samples: [[1000, 1]] },
      ]),
    );
    expect(samplesOf(headOf(restored, 't'))).toEqual({ '__name__=a,tenant_id=t': [[1000, 1]] });
    expect(restored.exemplars).toEqual([]);
    expect(restored.metadata).toEqual([]);
  });

  it('refuses a corrupt or truncated file', () => {
    const head = new Head();
    head.append(labelsFrom({ __name__: 'a' }), 1000, 1);
    const bytes = encodeHeadSnapshot(0, 1, [stateOf('', head)]);
    const flipped = Buffer.from(bytes);
    flipped[10] ^= 0xff;
    expect(() => decodeHeadSnapshot(flipped)).toThrow(CorruptSnapshotError);
    expect(() => decodeHeadSnapshot(bytes.subarray(0, bytes.length - 5))).toThrow(
      CorruptSnapshotError,
    );
  });
});
