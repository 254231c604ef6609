import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import {
  type ControlEvent,
  type ModelPermission,
  type ModelPermissionsEntry,
  permissionAllows,
  type RelayedEvent,
  StrataError,
} from '@strata/contracts';
import { ControlEventsFeed, EventInvalidatedCache } from '@strata/service-kit';
import { AccessPolicy, hasScope } from '../auth/access-policy';
import { DEFAULT_ADMISSION_TTL_MS } from '../auth/admission.cache';
import { type Caller, type Principal } from '../auth/principal';
import { ControlPlaneClient } from '../control-plane/control-plane.client';
import { GATEWAY_OPTIONS, type GatewayOptions } from '../gateway.options';

/** Events that change which grants a tenant has or which artifact repositories a model names. */
const GRANT_EVENTS: ReadonlySet<ControlEvent['type']> = new Set<ControlEvent['type']>([
  'RegisteredModelPermissionSet',
  'RegisteredModelPermissionDeleted',
  'RegisteredModelCreated',
  'RegisteredModelDeleted',
  'ModelVersionCreated',
]);

/** What a permission check is about: a registered model, or an artifact repository (`repo/name`). */
export type ModelTarget = { model: string } | { artifact: { repo: string; name: string } };

/**
 * MLflow's per-model permissions at the edge. A key's permission on a model is its grant there,
 * else what its scopes allow (see `allows`); `admin` keys and the platform admin always MANAGE. An artifact repository (`/models/v1/{repo}/{name}`) falls under every registered model
 * whose versions name it, and the most restrictive grant among them wins. Each tenant's grants are
 * kept per gateway replica and invalidated by the control-plane events that change them, as the
 * admission cache is.
 */
@Injectable()
export class ModelAccess implements OnModuleInit, OnApplicationShutdown {
  private readonly grants: EventInvalidatedCache<string, ModelPermissionsEntry[]>;
  private readonly feed: ControlEventsFeed | null;
  private readonly ttlMs: number;

  constructor(
    @Inject(GATEWAY_OPTIONS) options: GatewayOptions,
    private readonly controlPlane: ControlPlaneClient,
  ) {
    this.ttlMs =
      options.admissionCacheTtlMs ?? (options.controlPlane ? 0 : DEFAULT_ADMISSION_TTL_MS);
    this.grants = new EventInvalidatedCache<string, ModelPermissionsEntry[]>({
      ttlMs: () => this.ttlMs,
    });
    this.feed =
      this.ttlMs > 0
        ? new ControlEventsFeed(
            options.bus,
            (event) => this.onEvent(event),
            () => this.grants.invalidateAll(),
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

  /** Applies a relayed control-plane event. */
  onEvent(event: RelayedEvent): void {
    const type: ControlEvent['type'] = event.type;
    const tenantId = (event.data as { tenantId?: unknown }).tenantId;
    if (GRANT_EVENTS.has(type) && typeof tenantId === 'string') this.grants.invalidate(tenantId);
  }

  /** Forgets a tenant's grants at once, e.g. right after this gateway changed a model. */
  forget(tenantId: string): void {
    this.grants.invalidate(tenantId);
  }

  /** Throws `forbidden` unless the caller holds `needed` on the target in its tenant. */
  async require(
    caller: Caller,
    tenantId: string,
    target: ModelTarget,
    needed: ModelPermission,
  ): Promise<void> {
    AccessPolicy.requireTenant(caller.principal, tenantId, null);
    const principal = caller.principal;
    if (bypasses(principal)) return;
    const entries = await this.tenantGrants(tenantId, caller.requestId);
    requireAllowed(principal, grantsFor(entries, target, principal.keyId), needed, target);
  }

  /** The artifact repositories of `repos` the caller may READ, for listings. */
  async readable<T extends { repo: string; name: string }>(
    caller: Caller,
    tenantId: string,
    repos: T[],
  ): Promise<T[]> {
    const principal = caller.principal;
    if (bypasses(principal)) return repos;
    const entries = await this.tenantGrants(tenantId, caller.requestId);
    return repos.filter((r) =>
      allows(principal, grantsFor(entries, { artifact: r }, principal.keyId), 'READ'),
    );
  }

  private tenantGrants(tenantId: string, requestId: string): Promise<ModelPermissionsEntry[]> {
    const ask = () =>
      this.controlPlane.query({ type: 'ListModelPermissions', tenantId }, requestId);
    return this.ttlMs > 0 ? this.grants.get(tenantId, ask) : ask();
  }
}

type KeyPrincipal = Extract<Principal, { kind: 'api-key' }>;

/** Whether the principal holds MANAGE on every model of its tenant (MLflow's admins). */
function bypasses(principal: Principal): principal is Exclude<Principal, KeyPrincipal> {
  return principal.kind === 'platform-admin' || principal.scopes.includes('admin');
}

function grantsFor(
  entries: ModelPermissionsEntry[],
  target: ModelTarget,
  keyId: string,
): ModelPermission[] {
  const path = 'artifact' in target ? `${target.artifact.repo}/${target.artifact.name}` : null;
  return entries
    .filter((e) =>
      path === null ? e.name === (target as { model: string }).model : e.artifacts.includes(path),
    )
    .map((e) => e.permissions[keyId])
    .filter((p): p is ModelPermission => p !== undefined);
}

/**
 * Whether a principal may do what needs `needed` on a model where its key holds `grants` (none,
 * or one per registered model naming the same artifact repository: the weakest wins). Without a
 * grant a key keeps its scopes' access, MLflow's `default_permission`: reads need `read`, changes
 * `write` (so a `write` key MANAGEs a model no grant restricts it on).
 */
export function allows(
  principal: Principal,
  grants: readonly ModelPermission[],
  needed: ModelPermission,
): boolean {
  if (bypasses(principal)) return true;
  if (grants.length === 0) return hasScope(principal.scopes, needed === 'READ' ? 'read' : 'write');
  return permissionAllows(weakest(grants), needed);
}

/** Throws `forbidden` naming what the key holds and what the action needs, as MLflow's PERMISSION_DENIED. */
export function requireAllowed(
  principal: Principal,
  grants: readonly ModelPermission[],
  needed: ModelPermission,
  target: ModelTarget,
): void {
  if (allows(principal, grants, needed)) return;
  const what =
    'artifact' in target
      ? `artifact repository ${target.artifact.repo}/${target.artifact.name}`
      : `registered model ${JSON.stringify(target.model)}`;
  const who = principal.kind === 'api-key' ? `key ${principal.keyId}` : 'the caller';
  const held = grants.length === 0 ? 'no grant and lacks the scope' : `holds ${weakest(grants)}`;
  throw new StrataError('forbidden', `${who} ${held} on ${what}; this needs ${needed}`);
}

function weakest(grants: readonly ModelPermission[]): ModelPermission {
  return grants.reduce((a, b) => (permissionAllows(a, b) ? b : a));
}
