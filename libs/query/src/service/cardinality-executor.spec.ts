import { type PromApiSerializedReply } from '@strata/contracts';
import { MemorySeriesSource } from '../storage/memory-series-source';
import { CardinalityExecutor } from './cardinality-executor';

function source(): MemorySeriesSource {
  const s = new MemorySeriesSource();
  const add = (tenant: string, labels: Record<string, string>, ts: number[]) => {
    for (const t of ts) s.append(tenant, labels, t, 1);
  };
  for (const code of ['200', '404', '500'])
    add('a', { __name__: 'http_requests_total', job: 'api', code }, [1000, 2000]);
  for (const code of ['200', '503'])
    add('a', { __name__: 'http_requests_total', job: 'web', code }, [3000]);
  add('a', { __name__: 'up', job: 'api' }, [500]);
  add('a', { __name__: 'up', job: 'web' }, [9000]);
  add('a', { __name__: 'up', job: 'db' }, [4000]);
  add('b', { __name__: 'secret_metric', job: 'api', team: 'b-only' }, [100, 99_000]);
  return s;
}

const parse = (r: unknown) =>
  JSON.parse((r as PromApiSerializedReply).serialized) as {
    status: string;
    data: Record<string, unknown>;
  };

describe('CardinalityExecutor: /api/v1/status/tsdb', () => {
  it("reports the tenant's head only, in Prometheus 3's shape, tenant_id never counted", async () => {
    const reply = parse(await new CardinalityExecutor(source()).tsdbStatus({ tenantId: 'a' }));
    expect(reply).toEqual({
      status: 'success',
      data: {
        headStats: {
          numSeries: 8,
          numLabelPairs: 2 + 3 + 4,
          chunkCount: 0,
          minTime: 500,
          maxTime: 9000,
        },
        seriesCountByMetricName: [
          { name: 'http_requests_total', value: 5 },
          { name: 'up', value: 3 },
        ],
        labelValueCountByLabelName: [
          { name: 'code', value: 4 },
          { name: 'job', value: 3 },
          { name: '__name__', value: 2 },
        ],
        memoryInBytesByLabelName: [
          { name: '__name__', value: 19 * 5 + 2 * 3 },
          { name: 'job', value: 3 * 4 + 3 * 3 + 2 },
          { name: 'code', value: 3 * 5 },
        ],
        seriesCountByLabelValuePair: [
          { name: '__name__=http_requests_total', value: 5 },
          { name: 'job=api', value: 4 },
          { name: '__name__=up', value: 3 },
          { name: 'job=web', value: 3 },
          { name: 'code=200', value: 2 },
          { name: 'code=404', value: 1 },
          { name: 'code=500', value: 1 },
          { name: 'code=503', value: 1 },
          { name: 'job=db', value: 1 },
        ],
      },
    });
  });

  it('cuts the top lists at limit', async () => {
    const { data } = parse(
      await new CardinalityExecutor(source()).tsdbStatus({ tenantId: 'a', limit: 1 }),
    );
    expect(data.seriesCountByLabelValuePair).toEqual([
      { name: '__name__=http_requests_total', value: 5 },
    ]);
    expect(data.labelValueCountByLabelName).toEqual([{ name: 'code', value: 4 }]);
  });

  it("writes an empty head's int64 extremes exactly, as Prometheus does", async () => {
    const reply = (await new CardinalityExecutor(source()).tsdbStatus({
      tenantId: 'nobody',
    })) as PromApiSerializedReply;
    expect(reply.serialized).toBe(
      '{"status":"success","data":{"headStats":{"numSeries":0,"numLabelPairs":0,"chunkCount":0,' +
        '"minTime":9223372036854775807,"maxTime":-9223372036854775808},"seriesCountByMetricName":[],' +
        '"labelValueCountByLabelName":[],"memoryInBytesByLabelName":[],"seriesCountByLabelValuePair":[]}}',
    );
  });
});

describe('CardinalityExecutor: Mimir label_names', () => {
  const ask = (r: Record<string, unknown>) =>
    new CardinalityExecutor(source()).labelNames({ tenantId: 'a', ...r });

  it('sorts names by distinct values, then by name, totals over every name, lists limit of them', async () => {
    expect(await ask({})).toEqual({
      status: 'success',
      data: {
        label_values_count_total: 9,
        label_names_count: 3,
        cardinality: [
          { label_name: 'code', label_values_count: 4 },
          { label_name: 'job', label_values_count: 3 },
          { label_name: '__name__', label_values_count: 2 },
        ],
      },
    });
    expect(await ask({ limit: 1 })).toMatchObject({
      data: {
        label_values_count_total: 9,
        label_names_count: 3,
        cardinality: [{ label_name: 'code' }],
      },
    });
    expect(await ask({ limit: 0 })).toMatchObject({
      data: { label_names_count: 3, cardinality: [] },
    });
  });

  it('counts only the series the selector picks', async () => {
    expect(await ask({ selector: 'up' })).toEqual({
      status: 'success',
      data: {
        label_values_count_total: 4,
        label_names_count: 2,
        cardinality: [
          { label_name: 'job', label_values_count: 3 },
          { label_name: '__name__', label_values_count: 1 },
        ],
      },
    });
  });

  it("never reaches another tenant's series through tenant_id", async () => {
    expect(await ask({ selector: '{tenant_id="b"}' })).toEqual({
      status: 'success',
      data: { label_values_count_total: 0, label_names_count: 0, cardinality: [] },
    });
    expect(await ask({ selector: '{__name__=~".+", tenant_id=""}' })).toMatchObject({
      data: { label_names_count: 3 },
    });
  });

  it('refuses a selector that does not parse, with Mimir prefix', async () => {
    expect(await ask({ selector: 'up{' })).toMatchObject({
      status: 'error',
      errorType: 'bad_data',
      error: expect.stringMatching(/^failed to parse selector: 1:\d+: parse error: /),
    });
    expect(await ask({ selector: 'sum(up)' })).toMatchObject({
      status: 'error',
      errorType: 'bad_data',
    });
  });
});

describe('CardinalityExecutor: Mimir label_values', () => {
  const ask = (r: Record<string, unknown>) =>
    new CardinalityExecutor(source()).labelValues({ tenantId: 'a', ...r });

  it('sorts names by series then name, values by series then value, and counts over all values', async () => {
    expect(await ask({ labelNames: ['job', 'code', 'missing', 'tenant_id'], limit: 2 })).toEqual({
      status: 'success',
      data: {
        series_count_total: 8,
        labels: [
          {
            label_name: 'job',
            label_values_count: 3,
            series_count: 8,
            cardinality: [
              { label_value: 'api', series_count: 4 },
              { label_value: 'web', series_count: 3 },
            ],
          },
          {
            label_name: 'code',
            label_values_count: 4,
            series_count: 5,
            cardinality: [
              { label_value: '200', series_count: 2 },
              { label_value: '404', series_count: 1 },
            ],
          },
          { label_name: 'missing', label_values_count: 0, series_count: 0, cardinality: [] },
          { label_name: 'tenant_id', label_values_count: 0, series_count: 0, cardinality: [] },
        ],
      },
    });
  });

  it('filters by the selector but reports the tenant total beside', async () => {
    expect(await ask({ labelNames: ['job'], selector: '{job!="api"}' })).toMatchObject({
      data: {
        series_count_total: 8,
        labels: [
          {
            label_name: 'job',
            label_values_count: 2,
            series_count: 4,
            cardinality: [
              { label_value: 'web', series_count: 3 },
              { label_value: 'db', series_count: 1 },
            ],
          },
        ],
      },
    });
  });
});
