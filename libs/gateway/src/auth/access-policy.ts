import { type ApiKeyScope, StrataError } from '@strata/contracts';
import { type Principal } from './principal';

/**
 * Who may do what. The platform admin may do everything. An API key acts only on its own tenant
 * and only with its scopes: `read` for reads, `write` for ingestion, `admin` for the tenant's own
 * administration (rename, issue and revoke keys), which also allows reading. Creating, suspending,
 * resuming and deleting tenants, setting quotas, platform-wide audit, replay and verification
 * belong to the platform admin alone.
 */
export const AccessPolicy = {
  /** Throws `forbidden` unless the caller is the platform admin. */
  requirePlatformAdmin(principal: Principal, what: string): void {
    if (principal.kind !== 'platform-admin')
      throw new StrataError('forbidden', `${what} needs the platform admin`);
  },

  /**
   * Throws `forbidden` unless the caller may act on `tenantId` with `scope`; a null scope checks
   * only the tenant, for routes whose access a per-model permission decides.
   */
  requireTenant(principal: Principal, tenantId: string, scope: ApiKeyScope | null): void {
    if (principal.kind === 'platform-admin') return;
    if (principal.tenantId !== tenantId) {
      throw new StrataError(
        'forbidden',
        `key ${principal.keyId} belongs to another tenant than ${tenantId}`,
      );
    }
    if (scope !== null && !hasScope(principal.scopes, scope)) {
      throw new StrataError('forbidden', `key ${principal.keyId} lacks the ${scope} scope`);
    }
  },
} as const;

/** Whether a key's scopes grant `needed`; `admin` implies `read`, `write` implies nothing else. */
export function hasScope(scopes: readonly ApiKeyScope[], needed: ApiKeyScope): boolean {
  return scopes.includes(needed) || (needed === 'read' && scopes.includes('admin'));
}
