import { type Exemplar, IngestMessageView, encodeIngestMessage } from '@strata/remote-write';
import { Matcher, labelsFrom } from '@strata/tsdb';
import { PartitionHead } from './partition-head';

// Messages as the ingester reads them off the stream: label blocks and the router's hash.
const message = (t: number[], v: number[], name = 'm', exemplars: Exemplar[] = [], tenant = 't') =>
  IngestMessageView.read(
    encodeIngestMessage(tenant, [
      {
        labels: labelsFrom({ __name__: name, tenant_id: tenant }),
        timestamps: new Float64Array(t),
        values: new Float64Array(v),
        exemplars,
      },
    ]),
  );

const trace = (timestamp: number, value = 1): Exemplar => ({
  labels: [{ name: 'trace_id', value: `trace-${timestamp}` }],
  value,
  timestamp,
});

describe('PartitionHead', () => {
  it('applies in order, skips sequences already applied and counts refused samples by reason', () => {
    const p = new PartitionHead(0);
    expect(p.apply(5, message([1000, 2000], [1, 2]))).toEqual({
      appended: 2,
      rejected: null,
      exemplarsAppended: 0,
      exemplarsOutOfOrder: 0,
    });
    expect(p.apply(5, message([3000], [3])).appended).toBe(0);
    const stats = p.apply(7, message([1500, 2000, 4000], [9, 2, 4]));
    expect(stats.appended).toBe(2); // the repeat of (2000, 2) is a no-op append
    expect(stats.rejected?.get('t')?.get('out_of_order_sample')).toBe(1);
    expect(p.lastSeq).toBe(7);
    expect(p.head.seriesByLabels(labelsFrom({ __name__: 'm', tenant_id: 't' }))?.numSamples()).toBe(
      3,
    );
  });

  it('keeps series apart whose hashes collide, and finds series again after truncation removed others', () => {
    const p = new PartitionHead(0);
    p.apply(1, message([1000], [1], 'a'));
    p.apply(2, message([1000], [2], 'b'));
    // Force both label sets onto one key: the head must still tell them apart by their labels.
    const known = (p as unknown as { known: { byKey: Map<number, unknown> } }).known.byKey;
    const [first] = [...known.values()];
    for (const k of known.keys()) known.set(k, first);
    p.apply(3, message([2000], [3], 'a'));
    p.apply(4, message([2000], [4], 'b'));
    const samples = (name: string) =>
      p.head.seriesByLabels(labelsFrom({ __name__: name, tenant_id: 't' }))?.numSamples();
    expect([samples('a'), samples('b')]).toEqual([2, 2]);
    expect(p.head.numSeries()).toBe(2);

    p.apply(5, message([3_000_000], [5], 'c'));
    expect(p.truncate(2_500_000).removedSeries).toBe(2);
    p.apply(6, message([3_000_000, 3_015_000], [5, 6], 'c'));
    expect(samples('c')).toBe(2);
    expect(p.head.numSeries()).toBe(1);
  });

  it('stores exemplars per tenant, dropping repeats silently and counting out-of-order ones', () => {
    const p = new PartitionHead(0, { exemplarsPerTenant: 2 });
    expect(p.apply(1, message([1000], [1], 'm', [trace(1000), trace(900)]))).toMatchObject({
      exemplarsAppended: 1,
      exemplarsOutOfOrder: 1,
    });
    // A retried write resends its exemplars: the repeat of the newest is ignored.
    expect(p.apply(2, message([2000], [2], 'm', [trace(1000), trace(2000)]))).toMatchObject({
      exemplarsAppended: 1,
      exemplarsOutOfOrder: 0,
    });
    p.apply(3, message([1000], [1], 'm', [trace(1000)], 'other'));
    p.apply(4, message([3000], [3], 'm', [trace(3000, NaN)]));
    const held = (tenant: string) =>
      p.exemplars
        .select(tenant, 0, 10_000, [[new Matcher('=', '__name__', 'm')]])
        .flatMap((s) => s.exemplars.map((e) => e.timestamp));
    // Two per tenant: the third exemplar of tenant t overwrote its oldest, not the other tenant's.
    expect(held('t')).toEqual([2000, 3000]);
    expect(held('other')).toEqual([1000]);
    const restored = new PartitionHead(0, {
      exemplarsPerTenant: 2,
      exemplars: p.exemplars.entries(),
    });
    expect(restored.exemplars.select('t', 0, 10_000, [[]])).toEqual(
      p.exemplars.select('t', 0, 10_000, [[]]),
    );
  });

  it('attaches exemplars sent without samples to a series it holds, and never creates one for them', () => {
    const p = new PartitionHead(0);
    p.apply(1, message([1000], [1], 'm'));
    expect(p.apply(2, message([], [], 'm', [trace(1000)])).exemplarsAppended).toBe(1);
    expect(p.apply(3, message([], [], 'never_sampled', [trace(1000)])).exemplarsAppended).toBe(0);
    expect(p.head.numSeries()).toBe(1);
    expect(p.exemplars.select('t', 0, 10_000, [[]]).map((s) => s.exemplars.length)).toEqual([1]);
  });
});
