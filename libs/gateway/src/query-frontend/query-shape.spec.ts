import { queryShape, readsUntil } from './query-shape';

const H = 3_600_000;

describe('what the frontend may do with a query', () => {
  it('splits and caches plain queries, reading nothing past each step', () => {
    const s = queryShape('sum by (pod) (rate(x[5m])) / on(pod) group_left y offset 1h');
    expect(s.splittable).toBe(true);
    expect(readsUntil(s, 10 * H)).toBe(10 * H);
  });

  it('counts negative offsets, nested in subqueries too, as reading ahead', () => {
    expect(readsUntil(queryShape('x offset -2h'), 10 * H)).toBe(12 * H);
    expect(readsUntil(queryShape('max_over_time((y offset -30m)[1h:1m] offset -1h)'), 0)).toBe(
      1.5 * H,
    );
  });

  it('reads up to a fixed @ time, whatever the step', () => {
    expect(readsUntil(queryShape('x @ 36000'), 0)).toBe(10 * H);
    expect(readsUntil(queryShape('rate(x[5m] @ 36000 offset -1h)'), 0)).toBe(11 * H);
  });

  it('keeps @ start() and @ end() whole and uncached, and lets unparsable queries through', () => {
    for (const q of ['x @ start()', 'rate(x[5m] @ end())', 'sum(']) {
      const s = queryShape(q);
      expect({ q, splittable: s.splittable, reads: readsUntil(s, 0) }).toEqual({
        q,
        splittable: false,
        reads: Infinity,
      });
    }
  });
});
