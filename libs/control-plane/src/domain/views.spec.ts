import { DEFAULT_QUOTA } from '@strata/contracts';
import { controlPlaneFold, toSnapshot, type StoredControlEvent } from './views';

let position = 0;
const at = (type: StoredControlEvent['type'], data: object, version: number): StoredControlEvent =>
  ({
    type,
    data,
    version,
    position: ++position,
    recordedAt: `2026-01-01T00:00:0${position}.000Z`,
  }) as StoredControlEvent;

describe('control-plane views', () => {
  it('fold tenants, quotas and keys into a snapshot', () => {
    const views = [
      at('TenantCreated', { tenantId: 'a', displayName: 'A' }, 1),
      at(
        'QuotaSet',
        {
          tenantId: 'a',
          quota: { ...DEFAULT_QUOTA, maxActiveSeries: 1 },
          changed: ['maxActiveSeries'],
        },
        1,
      ),
      at('TenantSuspended', { tenantId: 'a', reason: 'bill' }, 2),
      at(
        'ApiKeyIssued',
        {
          keyId: 'key_1',
          tenantId: 'a',
          name: 'k',
          scopes: ['read'],
          secretHash: 'h',
          expiresAt: null,
        },
        1,
      ),
      at('ApiKeyRevoked', { keyId: 'key_1', tenantId: 'a' }, 2),
      at('TenantCreated', { tenantId: 'b', displayName: 'B' }, 1),
      {
        type: 'SomethingElse',
        data: {},
        version: 1,
        position: ++position,
        recordedAt: '2026-01-01T00:00:09.000Z',
      } as unknown as StoredControlEvent,
    ].reduce(controlPlaneFold.evolve, controlPlaneFold.initialState());
    const snapshot = toSnapshot(views, 7, null);
    expect(snapshot.tenants.map((t) => t.tenantId)).toEqual(['a', 'b']);
    const [a, b] = snapshot.tenants;
    expect(a).toMatchObject({
      status: 'suspended',
      suspendedReason: 'bill',
      version: 2,
      createdAt: '2026-01-01T00:00:01.000Z',
      updatedAt: '2026-01-01T00:00:03.000Z',
    });
    expect(a.quota.maxActiveSeries).toBe(1);
    expect(a.apiKeys).toEqual([
      expect.objectContaining({
        keyId: 'key_1',
        status: 'revoked',
        revokedAt: '2026-01-01T00:00:05.000Z',
        version: 2,
      }),
    ]);
    expect(JSON.stringify(a.apiKeys)).not.toContain('secretHash');
    expect(b.quota).toEqual(DEFAULT_QUOTA);
  });
});
