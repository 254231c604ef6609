import { Logger } from '@nestjs/common';
import { type KvBucket, KvKeyExistsError, KvRevisionConflictError } from '@strata/bus';
import { type NotificationLease, notificationLeaseKey } from '@strata/contracts';
import { DeliveryMembers } from './delivery-members';
import { chooseGivenBack, fairShare, leasesToGiveBack, type MemberLoad } from './fair-share';

/** How long a delivery lease lasts and how often its holder renews it. */
export interface DeliveryLeaseTimes {
  /** A lease not renewed for this long lapses, and another replica may take it. */
  readonly ttlMs: number;
  /**
   * Time between renewals, and between attempts at the leases of others. The holder stops
   * sending this long before its lease lapses, so a late renewal or clocks apart by less than
   * this never let two replicas send at once.
   */
  readonly renewEveryMs: number;
}

/** What the service does when this replica takes a tenant's lease or gives it back. */
export interface DeliveryLeaseCallbacks {
  /** Runs after the lease is written and before the tenant's notifications are sent here. */
  acquired(tenantId: string): Promise<void>;
  /**
   * Runs once this replica stopped sending the tenant's notifications and before it gives the
   * lease back: the sends in flight end and log what they sent, so the next holder reads them.
   */
  releasing(tenantId: string): Promise<void>;
}

/** A lease this replica wrote: its revision, and until when it lasts by this replica's clock. */
interface Held {
  revision: number;
  until: number;
  /** False while the tenant's notification log is being read again after acquisition. */
  ready: boolean;
  /** Being given back: nothing more is sent, the sends in flight end, then the key is deleted. */
  giving: boolean;
}

/**
 * Each tenant's delivery lease, kept by one replica at a time (as Mimir shards tenants' Alertmanagers
 * over replicas): only the holder sends a tenant's notifications, so a flush needs no round trip
 * to keep replicas from sending the same one. A lease is written by compare-and-set with an expiry
 * in its value (the bucket keeps silences and the log for good, so no bucket TTL), renewed every
 * `renewEveryMs`, and taken by another replica once it lapsed or was given back. Replicas announce
 * themselves beside the leases (`DeliveryMembers`) and share them out as the ingester does its
 * partitions: each asks for leases while it holds fewer than its fair share of the tenants it
 * runs, and gives back its surplus when a replica joins (see `leasesToGiveBack`). `acquired` runs
 * before `holds` answers true, so the new holder reads the tenant's log as the previous one left it.
 */
