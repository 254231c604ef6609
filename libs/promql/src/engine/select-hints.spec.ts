import { type Querier, type Queryable, type SelectHints } from '../storage/queryable';
import { Engine } from './engine';

/** Records the hints of every select and returns no series. */
class HintRecorder implements Queryable {
  hints: SelectHints[] = [];

  querier(): Querier {
    return {
      select: (_sort, hints) => {
        if (hints) this.hints.push(hints);
        return Promise.resolve([]);
      },
      labelNames: () => Promise.resolve([]),
      labelValues: () => Promise.resolve([]),
      close: () => undefined,
    };
  }
}

type Case = [query: string, start: number, end: number | null, expected: Partial<SelectHints>[]];

// Expectations from Prometheus' TestSelectHintsSetCorrectly (lookback delta 5s, range step 1s).
const cases: Case[] = [
  ['foo', 10000, null, [{ start: 5001, end: 10000 }]],
  ['foo @ 15', 10000, null, [{ start: 10001, end: 15000 }]],
  ['foo[2m] @ 180', 200000, null, [{ start: 60001, end: 180000, range: 120000 }]],
  ['foo[2m] @ 200 offset 2m', 300000, null, [{ start: -39999, end: 80000, range: 120000 }]],
  [
    'count_over_time(foo[2m:1s] @ 100)',
    200000,
    null,
    [{ start: -24999, end: 100000, func: 'count_over_time', step: 1000 }],
  ],
  [
    'count_over_time((foo @ 200 offset 10s)[2m:1s] @ 100 offset 10s)',
    300000,
    null,
    [{ start: 185001, end: 190000, func: 'count_over_time', step: 1000 }],
  ],
  [
    'count_over_time((foo offset 10s)[2m:1s] @ 100 offset 10s)',
    300000,
    null,
    [{ start: -44999, end: 80000, func: 'count_over_time', step: 1000 }],
  ],
  [
    'rate(foo[2m] offset 2m)',
    300000,
    500000,
    [{ start: 60001, end: 380000, range: 120000, func: 'rate', step: 1000 }],
  ],
  [
    'sum by (dim1) (foo)',
    10000,
    null,
    [{ start: 5001, end: 10000, func: 'sum', by: true, grouping: ['dim1'] }],
  ],
  [
    'sum without (dim1) (foo)',
    10000,
    null,
    [{ start: 5001, end: 10000, func: 'sum', by: false, grouping: ['dim1'] }],
  ],
  [
    'sum by (dim1) (avg_over_time(foo[1s]))',
    10000,
    null,
    [{ start: 9001, end: 10000, func: 'avg_over_time', range: 1000 }],
  ],
  [
    '(max by (dim1) (foo))[5s:1s]',
    10000,
    null,
    [{ start: 1, end: 10000, func: 'max', by: true, step: 1000 }],
  ],
  [
    'rate(foo[2s:1s] @ 50) + bar + rate(baz[2m:1s] @ 900 offset 2m)',
    100000,
    500000,
    [
      { start: 43001, end: 50000, step: 1000, func: 'rate' },
      { start: 95001, end: 500000, step: 1000 },
      { start: 655001, end: 780000, step: 1000, func: 'rate' },
    ],
  ],
  [
    'sum_over_time(sum_over_time(metric{job="1"}[100s])[100s:25s] @ 50)[3s:1s] @ 3000',
    100000,
    null,
    [{ start: -149999, end: 50000, range: 100000, func: 'sum_over_time', step: 25000 }],
  ],
];

describe('select hints', () => {
  it.each(cases.map(([query, start, end, expected]) => ({ query, start, end, expected })))(
    '$query',
    async ({ query, start, end, expected }) => {
      const rec = new HintRecorder();
      const engine = new Engine({ lookbackDeltaMs: 5000 });
      if (end === null) await engine.instantQuery(rec, query, start);
      else await engine.rangeQuery(rec, query, start, end, 1000);
      expect(rec.hints).toEqual(expected.map((h) => expect.objectContaining(h)));
    },
  );
});
