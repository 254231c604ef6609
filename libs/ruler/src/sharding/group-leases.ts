import { Logger } from '@nestjs/common';
import { type KvBucket, KvKeyExistsError, KvRevisionConflictError } from '@strata/bus';
import { hashToken } from './rendezvous';
import { type PlacedMember, placeGroup } from './tenant-placement';

const MEMBER_PREFIX = 'm.';
const GROUP_PREFIX = 'g.';

/** What a member key holds: who, and which tenants it is dedicated to (absent or null: shared). */
export interface RulerMember {
  replica: string;
  at: number;
  tenants?: string[] | null;
}

/** A group to place: its key and the tenant whose data it evaluates. */
export interface PlaceableGroup {
  key: string;
  tenantId: string;
}

/** Where reservations of dedicated tenants are kept (see {@link TenantReservations}). */
export interface ReservationSource {
  renew(): Promise<void>;
  reserved(): Promise<Set<string>>;
}

/**
 * Which replica evaluates which group: replicas announce themselves under `m.<replica>` in a KV
 * bucket whose values expire after the TTL, with the tenants they are dedicated to; each group
 * goes to its owner by {@link placeGroup} among the live members, which also holds a lease `g.<hash>` (compare-and-set, renewed every third of the
 * TTL) so two replicas never evaluate a group at once while membership changes. A dead replica's
 * keys expire and its groups move on the next round after that, within TTL + TTL/3.
 */
export class GroupLeases {
  private readonly log = new Logger('RulerLeases');
  private readonly held = new Map<string, number>();
  private members: PlacedMember[] = [];

  /** `tenants`: the tenants this replica is dedicated to, or null for a shared replica. */
  constructor(
    private readonly bucket: KvBucket,
    readonly replica: string,
    private readonly ttlMs: number,
    private readonly tenants: string[] | null = null,
    private readonly reservations: ReservationSource | null = null,
  ) {}

  /** Live replicas as of the last round, this one included. */
  liveMembers(): readonly string[] {
    return this.members.map((m) => m.replica);
  }

  /** Renews this replica's membership and held leases; a lease found taken is dropped from `held`. */
  async renew(): Promise<void> {
    await this.bucket.put(`${MEMBER_PREFIX}${this.replica}`, {
      replica: this.replica,
      at: Date.now(),
      tenants: this.tenants,
    } satisfies RulerMember);
    await this.reservations?.renew();
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
   * One round: reads the live members and the reserved tenants, then returns the keys of the
   * `groups` this replica should evaluate now: those placed on it and that it could lease. Leases
   * of groups it no longer owns (or that no longer exist) are given back.
   */
  async round(groups: readonly PlaceableGroup[]): Promise<Set<string>> {
    const [members, reserved] = await Promise.all([
      this.listMembers(),
      this.reservations?.reserved() ?? Promise.resolve(new Set<string>()),
    ]);
    this.members = members.some((m) => m.replica === this.replica)
      ? members
      : [...members, { replica: this.replica, tenants: this.tenants }];
    const wanted = new Set(
      groups
        .filter((g) => placeGroup(g.key, g.tenantId, this.members, reserved) === this.replica)
        .map((g) => g.key),
    );
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

  private async listMembers(): Promise<PlacedMember[]> {
    const keys = await listWithin(this.bucket, `${MEMBER_PREFIX}>`, this.ttlMs);
    const records = await Promise.all(keys.map((k) => this.bucket.get(k)));
    return records
      .filter((r) => r !== null)
      .map((r) => r.json<RulerMember>())
      .map((m) => ({ replica: m.replica, tenants: m.tenants ?? null }))
      .sort((a, b) => (a.replica < b.replica ? -1 : a.replica > b.replica ? 1 : 0));
  }
}

/**
 * The keys of `bucket` matching `filter`, failing after `timeoutMs`: a listing can wait forever
 * for a key that expires under it, and a round must not.
 */
export async function listWithin(
  bucket: KvBucket,
  filter: string,
  timeoutMs: number,
): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  const listing = bucket.keys(filter);
  listing.catch(() => undefined);
  try {
    return await Promise.race([
      listing,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`listing ${bucket.name} took over ${timeoutMs} ms`)),
          timeoutMs,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
