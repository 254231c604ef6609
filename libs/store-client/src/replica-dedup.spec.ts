import { labelsFrom } from '@strata/tsdb';
import { type ReplicaSeries, dedupPair, dedupReplicas } from './replica-dedup';

const s = (
  labels: Record<string, string>,
  ts: number[],
  value = (t: number) => t / 1000,
): ReplicaSeries => ({
  labels: labelsFrom(labels),
  timestamps: Float64Array.from(ts),
  values: Float64Array.from(ts.map(value)),
});
const range = (from: number, to: number, step: number, offset = 0) =>
  Array.from({ length: Math.floor((to - from) / step) }, (_, i) => from + i * step + offset);

describe('replica dedup (Thanos penalty algorithm)', () => {
  it('follows one replica instead of interleaving two that scrape the same target at an offset', () => {
    const a = s({ job: 'x', replica: 'a' }, range(0, 150_000, 15_000));
    const b = s({ job: 'x', replica: 'b' }, range(0, 150_000, 15_000, 7_000));
    const out = dedupPair(a, b);
    // The 7 s offset beats the 5 s initial penalty, so it switches once, at the start, and then
    // stays on b: ten samples 15 s apart, as one replica has, never twenty.
    expect([...out.timestamps]).toEqual([0, ...b.timestamps]);
    // With replicas 3 s apart (within the initial penalty) it stays on a from the start.
    const close = dedupPair(a, s({ job: 'x', replica: 'b' }, range(0, 150_000, 15_000, 3_000)));
    expect([...close.timestamps]).toEqual([...a.timestamps]);
  });

  it('fills a gap in one replica from the other, then stays on the other', () => {
    const aTs = range(0, 300_000, 15_000).filter((t) => t < 60_000 || t >= 180_000);
    const bTs = range(0, 300_000, 15_000, 5_000);
    const out = dedupPair(s({ r: 'a' }, aTs), s({ r: 'b' }, bTs));
    const ts = [...out.timestamps];
    // Replica a until its gap, then b from twice the last interval on (never a doubled frequency).
    expect(ts.slice(0, 4)).toEqual([0, 15_000, 30_000, 45_000]);
    expect(ts).toContain(80_000);
    expect(ts).toContain(170_000);
    for (let i = 1; i < ts.length; i++) expect(ts[i] - ts[i - 1]).toBeGreaterThanOrEqual(10_000);
  });

  it('drops the replica labels and merges the series that become identical, leaving others alone', () => {
    const out = dedupReplicas(
      [
        s({ __name__: 'up', job: 'x', prometheus_replica: 'b' }, range(0, 60_000, 15_000, 1_000)),
        s({ __name__: 'up', job: 'x', prometheus_replica: 'a' }, range(0, 60_000, 15_000)),
        s({ __name__: 'up', job: 'y', prometheus_replica: 'a' }, [0]),
        s({ __name__: 'up', job: 'z' }, [5]),
      ],
      new Set(['prometheus_replica', 'replica']),
    );
    expect(out.map((x) => x.labels.map((l) => l.value).join(','))).toEqual([
      'up,x',
      'up,y',
      'up,z',
    ]);
    // Replica a (first in label order and earliest) is followed.
    expect([...out[0].timestamps]).toEqual([0, 15_000, 30_000, 45_000]);
  });
});
