import { Logger } from '@nestjs/common';
import { type KvBucket, KvKeyExistsError, KvRevisionConflictError } from '@strata/bus';
import { hashToken, ownerOf } from './rendezvous';

const MEMBER_PREFIX = 'm.';
const GROUP_PREFIX = 'g.';

/** What a member key holds: who, and where it answers for the status of its groups. */
export interface RulerMember {
  replica: string;
  at: number;
}

/**
 * Which replica evaluates which group: replicas announce themselves under `m.<replica>` in a KV
 * bucket whose values expire after the TTL; each group goes to its rendezvous-hash owner among the
 * live members, which also holds a lease `g.<hash>` (compare-and-set, renewed every third of the
 * TTL) so two replicas never evaluate a group at once while membership changes. A dead replica's
 * keys expire and its groups move on the next round after that, within TTL + TTL/3.
 */
export class GroupLeases {
  private readonly log = new Logger('RulerLeases');
  private readonly held = new Map<string, number>();
  private members: string[] = [];

  constructor(
    private readonly bucket: KvBucket,
    readonly replica: string,
    private readonly ttlMs: number,
  ) {}

  /** Live replicas as of the last round, this one included. */
  liveMembers(): readonly string[] {
    return this.members;
  }

  /** Renews this replica's membership and held leases; a lease found taken is dropped from `held`. */
  async renew(): Promise<void> {
    await this.bucket.put(`${MEMBER_PREFIX}${this.replica}`, {
      replica: this.replica,
      at: Date.now(),
    } satisfies RulerMember);
    await Promise.all(
      [...this.held].map(async ([key, revision]) => {
        try {
          this.held.set(
            key,
            await this.bucket.update(
              `${GROUP_PREFIX}${hashToken(key)}`,
              { replica: this.replica, at: Date.now() },
              revision,
            ),
          );
        } catch (error) {
          if (!(error instanceof KvRevisionConflictError)) throw error;
          this.held.delete(key);
          this.log.warn(`lost the lease of rule group ${key}`);
        }
      }),
    );
  }

  /**
   * One round: reads the live members, then returns the groups of `keys` this replica should
   * evaluate now: those it owns by hashing and could lease. Leases of groups it no longer owns
   * (or that no longer exist) are given back.
   */
  async round(keys: readonly string[]): Promise<Set<string>> {
    this.members = await this.listMembers();
    if (!this.members.includes(this.replica)) this.members = [...this.members, this.replica].sort();
    const wanted = new Set(keys.filter((k) => ownerOf(k, this.members) === this.replica));
    for (const key of [...this.held.keys()]) if (!wanted.has(key)) await this.release(key);
    for (const key of wanted) {
      if (this.held.has(key)) continue;
      try {
        this.held.set(
          key,
          await this.bucket.create(`${GROUP_PREFIX}${hashToken(key)}`, {
            replica: this.replica,
            at: Date.now(),
          }),
        );
      } catch (error) {
        // The previous owner still holds it: it gives it back on its next round, or its lease expires.
        if (!(error instanceof KvKeyExistsError))
          this.log.warn(`leasing rule group ${key}: ${String(error)}`);
      }
    }
    return new Set(this.held.keys());
  }

  /** Gives every lease and the membership back, so peers take over without waiting for expiry. */
  async leave(): Promise<void> {
    await Promise.all([...this.held.keys()].map((k) => this.release(k)));
    await this.bucket.delete(`${MEMBER_PREFIX}${this.replica}`).catch(() => undefined);
  }

  private async release(key: string): Promise<void> {
    const revision = this.held.get(key);
    this.held.delete(key);
    await this.bucket
      .delete(`${GROUP_PREFIX}${hashToken(key)}`, revision === undefined ? undefined : { revision })
      .catch(() => undefined);
  }

  // A listing can wait forever for a key that expires under it; a round must not.
  private async listMembers(): Promise<string[]> {
    let timer: NodeJS.Timeout | undefined;
    const listing = this.bucket.keys(`${MEMBER_PREFIX}>`);
    listing.catch(() => undefined);
    try {
      const keys = await Promise.race([
        listing,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`listing ruler members took over ${this.ttlMs} ms`)),
            this.ttlMs,
          );
        }),
      ]);
      return keys.map((k) => k.slice(MEMBER_PREFIX.length)).sort();
    } finally {
      clearTimeout(timer);
    }
  }
}
