import { type ControlPlaneSnapshot } from '@strata/contracts';
import { type Caller } from '../auth/principal';
import { type ControlPlaneClient } from '../control-plane/control-plane.client';
import { AuditService } from './audit.service';

const both = (extra: object = {}) => [
  { tenantId: 'acme', ...extra },
  { tenantId: 'beta', ...extra },
];

// Every tenant-scoped part of a replay, with one item of each of two tenants.
const snapshot = {
  asOfPosition: 42,
  asOfTime: null,
  tenants: both({ apiKeys: [] }),
  ruleGroups: [
    { target: { scope: 'namespace', tenantId: 'acme', namespace: 'n' } },
    { target: { scope: 'cluster', tenantId: 'beta' } },
    { target: { scope: 'global' } },
  ],
  eventRuleSets: both(),
  registeredModels: both(),
  registryWebhooks: both(),
  pipelines: both(),
  seriesDeletions: both(),
  alertmanagerConfigs: both(),
  somethingNew: both(),
} as unknown as ControlPlaneSnapshot;

const service = new AuditService({
  query: async () => structuredClone(snapshot),
} as unknown as ControlPlaneClient);

const caller = (principal: Caller['principal']): Caller => ({
  principal,
  requestId: 'r1',
  sourceAddress: '127.0.0.1',
});

describe('replay as seen by a tenant key', () => {
  it("shows no other tenant's part of any aggregate, and leaves out parts it does not know", async () => {
    const seen = (await service.replay(
      caller({ kind: 'api-key', actor: 'k1', keyId: 'k1', tenantId: 'acme', scopes: ['read'] }),
      { position: '42' },
    )) as unknown as Record<string, unknown>;
    for (const part of [
      'tenants',
      'eventRuleSets',
      'registeredModels',
      'registryWebhooks',
      'pipelines',
      'seriesDeletions',
      'alertmanagerConfigs',
    ])
      expect((seen[part] as Array<{ tenantId: string }>).map((x) => x.tenantId)).toEqual(['acme']);
    // Global groups belong to every tenant's view; beta's cluster group to none but beta's.
    expect(seen.ruleGroups).toEqual([
      { target: { scope: 'namespace', tenantId: 'acme', namespace: 'n' } },
      { target: { scope: 'global' } },
    ]);
    expect(seen).not.toHaveProperty('somethingNew');
    expect(seen.asOfPosition).toBe(42);
  });

  it('shows the platform admin everything', async () => {
    const seen = await service.replay(caller({ kind: 'platform-admin', actor: 'platform-admin' }), {
      position: '42',
    });
    expect(seen).toEqual(snapshot);
  });
});
