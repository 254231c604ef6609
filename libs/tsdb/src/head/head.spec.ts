import { Head } from './head';
import { newSeriesRefusal } from './head-append';
import { matcher } from '../index/matchers';
import { type LabelBlockRef, labelBlockHash, labelBlockOf } from '../label-block';
import { type Labels, labelsFrom } from '../labels';
import { type SampleIterator } from '../iterator';
import { STALE_NAN } from '@strata/contracts';

const lbls = (o: Record<string, string>): Labels => labelsFrom(o);

function drain(it: SampleIterator): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  while (it.next()) out.push([it.t, it.v]);
  return out;
}

function samplesOf(
  head: Head,
  labels: Record<string, string>,
  mint = -Infinity,
  maxt = Infinity,
): Array<[number, number]> {
  const ms = Object.entries(labels).map(([k, v]) => matcher('=', k, v));
  const [s] = head.querier(mint, maxt).select(ms);
  return s ? drain(s.iterator()) : [];
}

describe('Head appends', () => {
  it('returns a stable ref and appends by ref or by labels', () => {
    const h = new Head();
    const ref = h.append(lbls({ __name__: 'up', job: 'a' }), 1000, 1);
    expect(h.append(ref, 2000, 2)).toBe(ref);
    expect(h.append(lbls({ __name__: 'up', job: 'a' }), 3000, 3)).toBe(ref);
    expect(samplesOf(h, { job: 'a' })).toEqual([
      [1000, 1],
      [2000, 2],
      [3000, 3],
    ]);
  });

  it('rejects out-of-order samples without an OOO window', () => {
    const h = new Head();
    const ref = h.append(lbls({ __name__: 'x' }), 2000, 1);
    expect(() => h.append(ref, 1000, 1)).toThrow(
      expect.objectContaining({
        code: 'out_of_order_sample',
        message: expect.stringContaining('out of order sample'),
      }),
    );
  });

  it('treats a repeated sample as a no-op and a changed value as a duplicate', () => {
    const h = new Head();
    const ref = h.append(lbls({ __name__: 'x' }), 1000, 1);
    h.append(ref, 1000, 1);
    h.append(lbls({ __name__: 'y' }), 1000, NaN);
    expect(() => h.append(lbls({ __name__: 'y' }), 1000, NaN)).not.toThrow();
    const stale = h.append(lbls({ __name__: 'z' }), 1000, STALE_NAN);
    const quieted = new DataView(new ArrayBuffer(8));
    quieted.setUint32(0, 0x7ff80000);
    quieted.setUint32(4, 2);
    expect(() => h.append(stale, 1000, quieted.getFloat64(0))).not.toThrow();
    expect(() => h.append(ref, 1000, 2)).toThrow(
      expect.objectContaining({
        code: 'duplicate_sample_for_timestamp',
        message: 'duplicate sample for timestamp 1000',
      }),
    );
    expect(h.seriesByRef(ref)!.numSamples()).toBe(1);
  });

  it('rejects samples older than half a chunk range behind the head as out of bounds', () => {
    const h = new Head({ chunkRange: 10_000 });
    h.append(lbls({ __name__: 'a' }), 100_000, 1);
    expect(() => h.append(lbls({ __name__: 'b' }), 94_999, 1)).toThrow(
      expect.objectContaining({ code: 'out_of_bounds' }),
    );
    expect(() => h.append(lbls({ __name__: 'c' }), 95_000, 1)).not.toThrow();
  });

  it('rejects samples before the truncation point as out of bounds', () => {
    const h = new Head();
    h.append(lbls({ __name__: 'a' }), 5000, 1);
    h.truncate(4000);
    expect(() => h.append(lbls({ __name__: 'b' }), 3999, 1)).toThrow(
      expect.objectContaining({ code: 'out_of_bounds' }),
    );
  });

  it('accepts out-of-order samples within the window and merges them on read', () => {
    const h = new Head({ outOfOrderWindow: 60_000 });
    const ref = h.append(lbls({ __name__: 'x' }), 100_000, 10);
    h.append(ref, 110_000, 11);
    h.append(ref, 105_000, 10.5);
    h.append(ref, 50_000, 5);
    h.append(ref, 50_000, 5); // same value: no-op
    expect(() => h.append(ref, 50_000, 6)).toThrow(
      expect.objectContaining({ code: 'duplicate_sample_for_timestamp' }),
    );
    expect(() => h.append(ref, 49_999, 1)).toThrow(
      expect.objectContaining({ code: 'too_old_sample' }),
    );
    expect(samplesOf(h, { __name__: 'x' })).toEqual([
      [50_000, 5],
      [100_000, 10],
      [105_000, 10.5],
      [110_000, 11],
    ]);
    expect(samplesOf(h, { __name__: 'x' }, 60_000, 105_000)).toEqual([
      [100_000, 10],
      [105_000, 10.5],
    ]);
  });

  it('treats an out-of-order sample on an in-order timestamp as a repeat or a duplicate', () => {
    const h = new Head({ outOfOrderWindow: 60_000 });
    const ref = h.append(lbls({ __name__: 'x' }), 100_000, 1);
    h.append(ref, 110_000, 2);
    h.append(ref, 120_000, 3);
    expect(() => h.append(ref, 110_000, 2)).not.toThrow();
    expect(() => h.append(ref, 110_000, 9)).toThrow(
      expect.objectContaining({ code: 'duplicate_sample_for_timestamp' }),
    );
    expect(samplesOf(h, { __name__: 'x' })).toHaveLength(3);
  });

  it('cuts a chunk every 120 samples and at chunk range boundaries', () => {
    const h = new Head({ chunkRange: 7_200_000 });
    const ref = h.append(lbls({ __name__: 'x' }), 0, 0);
    for (let i = 1; i < 250; i++) h.append(ref, i * 1000, i);
    const s = h.seriesByRef(ref)!;
    expect(s.chunks.map((c) => [c.minT, c.maxT])).toEqual([
      [0, 119_000],
      [120_000, 239_000],
    ]);
    expect(s.headChunk!.numSamples()).toBe(10);
    expect(h.stats()).toMatchObject({
      series: 1,
      chunks: 3,
      oooSamples: 0,
      minT: 0,
      maxT: 249_000,
    });
    expect(h.stats().chunkBytes).toBeLessThan(250 * 2);
    h.append(ref, 7_199_999, 1);
    h.append(ref, 7_200_000, 2);
    expect(s.chunks[s.chunks.length - 1].maxT).toBe(7_199_999);
    expect(samplesOf(h, { __name__: 'x' })).toHaveLength(252);
  });

  it('appends a batch of samples, counting rejections without stopping', () => {
    const h = new Head();
    const r = h.appendSamples(
      lbls({ __name__: 'x' }),
      [1000, 2000, 1500, 2000, 2000, 3000],
      [1, 2, 9, 2, 5, 3],
    );
    expect(r.appended).toBe(4); // the repeat of (2000, 2) counts as appended, as a no-op
    expect(r.rejected).toEqual({ out_of_order_sample: 1, duplicate_sample_for_timestamp: 1 });
    expect(r.firstError?.code).toBe('out_of_order_sample');
    expect(samplesOf(h, { __name__: 'x' })).toEqual([
      [1000, 1],
      [2000, 2],
      [3000, 3],
    ]);
  });

  it('rejects unsorted label sets and empty names', () => {
    const h = new Head();
    expect(() =>
      h.append(
        [
          { name: 'b', value: '1' },
          { name: 'a', value: '2' },
        ],
        1,
        1,
      ),
    ).toThrow(expect.objectContaining({ code: 'invalid_labels' }));
    expect(() => h.append([{ name: '', value: '1' }], 1, 1)).toThrow(
      expect.objectContaining({ code: 'invalid_labels' }),
    );
    expect(() => h.append(999, 1, 1)).toThrow(
      expect.objectContaining({ code: 'series_not_found' }),
    );
  });
});

