import { MemorySeriesSource } from '../storage/memory-series-source';
import { QueryExecutor } from './query-executor';

function executor(): QueryExecutor {
  const s = new MemorySeriesSource();
  for (let i = 0; i <= 10; i++) {
    s.append('a', { __name__: 'c_total', job: 'x' }, i * 15_000, i * 10);
    s.append('a', { __name__: 'c_total', job: 'y' }, i * 15_000, i * 20);
    s.append('b', { __name__: 'c_total', job: 'x' }, i * 15_000, 1e6);
  }
  s.addMetadata('a', 'c_total', { type: 'counter', help: 'Calls.', unit: '' });
  s.addExemplar(
    'a',
    { __name__: 'c_total', job: 'x' },
    { labels: { trace_id: 'abc' }, value: 3, timestampMs: 30_000 },
  );
  return new QueryExecutor(s);
}

describe('QueryExecutor', () => {
  const ex = executor();

  it('answers instant queries in Prometheus shape, tenant-scoped', async () => {
    expect(await ex.instant({ tenantId: 'a', query: 'sum(c_total)', timeMs: 150_000 })).toEqual({
      status: 'success',
      data: { resultType: 'vector', result: [{ metric: {}, value: [150, '300'] }] },
    });
    expect(await ex.instant({ tenantId: 'b', query: 'c_total', timeMs: 150_000 })).toEqual({
      status: 'success',
      data: {
        resultType: 'vector',
        result: [{ metric: { __name__: 'c_total', job: 'x' }, value: [150, '1000000'] }],
      },
    });
  });

  it('answers scalar, string and range queries', async () => {
    expect(await ex.instant({ tenantId: 'a', query: '1/0', timeMs: 1500 })).toMatchObject({
      data: { resultType: 'scalar', result: [1.5, '+Inf'] },
    });
    expect(await ex.instant({ tenantId: 'a', query: '"hi"', timeMs: 1000 })).toMatchObject({
      data: { resultType: 'string', result: [1, 'hi'] },
    });
    const r = await ex.range({
      tenantId: 'a',
      query: 'rate(c_total{job="x"}[1m])',
      startMs: 60_000,
      endMs: 120_000,
      stepMs: 30_000,
    });
    expect(r).toMatchObject({ status: 'success', data: { resultType: 'matrix' } });
    expect(
      r.status === 'success' && r.data.resultType === 'matrix' && r.data.result[0].values.length,
    ).toBe(3);
  });

  it('types errors the way Prometheus does', async () => {
    expect(await ex.instant({ tenantId: 'a', query: 'sum(', timeMs: 0 })).toMatchObject({
      status: 'error',
      errorType: 'bad_data',
    });
    expect(
      await ex.range({ tenantId: 'a', query: 'c_total[5m]', startMs: 0, endMs: 1, stepMs: 1 }),
    ).toEqual({
      status: 'error',
      errorType: 'bad_data',
      error:
        'invalid parameter "query": invalid expression type "range vector" for range query, must be Scalar or instant Vector',
    });
    expect(
      await ex.instant({
        tenantId: 'a',
        query: 'c_total',
        timeMs: 150_000,
        limits: { maxSamplesPerQuery: 1, maxSeriesPerQuery: 0, maxQueryRangeSeconds: 0 },
      }),
    ).toMatchObject({
      status: 'error',
      errorType: 'execution',
    });
    expect(
      await ex.instant({
        tenantId: 'a',
        query: 'c_total',
        timeMs: 150_000,
        limits: { maxSamplesPerQuery: 0, maxSeriesPerQuery: 1, maxQueryRangeSeconds: 0 },
      }),
    ).toEqual({
      status: 'error',
      errorType: 'execution',
      error: 'the query exceeded the maximum number of series (limit: 1)',
    });
    expect(
      await ex.range({
        tenantId: 'a',
        query: 'c_total',
        startMs: 0,
        endMs: 7_200_000,
        stepMs: 60_000,
        limits: { maxSamplesPerQuery: 0, maxSeriesPerQuery: 0, maxQueryRangeSeconds: 3600 },
      }),
    ).toEqual({
      status: 'error',
      errorType: 'bad_data',
      error: 'the query time range exceeds the limit (query length: 2h0m0s, limit: 1h0m0s)',
    });
    expect(await ex.instant({ query: 'up' })).toMatchObject({
      status: 'error',
      errorType: 'bad_data',
    });
  });

  it('answers a query that outlives its budget with 503-class timeout', async () => {
    const slow = new MemorySeriesSource();
    for (let i = 0; i < 2000; i++) slow.append('a', { __name__: 'm', i: String(i) }, 1000, i);
    const select = slow.select.bind(slow);
    slow.select = async (...args) => {
      await new Promise((r) => setTimeout(r, 30));
      return select(...args);
    };
    expect(
      await new QueryExecutor(slow).range({
        tenantId: 'a',
        query: 'sum(m)',
        startMs: 0,
        endMs: 60_000,
        stepMs: 1000,
        timeoutMs: 5,
      }),
    ).toEqual({
      status: 'error',
      errorType: 'timeout',
      error: 'query timed out in expression evaluation',
    });
  });

  it('lists series, label names and values with limits', async () => {
    expect(
      await ex.series({ tenantId: 'a', match: ['c_total'], startMs: 0, endMs: 200_000 }),
    ).toEqual({
      status: 'success',
      data: [
        { __name__: 'c_total', job: 'x' },
        { __name__: 'c_total', job: 'y' },
      ],
    });
    expect(
      await ex.series({ tenantId: 'a', match: ['{job=~".*"}'], startMs: 0, endMs: 1 }),
    ).toEqual({
      status: 'error',
      errorType: 'bad_data',
      error:
        'invalid parameter "match[]": 1:1: parse error: vector selector must contain at least one non-empty matcher',
    });
    expect(await ex.labelNames({ tenantId: 'a', startMs: 0, endMs: 200_000 })).toEqual({
      status: 'success',
      data: ['__name__', 'job'],
    });
    expect(
      await ex.labelValues({ tenantId: 'a', name: 'job', startMs: 0, endMs: 200_000, limit: 1 }),
    ).toEqual({
      status: 'success',
      data: ['x'],
      warnings: ['results truncated due to limit'],
    });
  });

  it('lists metadata and exemplars of the tenant', async () => {
    expect(await ex.metadata({ tenantId: 'a' })).toEqual({
      status: 'success',
      data: { c_total: [{ type: 'counter', help: 'Calls.', unit: '' }] },
    });
    expect(await ex.metadata({ tenantId: 'b' })).toEqual({ status: 'success', data: {} });
    expect(
      await ex.exemplars({ tenantId: 'a', query: 'c_total', startMs: 0, endMs: 60_000 }),
    ).toEqual({
      status: 'success',
      data: [
        {
          seriesLabels: { __name__: 'c_total', job: 'x' },
          exemplars: [{ labels: { trace_id: 'abc' }, value: '3', timestamp: 30 }],
        },
      ],
    });
  });
});
