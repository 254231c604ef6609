import { StrataError } from '@strata/contracts';
import {
  StoreSeriesSource,
  type StoreApiQuery,
  type StoreReader,
} from '../storage/store-series-source';
import { QueryExecutor } from './query-executor';

/**
 * A store reader that behaves like the fan-out client with partition 3 gone: with partial response
 * it answers what the others hold and names partition 3, without it fails as the client does.
 */
function storeWithPartitionGone(defaultPartial: boolean): {
  store: StoreReader;
  asked: Array<boolean | undefined>;
} {
  const asked: Array<boolean | undefined> = [];
  const answer = <T>(
    value: T,
    options?: { partialResponse?: boolean },
  ): Promise<{ value: T; warnings: string[] }> => {
    asked.push(options?.partialResponse);
    if (!(options?.partialResponse ?? defaultPartial))
      return Promise.reject(new StrataError('unavailable', 'partition 3: no responders'));
    return Promise.resolve({ value, warnings: ['partition 3: no responders'] });
  };
  const series = (q: StoreApiQuery) => [
    {
      labels: [
        { name: '__name__', value: 'up' },
        { name: 'job', value: 'a' },
        { name: 'tenant_id', value: q.tenantId },
      ],
      timestamps: Float64Array.from([1000, 16_000]),
      values: Float64Array.from([1, 2]),
    },
  ];
  const store = {
    select: (q: StoreApiQuery, o?: { partialResponse?: boolean }) => answer(series(q), o),
    labelNames: (_q: StoreApiQuery, o?: { partialResponse?: boolean }) =>
      answer(['__name__', 'job', 'tenant_id'], o),
    labelValues: (_n: string, _q: StoreApiQuery, o?: { partialResponse?: boolean }) =>
      answer(['a'], o),
  } as unknown as StoreReader;
  return { store, asked };
}

describe('partial response in the query service', () => {
  const WARNING = 'partition 3: no responders';

  it('answers with the warning of the missing partition when the request asks for partial response', async () => {
    const { store, asked } = storeWithPartitionGone(false);
    const ex = new QueryExecutor(new StoreSeriesSource(store));
    expect(
      await ex.instant({ tenantId: 't', query: 'up', timeMs: 16_000, partialResponse: true }),
    ).toEqual({
      status: 'success',
      data: {
        resultType: 'vector',
        result: [{ metric: { __name__: 'up', job: 'a' }, value: [16, '2'] }],
      },
      warnings: [WARNING],
    });
    expect(
      await ex.series({
        tenantId: 't',
        match: ['up'],
        startMs: 0,
        endMs: 20_000,
        partialResponse: true,
      }),
    ).toEqual({
      status: 'success',
      data: [{ __name__: 'up', job: 'a' }],
      warnings: [WARNING],
    });
    expect(
      await ex.labelNames({ tenantId: 't', startMs: 0, endMs: 20_000, partialResponse: true }),
    ).toEqual({
      status: 'success',
      data: ['__name__', 'job'],
      warnings: [WARNING],
    });
    expect(
      await ex.labelValues({
        tenantId: 't',
        name: 'job',
        startMs: 0,
        endMs: 20_000,
        partialResponse: true,
      }),
    ).toEqual({
      status: 'success',
      data: ['a'],
      warnings: [WARNING],
    });
    expect(asked.every((p) => p === true)).toBe(true);
  });

  it("merges the store's warnings after the engine's own, once each, and keeps the truncation warning", async () => {
    const ex = new QueryExecutor(new StoreSeriesSource(storeWithPartitionGone(false).store));
    // Two selectors read twice from the stores, yet the partition is named once; quantile > 1
    // adds the engine's own warning, which comes first.
    const r = await ex.range({
      tenantId: 't',
      query: 'quantile(2, up) + on() group_left sum(up)',
      startMs: 16_000,
      endMs: 16_000,
      stepMs: 1000,
      partialResponse: true,
    });
    expect(r).toMatchObject({
      status: 'success',
      warnings: ['PromQL warning: quantile value should be between 0 and 1, got 2', WARNING],
    });
    const serialized = await ex.rangeSerialized({
      tenantId: 't',
      query: 'up',
      startMs: 16_000,
      endMs: 16_000,
      stepMs: 1000,
      partialResponse: true,
    });
    expect('serialized' in serialized && JSON.parse(serialized.serialized)).toMatchObject({
      status: 'success',
      warnings: [WARNING],
    });
    expect(
      await ex.labelValues({
        tenantId: 't',
        name: 'job',
        startMs: 0,
        endMs: 1,
        limit: 0,
        partialResponse: true,
      }),
    ).toMatchObject({ warnings: [WARNING] });
    expect(
      await ex.labelNames({ tenantId: 't', startMs: 0, endMs: 1, limit: 1, partialResponse: true }),
    ).toEqual({
      status: 'success',
      data: ['__name__'],
      warnings: [WARNING, 'results truncated due to limit'],
    });
  });

  it('fails with 503 unavailable when the request says false, or says nothing and the default is strict', async () => {
    const { store, asked } = storeWithPartitionGone(false);
    const ex = new QueryExecutor(new StoreSeriesSource(store));
    const unavailable = { status: 'error', errorType: 'unavailable', error: WARNING };
    expect(
      await ex.instant({ tenantId: 't', query: 'up', timeMs: 16_000, partialResponse: false }),
    ).toEqual(unavailable);
    expect(await ex.instant({ tenantId: 't', query: 'up', timeMs: 16_000 })).toEqual(unavailable);
    expect(await ex.series({ tenantId: 't', match: ['up'], startMs: 0, endMs: 1 })).toEqual(
      unavailable,
    );
    expect(
      await ex.labelNames({ tenantId: 't', startMs: 0, endMs: 1, partialResponse: false }),
    ).toEqual(unavailable);
    // Absent, the choice is left to the store client's configured default.
    expect(asked).toEqual([false, undefined, undefined, false]);
  });

  it("follows the store's default when the request says nothing", async () => {
    const ex = new QueryExecutor(new StoreSeriesSource(storeWithPartitionGone(true).store));
    expect(await ex.instant({ tenantId: 't', query: 'up', timeMs: 16_000 })).toMatchObject({
      status: 'success',
      warnings: [WARNING],
    });
    expect(
      await ex.instant({ tenantId: 't', query: 'up', timeMs: 16_000, partialResponse: false }),
    ).toMatchObject({ status: 'error', errorType: 'unavailable' });
  });
});