describe('Head series from label blocks', () => {
  // The key the write path carries with a block: the low 52 bits of its xxhash64.
  const keyOf = (b: LabelBlockRef): number => Number(labelBlockHash(b) & 0xfffffffffffffn);
  const blockOf = (o: Record<string, string>): LabelBlockRef => labelBlockOf(lbls(o));

  it('finds a series created from its block by labels and by block, and the other way round', () => {
    const h = new Head();
    const a = blockOf({ __name__: 'up', job: 'api', zone: 'zürich' });
    expect(h.seriesByBlock(a, keyOf(a))).toBeUndefined();
    const created = h.createFromBlock(a, keyOf(a));
    expect(created.labels()).toEqual(lbls({ __name__: 'up', job: 'api', zone: 'zürich' }));
    expect(h.getOrCreate(lbls({ __name__: 'up', job: 'api', zone: 'zürich' }))).toBe(created);
    expect(h.seriesByBlock(a, keyOf(a))).toBe(created);
    const byLabels = h.getOrCreate(lbls({ __name__: 'up', job: 'db' }));
    const b = blockOf({ __name__: 'up', job: 'db' });
    expect(h.seriesByBlock(b, keyOf(b))).toBe(byLabels);
    // A longer or shorter block under the same key is another series.
    const longer = blockOf({ __name__: 'up', job: 'dbx' });
    expect(h.seriesByBlock(longer, keyOf(b))).toBeUndefined();
    expect(h.seriesByBlock(blockOf({ __name__: 'up' }), keyOf(b))).toBeUndefined();
    expect(h.numSeries()).toBe(2);
    expect(samplesOf(h, { job: 'api' })).toEqual([]);
    h.appendTo(created, 1000, 1);
    expect(samplesOf(h, { zone: 'zürich' })).toEqual([[1000, 1]]);
  });

  it('keeps series apart whose keys collide, and texts apart whose intern hashes collide', () => {
    const h = new Head();
    // "Aa" and "BB" have the same 31-multiplier hash, the intern table's.
    const a = h.createFromBlock(blockOf({ job: 'Aa' }), 7);
    const b = h.createFromBlock(blockOf({ job: 'BB' }), 7);
    expect([a.labels(), b.labels()]).toEqual([lbls({ job: 'Aa' }), lbls({ job: 'BB' })]);
    expect(h.seriesByBlock(blockOf({ job: 'BB' }), 7)).toBe(b);
    expect(h.seriesByBlock(blockOf({ job: 'Aa' }), 7)).toBe(a);
    expect(h.querier(0, 1).labelValues('job')).toEqual(['Aa', 'BB']);
  });

  it('keeps every text right when many share one intern hash (past the shared limit)', () => {
    const h = new Head();
    // Every string of eight "Aa"/"BB" pieces has the same 31-multiplier hash: 256 of them.
    const texts = Array.from({ length: 256 }, (_, n) =>
      Array.from({ length: 8 }, (_, bit) => ((n >> bit) & 1 ? 'BB' : 'Aa')).join(''),
    );
    texts.forEach((pod, n) => {
      if (n % 2 === 0) h.createFromBlock(blockOf({ pod }), n);
      else h.getOrCreate(lbls({ pod }));
    });
    expect(h.numSeries()).toBe(256);
    expect(h.querier(0, 1).labelValues('pod')).toEqual([...texts].sort());
    texts.forEach((pod, n) => {
      if (n % 2 === 0)
        expect(h.seriesByBlock(blockOf({ pod }), n)?.labels()).toEqual(lbls({ pod }));
    });
  });

  it('refuses blocks with unsorted or empty names, and malformed blocks', () => {
    const h = new Head();
    const unsorted = Buffer.from('job\xffa\xff__name__\xffup\xff', 'latin1');
    expect(() => h.createFromBlock({ buf: unsorted, start: 0, end: unsorted.length }, 1)).toThrow(
      expect.objectContaining({ code: 'invalid_labels' }),
    );
    const empty = Buffer.from('\xffa\xff', 'latin1');
    expect(() => h.createFromBlock({ buf: empty, start: 0, end: empty.length }, 1)).toThrow(
      expect.objectContaining({ code: 'invalid_labels' }),
    );
    const cut = Buffer.from('job\xffa', 'latin1');
    expect(() => h.createFromBlock({ buf: cut, start: 0, end: cut.length }, 1)).toThrow(RangeError);
    expect(h.numSeries()).toBe(0);
  });
});

