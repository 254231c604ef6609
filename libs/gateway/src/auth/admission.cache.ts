import { createHash } from 'node:crypto';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import {
  type ApiKeyPrincipal,
  type ControlEvent,
  type RelayedEvent,
  StrataError,
  type TenantStatus,
} from '@strata/contracts';
import { ControlEventsFeed, EventInvalidatedCache } from '@strata/service-kit';
import { ControlPlaneClient } from '../control-plane/control-plane.client';
import { GATEWAY_OPTIONS, type GatewayOptions } from '../gateway.options';

/** How long an answer is trusted when no event arrives; events normally invalidate far sooner. */
export const DEFAULT_ADMISSION_TTL_MS = 30_000;

/** Events after which the tenant they name (and every key of it) is asked again. */
const TENANT_EVENTS: ReadonlySet<ControlEvent['type']> = new Set<ControlEvent['type']>([
  'TenantCreated',
  'TenantSuspended',
  'TenantResumed',
  'TenantDeleted',
]);

/**
 * The control plane's answers the gateway needs on every request: who an API key is and whether a
 * tenant is active. Kept per gateway replica and invalidated by control-plane events (a revoked
 * key, a suspended or deleted tenant), with a short TTL as the backstop when events are lost.
 * Refusals are never kept, so a key issued right after a failed attempt works at once. Keys are
 * held under the sha256 of their secret, never the secret itself.
 */
@Injectable()
export class AdmissionCache implements OnModuleInit, OnApplicationShutdown {
  private readonly ttlMs: number;
  private readonly keys: EventInvalidatedCache<string, ApiKeyPrincipal>;
  private readonly tenants: EventInvalidatedCache<string, TenantStatus>;
  private readonly feed: ControlEventsFeed | null;

  constructor(
    @Inject(GATEWAY_OPTIONS) options: GatewayOptions,
    private readonly controlPlane: ControlPlaneClient,
  ) {
    this.ttlMs =
      options.admissionCacheTtlMs ?? (options.controlPlane ? 0 : DEFAULT_ADMISSION_TTL_MS);
    this.keys = new EventInvalidatedCache<string, ApiKeyPrincipal>({
      ttlMs: (key) => this.keyTtl(key, Date.now()),
    });
    this.tenants = new EventInvalidatedCache<string, TenantStatus>({
      ttlMs: (status) => (status === 'active' ? this.ttlMs : 0),
    });
    this.feed =
      this.ttlMs > 0
        ? new ControlEventsFeed(
            options.bus,
            (event) => this.onEvent(event),
            () => this.invalidateAll(),
          )
        : null;
  }

  /** Starts following control-plane events. */
  onModuleInit(): void {
    this.feed?.start();
  }

  /** Stops following control-plane events. */
  async onApplicationShutdown(): Promise<void> {
    await this.feed?.stop();
  }

  /** The key a secret belongs to, from the cache or the control plane; refusals are not kept. */
  authenticateKey(secret: string, requestId: string): Promise<ApiKeyPrincipal> {
    const ask = () => this.controlPlane.query({ type: 'AuthenticateApiKey', secret }, requestId);
    if (this.ttlMs <= 0) return ask();
    const hash = createHash('sha256').update(secret).digest('base64');
    // The secret rides in the fetch's closure, never in the map.
    return this.keys.get(hash, ask);
  }

  /** The tenant's status, from the cache or the control plane; throws `tenant_unknown` when absent. */
  tenantStatus(tenantId: string, requestId: string): Promise<TenantStatus> {
    if (this.ttlMs <= 0) return this.fetchTenant(tenantId, requestId);
    return this.tenants.get(tenantId, () => this.fetchTenant(tenantId, requestId));
  }

  /** Applies a relayed control-plane event. */
  onEvent(event: RelayedEvent): void {
    const type: ControlEvent['type'] = event.type;
    const data = event.data as { tenantId?: unknown; keyId?: unknown };
    if (type === 'ApiKeyRevoked' && typeof data.keyId === 'string') this.forgetKey(data.keyId);
    if (TENANT_EVENTS.has(type)) {
      const tenantId = typeof data.tenantId === 'string' ? data.tenantId : event.metadata.tenantId;
      if (tenantId) this.forgetTenant(tenantId);
    }
  }

  /** Forgets a key at once, e.g. right after this gateway revoked it. */
  forgetKey(keyId: string): void {
    this.keys.invalidateWhere((key) => key.keyId === keyId);
  }

  /** Forgets a tenant's status and every key of it, e.g. right after this gateway suspended it. */
  forgetTenant(tenantId: string): void {
    this.tenants.invalidate(tenantId);
    this.keys.invalidateWhere((key) => key.tenantId === tenantId);
  }

  /** Forgets everything, e.g. after the event feed had a gap. */
  invalidateAll(): void {
    this.keys.invalidateAll();
    this.tenants.invalidateAll();
  }

  private keyTtl(key: ApiKeyPrincipal, now: number): number {
    if (key.tenantStatus !== 'active') return 0;
    // A key that expires sooner than the TTL is asked again once it has.
    const expiresIn = key.expiresAt ? Date.parse(key.expiresAt) - now : Infinity;
    return Math.max(0, Math.min(this.ttlMs, expiresIn));
  }

  private async fetchTenant(tenantId: string, requestId: string): Promise<TenantStatus> {
    const tenant = await this.controlPlane
      .query({ type: 'GetTenant', tenantId }, requestId)
      .catch((error: unknown) => {
        if (error instanceof StrataError && error.code === 'not_found')
          throw new StrataError('tenant_unknown', `no tenant ${tenantId}`);
        throw error;
      });
    return tenant.status;
  }
}
