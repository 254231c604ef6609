import { MemorySeriesSource } from './memory-series-source';
import { SeriesLimitError, TenantQueryable } from './tenant-queryable';

function source(): MemorySeriesSource {
  const s = new MemorySeriesSource();
  s.append('a', { __name__: 'up', job: 'x' }, 1000, 1);
  s.append('a', { __name__: 'up', job: 'y' }, 1000, 2);
  s.append('b', { __name__: 'up', job: 'x' }, 1000, 3);
  return s;
}

describe('TenantQueryable', () => {
  it("selects only the tenant's series and hides tenant_id", async () => {
    const q = new TenantQueryable(source(), 'a').querier(0, 2000);
    const found = await q.select(true, null, { name: '__name__', op: '=', value: 'up' });
    expect(found.map((s) => s.labels.toRecord())).toEqual([
      { __name__: 'up', job: 'x' },
      { __name__: 'up', job: 'y' },
    ]);
  });

  it("never reaches another tenant through the caller's own tenant_id matchers", async () => {
    const q = new TenantQueryable(source(), 'a').querier(0, 2000);
    expect(await q.select(false, null, { name: 'tenant_id', op: '=', value: 'b' })).toEqual([]);
    expect(await q.select(false, null, { name: 'tenant_id', op: '=~', value: 'b|a' })).toEqual([]);
    const absent = await q.select(
      false,
      null,
      { name: 'tenant_id', op: '=', value: '' },
      { name: 'job', op: '=', value: 'x' },
    );
    expect(absent.map((s) => s.labels.toRecord())).toEqual([{ __name__: 'up', job: 'x' }]);
    const it = absent[0].iterator();
    expect(it.next() && it.v).toBe(1);
  });

  it('lists label names and values of the tenant only, without tenant_id', async () => {
    const q = new TenantQueryable(source(), 'b').querier(0, 2000);
    expect(await q.labelNames()).toEqual(['__name__', 'job']);
    expect(await q.labelValues('job')).toEqual(['x']);
    expect(await q.labelValues('tenant_id')).toEqual([]);
  });

  it('refuses to select more series than the limit', async () => {
    const q = new TenantQueryable(source(), 'a', 1).querier(0, 2000);
    await expect(q.select(false, null, { name: '__name__', op: '=', value: 'up' })).rejects.toThrow(
      SeriesLimitError,
    );
  });
});