describe('newSeriesRefusal', () => {
  it('gives the error a first sample of a new series would get, so refused samples create no series', () => {
    const hour = 3_600_000;
    const h = new Head();
    h.append(labelsFrom({ __name__: 'a' }), 10 * hour, 1);
    h.minValidTime = 2 * hour;
    const code = (t: number) => newSeriesRefusal(h, t)?.code ?? null;
    expect([code(10 * hour + 1), code(9 * hour), code(9 * hour - 1), code(2 * hour - 1)]).toEqual([
      null,
      null,
      'out_of_bounds',
      'out_of_bounds',
    ]);
    h.outOfOrderWindow = 4 * hour;
    expect([code(6 * hour), code(6 * hour - 1)]).toEqual([null, 'too_old_sample']);
    h.outOfOrderWindow = 9 * hour;
    expect(code(2 * hour - 1)).toBe('out_of_bounds');
  });
});

describe('Head tenants and garbage collection', () => {
  it('counts active series per tenant and enforces the per-tenant limit', () => {
    const h = new Head({ maxSeriesPerTenant: 2 });
    h.append(lbls({ __name__: 'a', tenant_id: 't1' }), 1, 1);
    h.append(lbls({ __name__: 'b', tenant_id: 't1' }), 1, 1);
    h.append(lbls({ __name__: 'a', tenant_id: 't2' }), 1, 1);
    expect(h.activeSeries('t1')).toBe(2);
    expect(h.activeSeries('t2')).toBe(1);
    expect(() => h.append(lbls({ __name__: 'c', tenant_id: 't1' }), 1, 1)).toThrow(
      expect.objectContaining({ code: 'series_limit_exceeded' }),
    );
    expect(h.append(lbls({ __name__: 'a', tenant_id: 't1' }), 2, 1)).toBeGreaterThan(0);
  });

  it('drops old chunks and series without samples on truncation', () => {
    const h = new Head();
    const old = h.append(lbls({ __name__: 'old', tenant_id: 't' }), 1000, 1);
    const live = h.append(lbls({ __name__: 'live', tenant_id: 't' }), 1000, 1);
    h.append(live, 9000, 2);
    const res = h.truncate(5000);
    expect(res.removedSeries).toBe(1);
    expect(h.seriesByRef(old)).toBeUndefined();
    expect(h.activeSeries('t')).toBe(1);
    expect(h.querier(0, 10_000).labelValues('__name__')).toEqual(['live']);
    expect(samplesOf(h, { __name__: 'live' })).toEqual([[9000, 2]]);
    // A recreated series gets a new ref.
    expect(h.append(lbls({ __name__: 'old', tenant_id: 't' }), 9500, 1)).not.toBe(old);
  });

  it('garbage-collects series inactive since a time', () => {
    const h = new Head();
    h.append(lbls({ __name__: 'a' }), 1000, 1);
    h.append(lbls({ __name__: 'b' }), 5000, 1);
    expect(h.gcInactive(2000)).toBe(1);
    expect(h.numSeries()).toBe(1);
  });
});

