import { type KvBucket, KvKeyExistsError, KvRevisionConflictError } from '@strata/bus';

/** The lease key of a tenant: hex, since tenant ids may hold characters KV keys refuse. */
export function tenantLeaseKey(tenant: string): string {
  return `t${Buffer.from(tenant, 'utf8').toString('hex')}`;
}

/** A held lease: renewed in the background until released; `lost` turns true if a renewal fails. */
export interface HeldLease {
  readonly lost: boolean;
  release(): Promise<void>;
}

/**
 * One compactor per tenant at a time: a KV entry created only when absent, in a bucket whose
 * entries expire after the TTL unless renewed, so a compactor that dies frees its tenants. Shards
 * already split tenants among replicas; the lease keeps two replicas that disagree on the shard
 * count (a rollout) from compacting the same tenant at once.
 */
export class TenantLeases {
  constructor(
    private readonly bucket: KvBucket,
    private readonly owner: string,
    private readonly ttlMs: number,
  ) {}

  /** Takes the tenant's lease, or null when another compactor holds it. */
  async acquire(tenant: string): Promise<HeldLease | null> {
    const key = tenantLeaseKey(tenant);
    let revision: number;
    try {
      revision = await this.bucket.create(key, { owner: this.owner, tenant });
    } catch (e) {
      if (e instanceof KvKeyExistsError) return null;
      throw e;
    }
    const state = { lost: false, revision };
    const timer = setInterval(
      () => {
        this.bucket
          .update(key, { owner: this.owner, tenant }, state.revision)
          .then((r) => (state.revision = r))
          .catch((e: unknown) => {
            if (e instanceof KvRevisionConflictError || e instanceof KvKeyExistsError)
              state.lost = true;
          });
      },
      Math.max(100, Math.floor(this.ttlMs / 3)),
    );
    timer.unref();
    return {
      get lost() {
        return state.lost;
      },
      release: async () => {
        clearInterval(timer);
        if (!state.lost)
          await this.bucket.delete(key, { revision: state.revision }).catch(() => undefined);
      },
    };
  }
}
