import { type Bus } from '@strata/bus';
import {
  type ControlQueryRequest,
  DEFAULT_QUOTA,
  type RelayedEvent,
  StrataError,
} from '@strata/contracts';
import { TenantLimitsCache } from './tenant-limits.cache';

function event(type: RelayedEvent['type'], tenantId: string): RelayedEvent {
  return {
    position: 1,
    streamId: `tenant-${tenantId}`,
    version: 1,
    type,
    data: { tenantId } as RelayedEvent['data'],
    metadata: { actor: 'a', actorKind: 'system', sourceAddress: '', requestId: 'r', tenantId },
    recordedAt: '',
  };
}

describe('TenantLimitsCache', () => {
  let status = 'active';
  let exists = true;
  let asked = 0;
  let gate: Promise<void> = Promise.resolve();
  const bus = {
    request: async (_s: string, req: ControlQueryRequest) => {
      asked++;
      // The answer reflects the state when the question arrived, however late it is delivered.
      const answer = req.query.type === 'GetQuota' ? { quota: DEFAULT_QUOTA } : { status };
      const known = exists;
      await gate;
      if (!known) throw new StrataError('not_found', 'no tenant');
      return answer;
    },
  } as unknown as Bus;

  beforeEach(() => {
    status = 'active';
    exists = true;
    asked = 0;
    gate = Promise.resolve();
  });

  it('asks once per tenant, then again only after an event names it', async () => {
    const cache = new TenantLimitsCache(bus);
    await cache.admit('t');
    await cache.admit('t');
    expect(asked).toBe(2); // GetTenant + GetQuota
    status = 'suspended';
    cache.onEvent(event('TenantSuspended', 't'));
    await expect(cache.admit('t')).rejects.toMatchObject({ code: 'tenant_suspended' });
    expect(asked).toBe(4);
  });

  it('remembers unknown tenants until a TenantCreated event', async () => {
    exists = false;
    const cache = new TenantLimitsCache(bus);
    await expect(cache.admit('n')).rejects.toMatchObject({ code: 'tenant_unknown' });
    exists = true;
    await expect(cache.admit('n')).rejects.toMatchObject({ code: 'tenant_unknown' });
    cache.onEvent(event('TenantCreated', 'n'));
    await expect(cache.admit('n')).resolves.toMatchObject({ status: 'active' });
  });

  it('does not keep an answer fetched before an event that arrived while it was in flight', async () => {
    const cache = new TenantLimitsCache(bus);
    let open!: () => void;
    gate = new Promise((r) => (open = r));
    const first = cache.admit('t');
    status = 'suspended';
    cache.onEvent(event('TenantSuspended', 't'));
    open();
    await expect(first).resolves.toMatchObject({ status: 'active' }); // serves the caller that asked before the event
    gate = Promise.resolve();
    await expect(cache.admit('t')).rejects.toMatchObject({ code: 'tenant_suspended' });
  });
});
