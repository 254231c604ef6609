import { Labels } from '../storage/labels';
import { STALE_NAN } from '@strata/contracts';
import { MemoryQueryable } from '../storage/memory-queryable';
import { Engine } from './engine';
import { agg, bin, call, num, range, sel, subquery } from '../../testing/test-builders';
import { type QueryValue } from './types';

const m = 60_000;

function store(): MemoryQueryable {
  const q = new MemoryQueryable();
  // http_requests_total{job,instance}: counters increasing by 10, 20 per minute.
  for (let i = 0; i <= 10; i++) {
    q.append(
      Labels.fromRecord({ __name__: 'http_requests_total', job: 'api', instance: 'a' }),
      i * m,
      i * 10,
    );
    q.append(
      Labels.fromRecord({ __name__: 'http_requests_total', job: 'api', instance: 'b' }),
      i * m,
      i * 20,
    );
    q.append(
      Labels.fromRecord({ __name__: 'http_requests_total', job: 'db', instance: 'a' }),
      i * m,
      i * 5,
    );
  }
  return q;
}

function vector(v: QueryValue): Record<string, number> {
  if (v.type !== 'vector') throw new Error(`expected vector, got ${v.type}`);
  return Object.fromEntries(v.value.map((s) => [s.metric.toString(), s.f]));
}

describe('Engine', () => {
  const engine = new Engine();

  it('selects the latest sample within the lookback window', async () => {
    const { result } = await engine.instantQuery(
      store(),
      sel('http_requests_total', [{ name: 'instance', op: '=', value: 'b' }]),
      150_000,
    );
    expect(vector(result)).toEqual({ 'http_requests_total{instance="b", job="api"}': 40 });
  });

  it('computes rate with Prometheus extrapolation and drops the metric name', async () => {
    const { result, annotations } = await engine.instantQuery(
      store(),
      call('rate', [
        range(sel('http_requests_total', [{ name: 'job', op: '=', value: 'db' }]), 5 * m),
      ]),
      10 * m,
    );
    expect(vector(result)['{instance="a", job="db"}']).toBeCloseTo(5 / 60, 10);
    expect(annotations.size).toBe(0);
  });

  it('adds the "might not be a counter" info for rate over a non-counter name', async () => {
    const q = new MemoryQueryable();
    for (let i = 0; i < 5; i++) q.append(Labels.fromRecord({ __name__: 'temperature' }), i * m, i);
    const { annotations } = await engine.instantQuery(
      q,
      call('rate', [range(sel('temperature'), 5 * m)]),
      4 * m,
    );
    expect(annotations.infos).toEqual([
      'PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: "temperature"',
    ]);
  });

  it('aggregates with sum by and orders range results by labels', async () => {
    const { result } = await engine.rangeQuery(
      store(),
      agg('sum', sel('http_requests_total'), ['job']),
      0,
      2 * m,
      m,
    );
    expect(result.type).toBe('matrix');
    if (result.type !== 'matrix') return;
    expect(result.value.map((s) => s.metric.toString())).toEqual(['{job="api"}', '{job="db"}']);
    expect(Array.from(result.value[0].vals.subarray(0, result.value[0].n))).toEqual([0, 30, 60]);
  });

  it('returns topk in descending order for instant queries', async () => {
    const { result } = await engine.instantQuery(
      store(),
      agg('topk', sel('http_requests_total'), [], false, num(2)),
      10 * m,
    );
    if (result.type !== 'vector') throw new Error('expected vector');
    expect(result.value.map((s) => s.f)).toEqual([200, 100]);
  });

  it('rejects many-to-many matching with Prometheus error text', async () => {
    const expr = bin('+', sel('http_requests_total'), sel('http_requests_total'), {
      on: true,
      matchingLabels: ['job'],
    });
    await expect(engine.instantQuery(store(), expr, 10 * m)).rejects.toThrow(
      /many-to-many matching not allowed/,
    );
  });

  it('ends a series at a staleness marker', async () => {
    const q = new MemoryQueryable();
    const l = Labels.fromRecord({ __name__: 'up' });
    q.append(l, 0, 1);
    q.append(l, m, STALE_NAN);
    expect(vector((await engine.instantQuery(q, sel('up'), 30_000)).result)).toEqual({ up: 1 });
    expect(vector((await engine.instantQuery(q, sel('up'), 90_000)).result)).toEqual({});
  });

  it('evaluates subqueries on step-aligned timestamps', async () => {
    const expr = call('max_over_time', [
      subquery(sel('http_requests_total', [{ name: 'instance', op: '=', value: 'b' }]), 5 * m, m),
    ]);
    const { result } = await engine.instantQuery(store(), expr, 10 * m);
    expect(vector(result)).toEqual({ '{instance="b", job="api"}': 200 });
  });

  it('fails with too many samples', async () => {
    const small = new Engine({ maxSamples: 2 });
    await expect(small.instantQuery(store(), sel('http_requests_total'), 10 * m)).rejects.toThrow(
      'query processing would load too many samples into memory in query execution',
    );
  });

  it("fails with Prometheus' timeout text once the deadline passes", async () => {
    const slow = new Engine({ timeoutMs: -1 });
    await expect(slow.instantQuery(store(), sel('http_requests_total'), 10 * m)).rejects.toThrow(
      'query timed out in expression evaluation',
    );
  });

  it('rejects a range query over a range-vector expression', async () => {
    await expect(
      engine.rangeQuery(store(), range(sel('http_requests_total'), m), 0, m, m),
    ).rejects.toThrow(
      'invalid expression type "range vector" for range query, must be Scalar or instant Vector',
    );
  });

  it('computes histogram_quantile over classic buckets', async () => {
    const q = new MemoryQueryable();
    const b = (le: string, v: number): void =>
      q.append(Labels.fromRecord({ __name__: 'lat_bucket', le }), 0, v);
    b('1', 10);
    b('2', 20);
    b('+Inf', 20);
    const { result } = await engine.instantQuery(
      q,
      call('histogram_quantile', [num(0.5), sel('lat_bucket')]),
      0,
    );
    expect(vector(result)).toEqual({ '{}': 1 });
  });

  it('drops __name__ only at the end when comparisons filter rates', async () => {
    const expr = bin('>', call('rate', [range(sel('http_requests_total'), 5 * m)]), num(0.2));
    const { result } = await engine.instantQuery(store(), expr, 10 * m);
    expect(Object.keys(vector(result))).toEqual(['{instance="b", job="api"}']);
  });
});
