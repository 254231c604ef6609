import { Logger } from '@nestjs/common';
import { type KvBucket, KvKeyExistsError, KvRevisionConflictError } from '@strata/bus';
import { KvBuckets, type PartitionLease } from '@strata/contracts';

/** What the owner of leases does when it gains or gives up a partition. */
export interface LeaseCallbacks {
  /** Start serving the partition; leases keep renewing while this runs. */
  acquired(partition: number, leaseRevision: number): Promise<void>;
  /** Stop serving it. `voluntary` is false when the lease was lost (someone else may own it already). */
  released(partition: number, voluntary: boolean): Promise<void>;
}

const MEMBER_PREFIX = 'm.';

/**
 * Partition ownership through a KV bucket whose values expire after the TTL: each ingester
 * renews its leases with compare-and-set every third of the TTL, announces itself as a member,
 * and claims free partitions up to its fair share (partitions / members), so a dead peer's
 * partitions are taken over once its leases expire and a new peer gets some on the next rounds.
 * Renewals run on a timer of their own: starting a claimed partition (snapshot, consumer creation
 * on a busy cluster) can take longer than a TTL and must not let the other leases lapse meanwhile.
 */
export class PartitionLeases {
  private readonly log = new Logger('PartitionLeases');
  private readonly owned = new Map<number, number>();
  private timer: NodeJS.Timeout | null = null;
  private renewTimer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> = Promise.resolve();
  private renewing: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly bucket: KvBucket,
    private readonly owner: string,
    private readonly partitions: number,
    private readonly ttlMs: number,
    private readonly callbacks: LeaseCallbacks,
  ) {}

  /** Partitions currently held. */
  ownedPartitions(): number[] {
    return [...this.owned.keys()].sort((a, b) => a - b);
  }

  /** Announces membership and runs the first round now, then renewals and rounds every third of the TTL. */
  async start(): Promise<void> {
    const every = Math.max(100, Math.floor(this.ttlMs / 3));
    await this.renewAll();
    // Before the first round: the partitions it claims must stay renewed while the others start.
    this.renewTimer = setInterval(() => {
      this.renewing ??= this.renewAll().finally(() => {
        this.renewing = null;
      });
    }, every);
    await this.tick();
    this.timer = setInterval(() => {
      this.ticking = this.ticking.then(() => this.tick());
    }, every);
  }

  /**
   * Members with a live key, listed within one TTL or the round is abandoned: a listing is a
   * consumer that can wait forever for its last key when that key expires or a node dies under
   * it, and a round that never ends would keep this ingester from ever claiming again.
   */
  private async memberCount(): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    const listing = this.bucket.keys(`${MEMBER_PREFIX}>`);
    listing.catch(() => undefined);
    try {
      const keys = await Promise.race([
        listing,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`listing members took over ${this.ttlMs} ms`)),
            this.ttlMs,
          );
        }),
      ]);
      return Math.max(1, keys.length);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Gives every partition back (after `released`), so peers take over without waiting for expiry. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.renewTimer) clearInterval(this.renewTimer);
    await this.ticking;
    await this.renewing;
    await Promise.all([...this.owned.keys()].map((p) => this.release(p)));
    await this.bucket.delete(`${MEMBER_PREFIX}${this.owner}`).catch(() => undefined);
  }

  private async release(p: number): Promise<void> {
    const revision = this.owned.get(p);
    this.owned.delete(p);
    await this.callbacks
      .released(p, true)
      .catch((e: unknown) => this.log.error(`releasing partition ${p}: ${String(e)}`));
    await this.bucket
      .delete(KvBuckets.partitionKey(p), revision === undefined ? undefined : { revision })
      .catch(() => undefined);
    this.log.log(`released partition ${p}`);
  }

  private lease(): PartitionLease {
    return { owner: this.owner, acquiredAt: Date.now() };
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    try {
      const members = await this.memberCount();
      const share = Math.ceil(this.partitions / members);
      // A peer joined: hand the surplus back (after a final snapshot) so it can claim it next round.
      while (this.owned.size > share && !this.stopped)
        await this.release(Math.max(...this.owned.keys()));
      for (let p = 0; p < this.partitions && this.owned.size < share && !this.stopped; p++) {
        if (this.owned.has(p)) continue;
        let revision: number;
        try {
          revision = await this.bucket.create(KvBuckets.partitionKey(p), this.lease());
        } catch (error) {
          if (!(error instanceof KvKeyExistsError))
            this.log.warn(`claiming partition ${p}: ${String(error)}`);
          continue;
        }
        this.owned.set(p, revision);
        this.log.log(`acquired partition ${p}`);
        try {
          await this.callbacks.acquired(p, revision);
          // Renewals run beside a start: one that found the lease gone while the partition was
          // starting released it before there was anything to stop, so stop what just started.
          if (this.owned.get(p) === undefined) await this.callbacks.released(p, false);
        } catch (error) {
          // Holding a lease without serving it would starve the partition: give it back and retry later.
          this.log.error(`starting partition ${p} failed, releasing it: ${String(error)}`);
          const current = this.owned.get(p);
          this.owned.delete(p);
          await this.bucket
            .delete(
              KvBuckets.partitionKey(p),
              current === undefined ? undefined : { revision: current },
            )
            .catch(() => undefined);
        }
      }
    } catch (error) {
      this.log.warn(`lease round failed: ${String(error)}`);
    }
  }

  // All leases at once: one round trip, so a busy event loop (a large query being answered)
  // delays every renewal by one task, not by one task per partition; the member key beside them,
  // so a slow renewal cannot let it lapse. A failure other than a conflict (a cluster electing a
  // leader) keeps the lease: the next renewal may still land within the TTL.
  private async renewAll(): Promise<void> {
    if (this.stopped) return;
    const member = this.bucket.put(`${MEMBER_PREFIX}${this.owner}`, {
      owner: this.owner,
      at: Date.now(),
    });
    const results = await Promise.allSettled([
      member,
      ...[...this.owned].map(([p, revision]) => this.renewOne(p, revision)),
    ]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) this.log.warn(`lease renewal failed: ${String(failed.reason)}`);
  }

  private async renewOne(p: number, revision: number): Promise<void> {
    try {
      const next = await this.bucket.update(KvBuckets.partitionKey(p), this.lease(), revision);
      // Released or claimed anew while the renewal was in flight: that newer state stands.
      if (this.owned.get(p) === revision) this.owned.set(p, next);
    } catch (error) {
      if (!(error instanceof KvRevisionConflictError)) throw error;
      if (this.owned.get(p) !== revision) return;
      this.owned.delete(p);
      this.log.warn(`lost the lease of partition ${p}`);
      await this.callbacks.released(p, false);
    }
  }
}