describe('HeadQuerier', () => {
  const h = new Head();
  h.append(lbls({ __name__: 'up', job: 'api', instance: 'a' }), 1000, 1);
  h.append(lbls({ __name__: 'up', job: 'api', instance: 'b' }), 1000, 0);
  h.append(lbls({ __name__: 'up', job: 'db', instance: 'c', zone: 'z1' }), 50_000, 1);

  it('selects matching series sorted by labels, only when they have samples in range', () => {
    const q = h.querier(0, 2000);
    const got = q
      .select([matcher('=', '__name__', 'up')])
      .map((s) => s.labels.find((l) => l.name === 'instance')!.value);
    expect(got).toEqual(['a', 'b']);
  });

  it('lists label names and values, filtered by matchers and limited', () => {
    const q = h.querier(0, 100_000);
    expect(q.labelNames()).toEqual(['__name__', 'instance', 'job', 'zone']);
    expect(q.labelNames([matcher('=', 'job', 'api')])).toEqual(['__name__', 'instance', 'job']);
    expect(q.labelValues('instance')).toEqual(['a', 'b', 'c']);
    expect(q.labelValues('instance', [matcher('=~', 'job', 'd.*')])).toEqual(['c']);
    expect(q.labelValues('instance', [], { limit: 2 })).toEqual(['a', 'b']);
  });
});
