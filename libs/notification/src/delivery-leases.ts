import { Logger } from '@nestjs/common';
import { type KvBucket, KvKeyExistsError, KvRevisionConflictError } from '@strata/bus';
import { type NotificationLease, notificationLeaseKey } from '@strata/contracts';

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

/** A lease this replica wrote: its revision, and until when it lasts by this replica's clock. */
interface Held {
  revision: number;
  until: number;
  /** False while the tenant's notification log is being read again after acquisition. */
  ready: boolean;
}

/**
 * Each tenant's delivery lease, kept by one replica at a time (as Mimir shards tenants' Alertmanagers
 * over replicas): only the holder sends a tenant's notifications, so a flush needs no round trip
 * to keep replicas from sending the same one. Every replica asks for the leases of the tenants it
 * runs; a lease is written by compare-and-set with an expiry in its value (the bucket keeps
 * silences and the log for good, so no bucket TTL), renewed every `renewEveryMs`, and taken by
 * another replica once it lapsed. `acquired` runs before `holds` answers true, so the new holder
 * reads the tenant's log as the previous one left it.
 */
export class DeliveryLeases {
  private readonly log = new Logger('DeliveryLeases');
  private readonly wanted = new Set<string>();
  private readonly held = new Map<string, Held>();
  /** Attempts in flight, so a tenant is not asked for twice at once. */
  private readonly attempting = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  private round: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly bucket: KvBucket,
    readonly owner: string,
    private readonly times: DeliveryLeaseTimes,
    /** Runs after the lease is written and before the tenant's notifications are sent here. */
    private readonly acquired: (tenantId: string) => Promise<void>,
  ) {}

  /** Renews the leases held and asks for the others on a timer. */
  start(): void {
    this.timer = setInterval(() => {
      this.round = this.round.then(() => this.renewAll()).then(() => this.attemptAll());
    }, this.times.renewEveryMs);
  }

  /**
   * Whether this replica sends the tenant's notifications now: it holds the lease, read its log
   * since, and the lease lasts at least `renewEveryMs` more by its own clock.
   */
  holds(tenantId: string): boolean {
    const h = this.held.get(tenantId);
    return h !== undefined && h.ready && Date.now() < h.until - this.times.renewEveryMs;
  }

  /** Asks for the tenant's lease now and on every round after. */
  want(tenantId: string): Promise<void> {
    this.wanted.add(tenantId);
    return this.attempt(tenantId);
  }

  /** Gives every lease back, so another replica takes them on its next attempt. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.round;
    await Promise.all(this.attempting.values());
    await Promise.all(
      [...this.held].map(async ([tenantId, h]) => {
        this.held.delete(tenantId);
        await this.bucket
          .delete(notificationLeaseKey(tenantId), { revision: h.revision })
          .catch(() => undefined);
      }),
    );
  }

  private lease(): NotificationLease {
    return { owner: this.owner, until: Date.now() + this.times.ttlMs };
  }

  private async attemptAll(): Promise<void> {
    await Promise.all(
      [...this.wanted].filter((t) => !this.held.has(t)).map((t) => this.attempt(t)),
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
    if (this.stopped || this.held.has(tenantId)) return;
    const key = notificationLeaseKey(tenantId);
    const current = await this.bucket.get(key);
    const lease = this.lease();
    let revision: number;
    try {
      if (current === null) revision = await this.bucket.create(key, lease);
      else {
        const other = current.json<NotificationLease>();
        // Its holder may still be sending until it lapses (by that holder's clock, which the
        // holder's own margin of `renewEveryMs` covers).
        if (other.owner !== this.owner && other.until >= Date.now()) return;
        revision = await this.bucket.update(key, lease, current.revision);
      }
    } catch (e) {
      if (e instanceof KvKeyExistsError || e instanceof KvRevisionConflictError) return;
      throw e;
    }
    const h: Held = { revision, until: lease.until, ready: false };
    this.held.set(tenantId, h);
    try {
      await this.acquired(tenantId);
    } catch (e) {
      // Holding a lease without knowing the log would leave the tenant unserved: give it back.
      this.held.delete(tenantId);
      await this.bucket.delete(key, { revision: h.revision }).catch(() => undefined);
      throw e;
    }
    // Lost by a renewal while the log was read: the next round asks again.
    if (this.held.get(tenantId) === h) h.ready = true;
    // Taking a lease over from a replica that stopped renewing is worth an operator's attention; a
    // lease nobody held (a new tenant's, or one given back at a stop) is routine.
    if (current === null) this.log.debug(`took the delivery lease of ${tenantId}`);
    else this.log.log(`took over the delivery lease of ${tenantId}`);
  }

  // All at once: a busy event loop delays every renewal by one task, not by one per tenant. A
  // failure other than a conflict keeps the lease: the next renewal may land before it lapses,
  // and `holds` turns false meanwhile if it does not.
  private async renewAll(): Promise<void> {
    if (this.stopped) return;
    await Promise.all(
      [...this.held].map(async ([tenantId, h]) => {
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
    );
  }
}