export class DeliveryLeases {
  private readonly log = new Logger('DeliveryLeases');
  private readonly members: DeliveryMembers;
  private readonly wanted = new Set<string>();
  private readonly held = new Map<string, Held>();
  /** Leases being given back, until their key is deleted. */
  private readonly givingBack = new Map<string, Promise<void>>();
  /**
   * Tenants given back, by when this replica may ask for them again: not straight back, before a
   * replica with fewer had its turn at them.
   */
  private readonly cooling = new Map<string, number>();
  /** Attempts in flight, so a tenant is not asked for twice at once. */
  private readonly attempting = new Map<string, Promise<void>>();
  /** Leases being written: counted against the share before they are held. */
  private claiming = 0;
  /** Live replicas, this one included, as of the last listing. */
  private memberCount = 1;
  /** Leases held as of the last announcement. */
  private announced = -1;
  private timer: NodeJS.Timeout | null = null;
  private round: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly bucket: KvBucket,
    readonly owner: string,
    private readonly times: DeliveryLeaseTimes,
    private readonly callbacks: DeliveryLeaseCallbacks,
  ) {
    this.members = new DeliveryMembers(bucket, owner, times.ttlMs);
  }

  /** Announces this replica and counts the others, then renews, balances and asks on a timer. */
  async start(): Promise<void> {
    await this.announce();
    await this.countMembers();
    this.timer = setInterval(() => {
      void this.queue(() => this.nextRound());
    }, this.times.renewEveryMs);
  }

  /**
   * Whether this replica sends the tenant's notifications now: it holds the lease, read its log
   * since, is not giving it back, and the lease lasts at least `renewEveryMs` more by its own clock.
   */
  holds(tenantId: string): boolean {
    const h = this.held.get(tenantId);
    return (
      h !== undefined && h.ready && !h.giving && Date.now() < h.until - this.times.renewEveryMs
    );
  }

  /** Asks for the tenant's lease now (if under this replica's share) and on every round after. */
  want(tenantId: string): Promise<void> {
    this.wanted.add(tenantId);
    return this.attempt(tenantId);
  }

  /** Gives every lease back and leaves, so other replicas take them on their next attempt. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.round;
    await Promise.all(this.attempting.values());
    await Promise.all(this.givingBack.values());
    await Promise.all(
      [...this.held].map(async ([tenantId, h]) => {
        this.held.delete(tenantId);
        await this.bucket
          .delete(notificationLeaseKey(tenantId), { revision: h.revision })
          .catch(() => undefined);
      }),
    );
    await this.members.leave();
  }

  private lease(): NotificationLease {
    return { owner: this.owner, until: Date.now() + this.times.ttlMs };
  }

  /** Leases held and not being given back. */
  private kept(): number {
    let kept = 0;
    for (const h of this.held.values()) if (!h.giving) kept++;
    return kept;
  }

  /** How many more leases this replica may take now. */
  private room(): number {
    return fairShare(this.wanted.size, this.memberCount) - this.kept() - this.claiming;
  }

  /** Runs `step` after the rounds and steps queued before it; a failure does not stop the next. */
  private queue(step: () => Promise<void>): Promise<void> {
    this.round = this.round
      .then(step)
      .catch((e: unknown) => this.log.warn(`lease round failed: ${String(e)}`));
    return this.round;
  }

  private async nextRound(): Promise<void> {
    if (this.stopped) return;
    await this.renewAll();
    await this.balance();
    await this.attemptAll();
    // What it took or gave this round, for the others' next balance.
    if (this.kept() !== this.announced) await this.announce();
  }

  private async announce(): Promise<void> {
    if (this.stopped) return;
    const holds = this.kept();
    try {
      await this.members.announce(holds, this.wanted.size);
      this.announced = holds;
    } catch (e) {
      this.log.warn(`announcing this replica: ${String(e)}`);
    }
  }

  /**
   * The other live replicas asking for leases, or null when they could not be listed (the last
   * count stands).
   */
  private async countMembers(): Promise<MemberLoad[] | null> {
    try {
      // One that runs no tenant (yet) would take none of what it is given.
      const others = (await this.members.live()).filter(
        (m) => m.owner !== this.owner && m.wants > 0,
      );
      this.memberCount = others.length + 1;
      return others;
    } catch (e) {
      this.log.warn(`listing the replicas: ${String(e)}`);
      return null;
    }
  }

  /** Gives back what `leasesToGiveBack` says, chosen the same way every round. */
  private async balance(): Promise<void> {
    const others = await this.countMembers();
    if (others === null || this.stopped) return;
    const count = leasesToGiveBack(
      { owner: this.owner, holds: this.kept(), wants: this.wanted.size },
      others,
    );
    const candidates = [...this.held].filter(([, h]) => h.ready && !h.giving).map(([t]) => t);
    for (const tenantId of chooseGivenBack(this.owner, candidates, count)) this.giveBack(tenantId);
  }

  /**
   * Stops sending the tenant's notifications at once (`holds` turns false), lets the sends in
   * flight end and log (at most a lease's time: a send slower than that may be sent again by the
   * next holder, as after a lapse), then deletes the lease by revision between two rounds, so no
   * renewal is in flight.
   */
  private giveBack(tenantId: string): void {
    const h = this.held.get(tenantId);
    if (h === undefined || h.giving) return;
    h.giving = true;
    this.cooling.set(tenantId, Date.now() + this.times.ttlMs);
    const done = this.settle(tenantId)
      .then(() => this.queue(() => this.release(tenantId, h)))
      .finally(() => this.givingBack.delete(tenantId));
    this.givingBack.set(tenantId, done);
  }

  private async settle(tenantId: string): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.callbacks
        .releasing(tenantId)
        .catch((e: unknown) => this.log.warn(`ending the sends of ${tenantId}: ${String(e)}`)),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, this.times.ttlMs))),
    ]).finally(() => clearTimeout(timer));
  }

  private async release(tenantId: string, h: Held): Promise<void> {
    // Lost meanwhile (renewals failed until it lapsed): whoever took it keeps it.
    if (this.held.get(tenantId) !== h) return;
    this.held.delete(tenantId);
    try {
      await this.bucket.delete(notificationLeaseKey(tenantId), { revision: h.revision });
      this.log.log(`gave back the delivery lease of ${tenantId} to share them out`);
    } catch (e) {
      // It lapses instead, and is taken then.
      this.log.warn(`giving back the delivery lease of ${tenantId}: ${String(e)}`);
    }
  }

  private async attemptAll(): Promise<void> {
    if (this.room() <= 0) return;
    const now = Date.now();
    for (const [tenantId, until] of this.cooling) if (until <= now) this.cooling.delete(tenantId);
    await Promise.all(
      [...this.wanted]
        .filter((t) => !this.held.has(t) && !this.cooling.has(t))
        .map((t) => this.attempt(t)),
    );
  }

  private attempt(tenantId: string): Promise<void> {
    let running = this.attempting.get(tenantId);
    if (running === undefined) {
      running = this.take(tenantId)
        .catch((e: unknown) => this.log.warn(`taking the lease of ${tenantId}: ${String(e)}`))
        .finally(() => this.attempting.delete(tenantId));
      this.attempting.set(tenantId, running);
    }
    return running;
  }

  private async take(tenantId: string): Promise<void> {
    if (this.stopped || this.held.has(tenantId) || this.room() <= 0) return;
    const key = notificationLeaseKey(tenantId);
    const current = await this.bucket.get(key);
    if (current !== null) {
      const other = current.json<NotificationLease>();
      // Its holder may still be sending until it lapses (by that holder's clock, which the
      // holder's own margin of `renewEveryMs` covers).
      if (other.owner !== this.owner && other.until >= Date.now()) return;
    }
    // Checked again after the read: other attempts ran meanwhile.
    if (this.stopped || this.room() <= 0) return;
    const lease = this.lease();
    let revision: number;
    this.claiming++;
    try {
      revision =
        current === null
          ? await this.bucket.create(key, lease)
          : await this.bucket.update(key, lease, current.revision);
    } catch (e) {
      if (e instanceof KvKeyExistsError || e instanceof KvRevisionConflictError) return;
      throw e;
    } finally {
      this.claiming--;
    }
    const h: Held = { revision, until: lease.until, ready: false, giving: false };
    this.held.set(tenantId, h);
    try {
      await this.callbacks.acquired(tenantId);
    } catch (e) {
      // Holding a lease without knowing the log would leave the tenant unserved: give it back.
      if (this.held.get(tenantId) === h) this.held.delete(tenantId);
      await this.bucket.delete(key, { revision: h.revision }).catch(() => undefined);
      throw e;
    }
    // Lost by a renewal while the log was read: the next round asks again.
    if (this.held.get(tenantId) === h) h.ready = true;
    // Taking a lease over from a replica that stopped renewing is worth an operator's attention; a
    // lease nobody held (a new tenant's, or one given back) is routine.
    if (current === null) this.log.debug(`took the delivery lease of ${tenantId}`);
    else this.log.log(`took over the delivery lease of ${tenantId}`);
  }

  // All at once, and the announcement beside them: a busy event loop delays every renewal by one
  // task, not by one per tenant. A failure other than a conflict keeps the lease: the next renewal
  // may land before it lapses, and `holds` turns false meanwhile if it does not.
  private async renewAll(): Promise<void> {
    if (this.stopped) return;
    await Promise.all([
      this.announce(),
      ...[...this.held].map(async ([tenantId, h]) => {
        const lease = this.lease();
        try {
          const revision = await this.bucket.update(
            notificationLeaseKey(tenantId),
            lease,
            h.revision,
          );
          if (this.held.get(tenantId) === h) {
            h.revision = revision;
            h.until = lease.until;
          }
        } catch (e) {
          if (!(e instanceof KvRevisionConflictError)) {
            this.log.warn(`renewing the lease of ${tenantId}: ${String(e)}`);
            return;
          }
          if (this.held.get(tenantId) === h) this.held.delete(tenantId);
          this.log.warn(`lost the delivery lease of ${tenantId}`);
        }
      }),
    ]);
  }
}
