import { IngestMessageView, encodeIngestMessage } from '@strata/remote-write';
import { labelsFrom } from '@strata/tsdb';
import { PartitionHead } from './partition-head';

// Messages as the ingester reads them off the stream: label blocks and the router's hash.
const message = (t: number[], v: number[], name = 'm') =>
  IngestMessageView.read(
    encodeIngestMessage('t', [
      {
        labels: labelsFrom({ __name__: name, tenant_id: 't' }),
        timestamps: new Float64Array(t),
        values: new Float64Array(v),
        exemplars: [],
      },
    ]),
  );

describe('PartitionHead', () => {
  it('applies in order, skips sequences already applied and counts refused samples by reason', () => {
    const p = new PartitionHead(0);
    expect(p.apply(5, message([1000, 2000], [1, 2]))).toEqual({ appended: 2, rejected: null });
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
    const known = (p as unknown as { known: Map<number, unknown> }).known;
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
});
