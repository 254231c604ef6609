import { type KvBucket } from '@strata/bus';
import {
  type NotificationMember,
  notificationMemberKey,
  notificationMemberKeys,
} from '@strata/contracts';

/**
 * The notification replicas sharing out the delivery leases, in the state bucket: each writes its
 * `notificationMemberKey` with an expiry in the value (the bucket keeps silences for good, so no
 * bucket TTL) whenever it renews its leases, and lists the others' to know the fair share.
 */
export class DeliveryMembers {
  constructor(
    private readonly bucket: KvBucket,
    private readonly owner: string,
    private readonly ttlMs: number,
  ) {}

  /** Announces this replica, live for `ttlMs` more, with what it holds and wants now. */
  async announce(holds: number, wants: number): Promise<void> {
    const member: NotificationMember = {
      owner: this.owner,
      until: Date.now() + this.ttlMs,
      holds,
      wants,
    };
    await this.bucket.put(notificationMemberKey(this.owner), member);
  }

  /**
   * The live members (this one among them if its key is); keys lapsed a lease ago (a replica
   * killed) are deleted on the way, by revision. The bucket lists keys with one API request (with
   * its timeout), not through a consumer that could wait forever.
   */
  async live(): Promise<NotificationMember[]> {
    const keys = await this.bucket.keys(notificationMemberKeys);
    const values = await Promise.all(keys.map((k) => this.bucket.get(k)));
    const now = Date.now();
    const live: NotificationMember[] = [];
    for (const v of values) {
      if (v === null) continue;
      const m = v.json<NotificationMember>();
      if (m.until >= now) live.push(m);
      else if (m.until < now - this.ttlMs)
        void this.bucket.delete(v.key, { revision: v.revision }).catch(() => undefined);
    }
    return live;
  }

  /** Leaves at once, so the others count without this replica at their next round. */
  async leave(): Promise<void> {
    await this.bucket.delete(notificationMemberKey(this.owner)).catch(() => undefined);
  }
}
