import { Logger } from '@nestjs/common';
import { type KvBucket, type KvProvider } from '@strata/bus';

const MEMBER_PREFIX = 'm.';

/** How long a replica's key outlives its last renewal, and how often it is renewed and the others counted. */
export const REPLICA_MEMBER_TTL_MS = 10_000;
const RENEW_EVERY_MS = 2_000;

/**
 * The live replicas of one service, counted in a KV bucket where each renews `m.<instance>`
 * (expiring after {@link REPLICA_MEMBER_TTL_MS}). Requests reach the replicas at random, so each
 * admits 1/N of a tenant's rate and burst and the tenant's total holds across replicas: Loki's
 * `global` ingestion rate strategy. A replica that cannot reach the bucket keeps its last count
 * (1 until the first listing).
 */
export class ReplicaCount {
  private readonly log: Logger;
  private bucket: KvBucket | null = null;
  private timer: NodeJS.Timeout | null = null;
  private live = 1;
  private readonly key: string;

  /** Counts the replicas in `bucketName`, this one as `instanceId`; `what` names them in warnings. */
  constructor(
    private readonly kv: KvProvider,
    private readonly bucketName: string,
    instanceId: string,
    private readonly what: string,
  ) {
    this.log = new Logger(`ReplicaCount(${what})`);
    this.key = `${MEMBER_PREFIX}${instanceId.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  }

  /** Joins, counts the others, and keeps both up to date until {@link stop}. */
  async start(): Promise<void> {
    this.bucket = await this.kv.openKv(this.bucketName, {
      ttlMs: REPLICA_MEMBER_TTL_MS,
      history: 1,
    });
    await this.renew();
    this.timer = setInterval(() => {
      this.renew().catch((error: unknown) =>
        this.log.warn(`${this.what} membership not renewed: ${String(error)}`),
      );
    }, RENEW_EVERY_MS);
  }

  /** Live replicas as of the last renewal, this one included (at least 1). */
  count(): number {
    return this.live;
  }

  /** Leaves at once, so the others take over this replica's share without waiting for the TTL. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.bucket?.delete(this.key).catch(() => undefined);
  }

  private async renew(): Promise<void> {
    const bucket = this.bucket;
    if (bucket === null) return;
    await bucket.put(this.key, { at: Date.now() });
    const listing = bucket.keys(`${MEMBER_PREFIX}>`);
    // Lost to the timeout, its failure must not go unhandled.
    listing.catch(() => undefined);
    const keys = await Promise.race([
      listing,
      // A listing can wait for a key that expires under it; the next round lists again.
      new Promise<null>((r) => setTimeout(() => r(null), RENEW_EVERY_MS).unref()),
    ]);
    if (keys !== null) this.live = Math.max(1, new Set([...keys, this.key]).size);
  }
}
