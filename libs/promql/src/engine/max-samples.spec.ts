import { Labels } from '../storage/labels';
import { MemoryQueryable } from '../storage/memory-queryable';
import { Engine } from './engine';

// metric, bigmetric{a="1"}, bigmetric{a="2"}: 1, 2, 3, ... every 10s.
const store = new MemoryQueryable();
for (let i = 0; i <= 100; i++) {
  store.append(Labels.fromRecord({ __name__: 'metric' }), i * 10_000, i + 1);
  store.append(Labels.fromRecord({ __name__: 'bigmetric', a: '1' }), i * 10_000, i + 1);
  store.append(Labels.fromRecord({ __name__: 'bigmetric', a: '2' }), i * 10_000, i + 1);
}

/** [query, peak samples, start s, end s, step s]; the peak must fit exactly, one less must fail. */
const cases: [string, number, number, number?, number?][] = [
  ['1', 1, 1],
  ['metric', 1, 1],
  ['metric[20s]', 2, 10],
  ['rate(metric[20s])', 3, 10],
  ['metric[20s:5s]', 3, 10],
  ['metric[20s] @ 10', 2, 0],
  ['1', 3, 0, 2, 1],
  ['metric', 3, 0, 2, 1],
  ['metric', 3, 0, 10, 5],
  ['rate(bigmetric[1s])', 1, 0, 10, 5],
  ['metric @ 10', 3, 0, 10, 5],
  ['rate(bigmetric[10s:1s] @ 10)', 32, 0, 10, 5],
  ['rate(bigmetric[10s:1s] @ 10) + rate(bigmetric[10s:1s] @ 30)', 34, 0, 10, 5],
  ['rate(bigmetric[10s:1s]) + rate(bigmetric[10s:1s] @ 30)', 56, 10, 20, 5],
  ['rate(rate(bigmetric[10:1s] @ 10)[100s:25s] @ 1000)[100s:20s] @ 2000', 32, 10],
  ['rate(rate(bigmetric[10s:1s] @ 10)[100s:25s] @ 1000)[17s:1s] @ 2000', 34, 10],
];

function run(
  query: string,
  maxSamples: number,
  start: number,
  end?: number,
  step?: number,
): Promise<unknown> {
  const engine = new Engine({ maxSamples });
  return end === undefined || step === undefined
    ? engine.instantQuery(store, query, start * 1000)
    : engine.rangeQuery(store, query, start * 1000, end * 1000, step * 1000);
}

describe('max samples, counted like Prometheus', () => {
  // Rows differ in length, so take them whole (jest would read a missing trailing arg as `done`).
  it.each(cases.map((c) => ({ row: c, name: c[0], peak: c[1] })))(
    '$name peaks at $peak samples',
    async ({ row }) => {
      const [query, peak, start, end, step] = row;
      await expect(run(query, peak, start, end, step)).resolves.toBeDefined();
      await expect(run(query, peak - 1, start, end, step)).rejects.toThrow(
        'query processing would load too many samples into memory in query execution',
      );
    },
  );
});
