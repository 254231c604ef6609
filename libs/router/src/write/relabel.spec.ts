import { labelsFrom } from '@strata/tsdb';
import { sortedLabels, withTenantLabels } from './relabel';

describe('withTenantLabels', () => {
  const l = (o: Record<string, string>) => [...labelsFrom(o)];

  it('inserts tenant_id in sorted position', () => {
    expect(withTenantLabels(l({ __name__: 'up', zone: 'a' }), 't1', [])).toEqual(
      l({ __name__: 'up', tenant_id: 't1', zone: 'a' }),
    );
    expect(withTenantLabels(l({ a: '1' }), 't1', [])).toEqual(l({ a: '1', tenant_id: 't1' }));
    expect(withTenantLabels([], 't1', [])).toEqual(l({ tenant_id: 't1' }));
  });

  it('overrides a tenant_id sent by the writer', () => {
    expect(withTenantLabels(l({ __name__: 'up', tenant_id: 'other' }), 't1', [])).toEqual(
      l({ __name__: 'up', tenant_id: 't1' }),
    );
  });

  it('adds external labels the series lacks and keeps the series value otherwise', () => {
    const extra = sortedLabels({ cluster: 'c1', region: 'eu', tenant_id: 'x' });
    expect(withTenantLabels(l({ __name__: 'up', region: 'us' }), 't1', extra)).toEqual(
      l({ __name__: 'up', cluster: 'c1', region: 'us', tenant_id: 't1' }),
    );
  });
});
