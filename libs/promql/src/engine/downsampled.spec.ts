import { Labels } from '../storage/labels';
import { type Querier, type Queryable, type StorageSeries } from '../storage/queryable';
import { Engine } from './engine';

const M5 = 300_000;

/** Serves one series of 5 m window points, marked as downsampled aggregates of the given kind. */
function serving(values: number[], downsampled?: StorageSeries['downsampled']): Queryable {
  const ts = Float64Array.from(values.map((_, i) => (i + 1) * M5 - 1));
  const vs = Float64Array.from(values);
  const series: StorageSeries = {
    labels: Labels.fromPairs([['__name__', 'm']]),
    iterator: () => {
      let i = -1;
      return {
        next: () => ++i < ts.length,
        seek: (t: number) => {
          while (i < ts.length && (i < 0 || ts[i] < t)) i++;
          return i < ts.length;
        },
        get t() {
          return ts[i];
        },
        get v() {
          return vs[i];
        },
      };
    },
    samples: () => ({ ts, vs, n: ts.length }),
    ...(downsampled ? { downsampled } : {}),
  };
  return {
    querier: (): Querier => ({
      select: () => Promise.resolve([series]),
      labelNames: () => Promise.resolve([]),
      labelValues: () => Promise.resolve([]),
      close: () => undefined,
    }),
  };
}

async function at(q: Queryable, query: string, t: number): Promise<number> {
  const { result } = await new Engine({}).instantQuery(q, query, t);
  if (result.type !== 'vector') throw new Error(`expected a vector, got ${result.type}`);
  return result.value[0].f;
}

describe('range functions over downsampled aggregates', () => {
  const end = 4 * M5 - 1;

  it('count_over_time sums the windows counts', async () => {
    const q = serving([20, 20, 7, 20], { kind: 'count' });
    expect(await at(q, 'count_over_time(m[20m])', end)).toBe(67);
    // Without the mark the same points are four samples, as for raw data.
    expect(await at(serving([20, 20, 7, 20]), 'count_over_time(m[20m])', end)).toBe(4);
  });

  it('avg_over_time weighs each window average by its count', async () => {
    // Window sums 20·1, 7·10 and 20·4 over 20, 7 and 20 samples: 170 / 47 overall.
    const q = serving([1, 10, 4], { kind: 'avg', weights: Float64Array.of(20, 7, 20) });
    expect(await at(q, 'avg_over_time(m[15m])', 3 * M5 - 1)).toBeCloseTo(170 / 47, 12);
    expect(await at(q, 'max_over_time(m[15m])', 3 * M5 - 1)).toBe(10);
  });
});
