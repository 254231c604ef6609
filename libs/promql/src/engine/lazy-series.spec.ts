import { STALE_NAN } from '@strata/contracts';
import { Labels } from '../storage/labels';
import { MemoryQueryable } from '../storage/memory-queryable';
import { type Querier, type Queryable, type StorageSeries } from '../storage/queryable';
import { Engine, type QueryResult } from './engine';

/**
 * The same store, its series offered only as encoded samples (`decodeInto`) the way the Store API
 * client hands over chunks; the iterator fails, so every read must go through the lazy path.
 */
class EncodedOnly implements Queryable {
  constructor(private readonly inner: MemoryQueryable) {}

  querier(mint: number, maxt: number): Querier {
    const q = this.inner.querier(mint, maxt);
    return {
      ...q,
      select: async (sort, hints, ...matchers) =>
        (await q.select(sort, hints, ...matchers)).map((s): StorageSeries => ({
          labels: s.labels,
          iterator: () => {
            throw new Error('read through the iterator');
          },
          decodeInto: (into) => {
            const { ts, vs, n } = (s.samples as NonNullable<StorageSeries['samples']>)();
            // Start small, so that growing and reusing the arrays are both exercised.
            if (into.ts.length < n) {
              into.ts = new Float64Array(n);
              into.vs = new Float64Array(n);
            }
            into.ts.set(ts.subarray(0, n));
            into.vs.set(vs.subarray(0, n));
            return n;
          },
        })),
    };
  }
}

const store = new MemoryQueryable();
// Series of different lengths and gaps, counters with resets, and staleness markers.
for (let s = 0; s < 12; s++) {
  const labels = Labels.fromRecord({
    __name__: s % 3 === 0 ? 'gauge' : 'requests_total',
    pod: `p${s % 4}`,
    i: String(s),
  });
  const every = 10_000 + 5_000 * (s % 3);
  for (let t = (s % 5) * 7_000; t <= 1_200_000; t += every) {
    if (s % 4 === 1 && t > 300_000 && t < 420_000) continue;
    const stale = s % 5 === 2 && t > 600_000 && t < 650_000;
    store.append(labels, t, stale ? STALE_NAN : ((t / 1000) * (s + 1)) % (50 + s * 13));
  }
}

const QUERIES = [
  'requests_total',
  'gauge offset 1m',
  'gauge @ 600',
  'rate(requests_total[1m])',
  'sum by (pod) (rate(requests_total[2m]))',
  'count(count by (pod) ({__name__=~"req.*|gauge"}))',
  'max_over_time(sum by (pod) (rate(requests_total[1m]))[5m:30s])',
  'quantile(0.9, rate(requests_total[1m]))',
  'topk(2, rate(requests_total[1m]))',
  'timestamp(gauge)',
  'last_over_time(gauge[3m])',
  'count_over_time({__name__=~".+"}[1m])',
  'rate(requests_total[1m]) / on (i) group_left rate(requests_total[1m] offset 30s)',
  'absent(nothing_here)',
];

function shown(r: QueryResult): unknown {
  const v = r.result;
  if (v.type !== 'matrix' && v.type !== 'vector') return v;
  if (v.type === 'vector') return v.value.map((x) => [x.metric.key, x.t, x.f]);
  return v.value.map((x) => [
    x.metric.key,
    [...x.ts.subarray(0, x.n)],
    [...x.vals.subarray(0, x.n)],
  ]);
}

describe('series the store hands over encoded, decoded by the engine into reused arrays', () => {
  const engine = new Engine({});
  const lazy = new EncodedOnly(store);

  it.each(QUERIES)(
    '%s: the same range and instant results as samples held in arrays',
    async (q) => {
      const want = await engine.rangeQuery(store, q, 60_000, 1_200_000, 15_000);
      const got = await engine.rangeQuery(lazy, q, 60_000, 1_200_000, 15_000);
      expect(shown(got)).toEqual(shown(want));
      for (const t of [0, 400_000, 630_000, 1_200_000]) {
        const wantAt = await engine.instantQuery(store, q, t);
        expect(shown(await engine.instantQuery(lazy, q, t))).toEqual(shown(wantAt));
      }
    },
  );

  it('reads range selectors of instant queries the same way', async () => {
    const q = 'requests_total[2m]';
    expect(shown(await engine.instantQuery(lazy, q, 700_000))).toEqual(
      shown(await engine.instantQuery(store, q, 700_000)),
    );
  });
});
