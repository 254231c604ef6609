import { ownerOf } from './rendezvous';

/** A live replica as its membership record shows it: the tenants it is dedicated to, or none (shared). */
export interface PlacedMember {
  replica: string;
  /** Tenants this replica alone evaluates; `null` for a shared replica. */
  tenants: readonly string[] | null;
}

/**
 * The replica that evaluates a group of `tenantId` (Whizard's ruler per tenant, over the shared
 * pool): the live replicas dedicated to the tenant share its groups by rendezvous hashing; while
 * none is alive but the tenant is still `reserved` (a dedicated replica renewed its reservation
 * within the hold), nobody evaluates them; otherwise the shared replicas share them. Replicas
 * dedicated to other tenants never take them.
 */
export function placeGroup(
  key: string,
  tenantId: string,
  members: readonly PlacedMember[],
  reserved: ReadonlySet<string>,
): string | null {
  const dedicated = members.filter((m) => m.tenants?.includes(tenantId));
  if (dedicated.length > 0)
    return ownerOf(
      key,
      dedicated.map((m) => m.replica),
    );
  if (reserved.has(tenantId)) return null;
  return ownerOf(
    key,
    members.filter((m) => m.tenants === null).map((m) => m.replica),
  );
}

/** `STRATA_RULER_TENANTS` as a list; empty means a shared replica (`null`). */
export function parseRulerTenants(value: string): string[] | null {
  const tenants = [
    ...new Set(
      value
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean),
    ),
  ];
  return tenants.length > 0 ? tenants.sort() : null;
}
