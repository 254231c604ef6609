import {
  KvKeyExistsError,
  type KvBucket,
  type KvProvider,
  KvRevisionConflictError,
} from '@strata/bus';
import { KvBuckets, modelLockKey, StrataError } from '@strata/contracts';

/** Work done while a tenant's model lock is held; `held()` turns false if the lock was lost. */
export type LockedWork<T> = (held: () => boolean) => Promise<T>;

/**
 * Serialises the work on one tenant's model artifacts that must not interleave: committing a
 * manifest (its blobs checked, then written) and collecting garbage (manifests read, then blobs
 * deleted). Either could otherwise delete a blob a manifest being committed names.
 */
export interface TenantLock {
  run<T>(tenant: string, work: LockedWork<T>): Promise<T>;
}

/** The lock within one process: enough for one gateway with no other replica or collector. */
export class LocalTenantLock implements TenantLock {
  private readonly chains = new Map<string, Promise<unknown>>();

  async run<T>(tenant: string, work: LockedWork<T>): Promise<T> {
    const previous = this.chains.get(tenant) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => work(() => true));
    this.chains.set(tenant, next);
    try {
      return await next;
    } finally {
      if (this.chains.get(tenant) === next) this.chains.delete(tenant);
    }
  }
}

/** How long a KV lock waits and lives. */
export interface KvTenantLockOptions {
  /** Who holds it, for an operator reading the bucket. */
  owner: string;
  /** The bucket's TTL: a holder that dies frees the lock after this long. */
  ttlMs: number;
  /** Give up (503) after waiting this long for another holder. */
  waitMs: number;
}

/**
 * The lock across processes: a NATS KV entry created only when absent, in a bucket whose entries
 * expire after the TTL unless renewed, so every gateway replica and the model-registry service
 * take turns per tenant and a holder that dies frees the tenant. Renewed at a third of the TTL.
 */
export class KvTenantLock implements TenantLock {
  private readonly local = new LocalTenantLock();

  constructor(
    private readonly bucket: KvBucket,
    private readonly options: KvTenantLockOptions,
  ) {}

  // Work of this process queues locally first, so it polls the bucket once per turn, not per waiter.
  run<T>(tenant: string, work: LockedWork<T>): Promise<T> {
    return this.local.run(tenant, () => this.runHeld(tenant, work));
  }

  private async runHeld<T>(tenant: string, work: LockedWork<T>): Promise<T> {
    const key = modelLockKey(tenant);
    const value = { owner: this.options.owner, tenant };
    const revision = await this.acquire(key, value, tenant);
    const state = { lost: false, revision };
    const timer = setInterval(
      () => {
        this.bucket
          .update(key, value, state.revision)
          .then((r) => (state.revision = r))
          .catch((e: unknown) => {
            if (e instanceof KvRevisionConflictError || e instanceof KvKeyExistsError)
              state.lost = true;
          });
      },
      Math.max(100, Math.floor(this.options.ttlMs / 3)),
    );
    timer.unref();
    try {
      return await work(() => !state.lost);
    } finally {
      clearInterval(timer);
      if (!state.lost)
        await this.bucket.delete(key, { revision: state.revision }).catch(() => undefined);
    }
  }

  private async acquire(key: string, value: object, tenant: string): Promise<number> {
    const deadline = Date.now() + this.options.waitMs;
    for (let pause = 20; ; pause = Math.min(pause * 2, 500)) {
      try {
        return await this.bucket.create(key, value);
      } catch (e) {
        if (!(e instanceof KvKeyExistsError)) throw e;
      }
      if (Date.now() + pause > deadline)
        throw new StrataError(
          'unavailable',
          `tenant ${tenant}'s models are locked by another replica; try again`,
        );
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}

/** TTL of the model lock bucket: every opener passes the same, since the first one creates it. */
export const MODEL_LOCK_TTL_MS = 30_000;

/** Opens the shared model lock for `owner`; a waiter gives up (503) after `waitMs`. */
export async function openModelLock(
  kv: KvProvider,
  owner: string,
  waitMs = 60_000,
): Promise<KvTenantLock> {
  const bucket = await kv.openKv(KvBuckets.modelLocks, { ttlMs: MODEL_LOCK_TTL_MS, history: 1 });
  return new KvTenantLock(bucket, { owner, ttlMs: MODEL_LOCK_TTL_MS, waitMs });
}
