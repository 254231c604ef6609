import { StoreSeriesSource, type StoreReader } from './store-series-source';
import { TenantQueryable } from './tenant-queryable';

function fakeStore(): { store: StoreReader; asked: unknown[] } {
  const asked: unknown[] = [];
  const store: StoreReader = {
    labelNames: (q) => {
      asked.push(q);
      return Promise.resolve({ value: ['__name__', 'job', 'tenant_id'], warnings: [] });
    },
    labelValues: (_n, q) => {
      asked.push(q);
      return Promise.resolve({ value: ['x'], warnings: [] });
    },
    select: (q) => {
      asked.push(q);
      return Promise.resolve({
        value: [
          {
            labels: [
              { name: '__name__', value: 'up' },
              { name: 'tenant_id', value: q.tenantId },
            ],
            timestamps: Float64Array.from([1000, 2000, 3000]),
            values: Float64Array.from([1, 2, 3]),
          },
        ],
        warnings: [],
      });
    },
    tsdbStatus: (tenantId) => {
      asked.push(tenantId);
      return Promise.resolve({
        value: { numSeries: 0, chunkCount: 0, minTime: null, maxTime: null, labels: new Map() },
        warnings: [],
      });
    },
    cardinality: (tenantId, matchers, labelNames) => {
      asked.push({ tenantId, matchers, labelNames });
      return Promise.resolve({
        value: { seriesCountTotal: 3, labels: new Map([['job', new Map([['api', 2]])]]) },
        warnings: [],
      });
    },
    userStats: (tenantId) => {
      asked.push(tenantId);
      return Promise.resolve({
        value: { numSeries: 7, ingestionRate: 2.5, discardedSamples: { out_of_order_sample: 3 } },
        warnings: [],
      });
    },
    metadata: (tenantId) => {
      asked.push(tenantId);
      return Promise.resolve({
        value: { up: [{ type: 'gauge', help: 'Up.', unit: '' }] },
        warnings: [],
      });
    },
    exemplars: (tenantId, matcherSets, start, end) => {
      asked.push({ tenantId, matcherSets, start, end });
      return Promise.resolve({
        value: [
          {
            seriesLabels: [
              { name: '__name__', value: 'up' },
              { name: 'tenant_id', value: tenantId },
            ],
            exemplars: [
              { labels: [{ name: 'trace_id', value: 'abc' }], value: 1.5, timestamp: 2000 },
            ],
          },
        ],
        warnings: [],
      });
    },
  };
  return { store, asked };
}

describe('StoreSeriesSource', () => {
  it("passes the tenant and the caller's matchers to the Store API and hides tenant_id", async () => {
    const { store, asked } = fakeStore();
    const q = new TenantQueryable(new StoreSeriesSource(store), 't1').querier(0, 5000);
    const [s] = await q.select(true, null, { name: '__name__', op: '=', value: 'up' });
    expect(asked[0]).toEqual({
      tenantId: 't1',
      matchers: [{ type: '=', name: '__name__', value: 'up' }],
      start: 0,
      end: 5000,
    });
    expect(s.labels.toRecord()).toEqual({ __name__: 'up' });
    const it = s.iterator();
    expect(it.seek(1500) && [it.t, it.v]).toEqual([2000, 2]);
    expect(it.next() && it.v).toBe(3);
    expect(it.next()).toBe(false);
    expect(await q.labelNames()).toEqual(['__name__', 'job']);
  });

  it("reads the tenant's metadata and exemplars, each matcher set scoped to the tenant", async () => {
    const { store, asked } = fakeStore();
    const tenant = new TenantQueryable(new StoreSeriesSource(store), 't1');
    expect(await new StoreSeriesSource(store).metadata('t1')).toEqual(
      new Map([['up', [{ type: 'gauge', help: 'Up.', unit: '' }]]]),
    );
    const found = await tenant.exemplars(0, 5000, [
      [{ name: '__name__', op: '=', value: 'up' }],
      [{ name: 'job', op: '=~', value: 'a.*' }],
    ]);
    expect(asked[1]).toEqual({
      tenantId: 't1',
      matcherSets: [
        [{ type: '=', name: '__name__', value: 'up' }],
        [{ type: '=~', name: 'job', value: 'a.*' }],
      ],
      start: 0,
      end: 5000,
    });
    expect(found).toEqual([
      {
        seriesLabels: { __name__: 'up' },
        exemplars: [{ labels: { trace_id: 'abc' }, value: 1.5, timestampMs: 2000 }],
      },
    ]);
  });

  it("reads the tenant's user stats from the Store API", async () => {
    const { store, asked } = fakeStore();
    expect(await new StoreSeriesSource(store).userStats('t1')).toEqual({
      numSeries: 7,
      ingestionRate: 2.5,
      discardedSamples: { out_of_order_sample: 3 },
    });
    expect(asked).toEqual(['t1']);
  });

  it('refuses reads that are not scoped to exactly one tenant', async () => {
    const source = new StoreSeriesSource(fakeStore().store);
    await expect(
      source.select(0, 1, null, [{ name: '__name__', op: '=', value: 'up' }]),
    ).rejects.toThrow('exactly one tenant');
  });
});
