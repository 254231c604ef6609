import { decodeWriteRequest } from '@strata/remote-write';
import { encodeWriteRequestV1, encodeWriteRequestV2 } from '@strata/remote-write/testing';
import { type Labels, labelsFrom } from '@strata/tsdb';
import { sortedLabels, tenantLabelInjection } from './relabel';

/** The labels a series is stored under after the router's injection, through both protocols. */
function stored(labels: Labels, tenant: string, external: Labels = []): Labels {
  const batch = {
    series: [
      { labels, timestamps: Float64Array.of(1000), values: Float64Array.of(1), exemplars: [] },
    ],
    metadata: [],
  };
  const injection = tenantLabelInjection(tenant, external);
  const v1 = decodeWriteRequest(encodeWriteRequestV1(batch), 'v1', {}, injection).series[0];
  const v2 = decodeWriteRequest(encodeWriteRequestV2(batch), 'v2', {}, injection).series[0];
  expect(v2.labels).toEqual(v1.labels);
  return v1.labels;
}

describe('tenantLabelInjection', () => {
  const l = (o: Record<string, string>) => [...labelsFrom(o)];

  it('inserts tenant_id in sorted position', () => {
    expect(stored(l({ __name__: 'up', zone: 'a' }), 't1')).toEqual(
      l({ __name__: 'up', tenant_id: 't1', zone: 'a' }),
    );
    expect(stored(l({ __name__: 'up', a: '1' }), 't1')).toEqual(
      l({ __name__: 'up', a: '1', tenant_id: 't1' }),
    );
    expect(stored(l({ __name__: 'up', zzz: '1' }), 'tenant-ä')).toEqual(
      l({ __name__: 'up', tenant_id: 'tenant-ä', zzz: '1' }),
    );
  });

  it('overrides a tenant_id sent by the writer', () => {
    expect(stored(l({ __name__: 'up', tenant_id: 'other' }), 't1')).toEqual(
      l({ __name__: 'up', tenant_id: 't1' }),
    );
  });

  it('adds external labels the series lacks and keeps the series value otherwise', () => {
    const extra = sortedLabels({ cluster: 'c1', region: 'eu', tenant_id: 'x', zone: '' });
    expect(stored(l({ __name__: 'up', region: 'us' }), 't1', extra)).toEqual(
      l({ __name__: 'up', cluster: 'c1', region: 'us', tenant_id: 't1' }),
    );
  });

  it('does not let an empty sender value stand in for an external label', () => {
    const extra = sortedLabels({ region: 'eu' });
    expect(stored(l({ __name__: 'up', region: '' }), 't1', extra)).toEqual(
      l({ __name__: 'up', region: 'eu', tenant_id: 't1' }),
    );
  });
});
