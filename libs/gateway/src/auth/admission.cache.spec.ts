import { fakeBus } from '@strata/bus/testing';
import {
  type ApiKeyPrincipal,
  type ControlQuery,
  type RelayedEvent,
  StrataError,
  type TenantStatus,
} from '@strata/contracts';
import { type ControlPlaneClient } from '../control-plane/control-plane.client';
import { type GatewayOptions } from '../gateway.options';
import { AdmissionCache } from './admission.cache';

const SECRET = 'stk_acme_secret_0123456789';

/** A control plane that counts its queries and answers from two mutable tables. */
class CountingControlPlane {
  readonly asked: ControlQuery['type'][] = [];
  readonly keys = new Map<string, ApiKeyPrincipal>();
  readonly tenants = new Map<string, TenantStatus>();

  async query(query: ControlQuery): Promise<unknown> {
    this.asked.push(query.type);
    if (query.type === 'AuthenticateApiKey') {
      const key = this.keys.get(query.secret);
      if (!key) throw new StrataError('unauthorized', 'invalid API key');
      return { ...key };
    }
    if (query.type === 'GetTenant') {
      const status = this.tenants.get(query.tenantId);
      if (!status) throw new StrataError('not_found', `no tenant ${query.tenantId}`);
      return { tenantId: query.tenantId, status };
    }
    throw new Error(`unexpected ${query.type}`);
  }
}

function event(
  type: RelayedEvent['type'],
  data: Record<string, unknown>,
  tenantId: string,
): RelayedEvent {
  return {
    position: 1,
    streamId: 's',
    version: 1,
    type,
    data: data as RelayedEvent['data'],
    metadata: { actor: 'a', actorKind: 'system', sourceAddress: '', requestId: 'r', tenantId },
    recordedAt: '',
  };
}

describe('AdmissionCache', () => {
  let controlPlane: CountingControlPlane;
  let cache: AdmissionCache;

  beforeEach(() => {
    controlPlane = new CountingControlPlane();
    controlPlane.tenants.set('acme', 'active');
    controlPlane.keys.set(SECRET, {
      keyId: 'key_1',
      tenantId: 'acme',
      scopes: ['read'],
      tenantStatus: 'active',
      expiresAt: null,
    });
    const options = {
      config: {},
      bus: fakeBus(),
      admissionCacheTtlMs: 30_000,
    } as unknown as GatewayOptions;
    cache = new AdmissionCache(options, controlPlane as unknown as ControlPlaneClient);
  });

  it('serves a known key and an active tenant again without asking the control plane', async () => {
    await cache.authenticateKey(SECRET, 'r1');
    await cache.tenantStatus('acme', 'r1');
    const [key, status] = await Promise.all([
      cache.authenticateKey(SECRET, 'r2'),
      cache.tenantStatus('acme', 'r2'),
    ]);
    expect(key.keyId).toBe('key_1');
    expect(status).toBe('active');
    expect(controlPlane.asked).toEqual(['AuthenticateApiKey', 'GetTenant']);
  });

  it('asks again after the key is revoked, and refuses it', async () => {
    await cache.authenticateKey(SECRET, 'r1');
    controlPlane.keys.delete(SECRET);
    cache.onEvent(event('ApiKeyRevoked', { keyId: 'key_1', tenantId: 'acme' }, 'acme'));
    await expect(cache.authenticateKey(SECRET, 'r2')).rejects.toMatchObject({
      code: 'unauthorized',
    });
  });

  it("forgets a suspended tenant's status and keys", async () => {
    await cache.authenticateKey(SECRET, 'r1');
    await cache.tenantStatus('acme', 'r1');
    controlPlane.tenants.set('acme', 'suspended');
    controlPlane.keys.set(SECRET, { ...controlPlane.keys.get(SECRET)!, tenantStatus: 'suspended' });
    cache.onEvent(event('TenantSuspended', { tenantId: 'acme' }, 'acme'));
    expect(await cache.tenantStatus('acme', 'r2')).toBe('suspended');
    expect((await cache.authenticateKey(SECRET, 'r2')).tenantStatus).toBe('suspended');
  });

  it('keeps no refusal: a key issued after a failed attempt works at once', async () => {
    const later = 'stk_acme_later_0123456789';
    await expect(cache.authenticateKey(later, 'r1')).rejects.toMatchObject({
      code: 'unauthorized',
    });
    await expect(cache.tenantStatus('globex', 'r1')).rejects.toMatchObject({
      code: 'tenant_unknown',
    });
    controlPlane.keys.set(later, { ...controlPlane.keys.get(SECRET)!, keyId: 'key_2' });
    controlPlane.tenants.set('globex', 'active');
    expect((await cache.authenticateKey(later, 'r2')).keyId).toBe('key_2');
    expect(await cache.tenantStatus('globex', 'r2')).toBe('active');
  });

  it('does not keep an answer fetched before a revocation that arrived while it was in flight', async () => {
    const pending = cache.authenticateKey(SECRET, 'r1');
    cache.onEvent(event('ApiKeyRevoked', { keyId: 'key_1', tenantId: 'acme' }, 'acme'));
    controlPlane.keys.delete(SECRET);
    await pending;
    await expect(cache.authenticateKey(SECRET, 'r2')).rejects.toMatchObject({
      code: 'unauthorized',
    });
  });

  it('keeps a key no longer than until it expires', async () => {
    controlPlane.keys.set(SECRET, {
      ...controlPlane.keys.get(SECRET)!,
      expiresAt: new Date(Date.now() - 1).toISOString(),
    });
    await cache.authenticateKey(SECRET, 'r1');
    await cache.authenticateKey(SECRET, 'r2');
    expect(controlPlane.asked).toEqual(['AuthenticateApiKey', 'AuthenticateApiKey']);
  });
});
