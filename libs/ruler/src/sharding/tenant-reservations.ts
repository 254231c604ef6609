import { type KvBucket } from '@strata/bus';
import { listWithin, type ReservationSource } from './group-leases';
import { hashToken } from './rendezvous';

const TENANT_PREFIX = 't.';

interface Reservation {
  tenantId: string;
  replica: string;
  at: number;
  /** How long after `at` the tenant stays reserved: the dedicated replica's hold. */
  holdMs: number;
}

/**
 * Reservations of dedicated tenants in KV: a replica dedicated to tenants renews `t.<tenant hash>`
 * with every membership renewal, so when all of a tenant's dedicated replicas are gone its groups
 * wait for one to return, as a Whizard tenant's rules wait for its ruler, until the hold the
 * replica wrote runs out and the shared replicas take them. The hold travels in the value, not as
 * the bucket's TTL, because the first replica to open a bucket would fix its TTL for everyone.
 */
export class TenantReservations implements ReservationSource {
  constructor(
    private readonly bucket: KvBucket,
    private readonly replica: string,
    private readonly tenants: readonly string[],
    private readonly holdMs: number,
    private readonly listTimeoutMs: number,
  ) {}

  /** Renews this replica's reservations. */
  async renew(): Promise<void> {
    await Promise.all(
      this.tenants.map((tenantId) =>
        this.bucket.put(`${TENANT_PREFIX}${hashToken(tenantId)}`, {
          tenantId,
          replica: this.replica,
          at: Date.now(),
          holdMs: this.holdMs,
        } satisfies Reservation),
      ),
    );
  }

  /** Tenants whose reservation holds now; the ones that ran out are deleted unless renewed meanwhile. */
  async reserved(now = Date.now()): Promise<Set<string>> {
    const keys = await listWithin(this.bucket, `${TENANT_PREFIX}>`, this.listTimeoutMs);
    const entries = await Promise.all(keys.map((k) => this.bucket.get(k)));
    const reserved = new Set<string>();
    for (const entry of entries) {
      if (!entry) continue;
      const r = entry.json<Reservation>();
      if (now - r.at < r.holdMs) reserved.add(r.tenantId);
      else await this.bucket.delete(entry.key, { revision: entry.revision }).catch(() => undefined);
    }
    return reserved;
  }
}
