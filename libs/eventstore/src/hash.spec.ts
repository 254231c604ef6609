import { GENESIS_HASH, canonicalJson, eventHash } from './hash';

describe('canonicalJson', () => {
  it('sorts keys at every depth and ignores undefined fields', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[1,{"y":2,"z":1}]},"b":1}',
    );
  });
});

describe('eventHash', () => {
  const base = {
    position: 1,
    streamId: 'tenant-a',
    version: 1,
    type: 'TenantCreated',
    data: { tenantId: 'a' },
    metadata: { actor: 'x', actorKind: 'system', tenant: 'a', requestId: 'r', sourceAddress: '' },
    recordedAt: '2026-01-01T00:00:00.000Z',
    prevHash: GENESIS_HASH,
  };
  it('changes with every covered field', () => {
    const h = eventHash(base);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(eventHash({ ...base, position: 2 })).not.toBe(h);
    expect(eventHash({ ...base, data: { tenantId: 'b' } })).not.toBe(h);
    expect(eventHash({ ...base, prevHash: 'f'.repeat(64) })).not.toBe(h);
    expect(eventHash({ ...base, metadata: { ...base.metadata, actor: 'y' } })).not.toBe(h);
  });
});
