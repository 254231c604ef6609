import { createHash, randomUUID } from 'node:crypto';
import { KvKeyExistsError, KvRevisionConflictError, type KvBucket } from '@strata/bus';
import { type NotificationLog, type NotificationLogEntry } from '@strata/alertmanager';

/** KV keys allow few characters; group keys carry quotes and braces, so they are hashed. */
function key(tenantId: string, groupKey: string, receiverKey: string, kind = 'nflog'): string {
  const h = createHash('sha256')
    .update(groupKey)
    .update('\u0000')
    .update(receiverKey)
    .digest('hex');
  return `${kind}.${tenantId}.${h.slice(0, 40)}`;
}

/** Who holds the right to send one notification, and until when. */
interface Claim {
  readonly owner: string;
  readonly content: string;
  readonly until: number;
}

/** This process, as a claim's owner. */
const OWNER = randomUUID();

/**
 * The notification log of one tenant in the service's JetStream KV bucket, so a restarted process
 * or another replica knows what was already sent, with claims so two replicas never send the same.
 */
export class KvNotificationLog implements NotificationLog {
  constructor(
    private readonly kv: KvBucket,
    private readonly tenantId: string,
  ) {}

  async get(groupKey: string, receiverKey: string): Promise<NotificationLogEntry | undefined> {
    const v = await this.kv.get(key(this.tenantId, groupKey, receiverKey));
    return v === null ? undefined : (v.json() as NotificationLogEntry);
  }

  async put(groupKey: string, receiverKey: string, entry: NotificationLogEntry): Promise<void> {
    await this.kv.put(key(this.tenantId, groupKey, receiverKey), entry);
  }

  /**
   * Compare-and-set on a claim beside the log entry: the first replica to write it sends; the
   * others see the same content claimed by someone else until it lapses (a dead sender's claim
   * lapses at its deadline, and the next flush of a live replica sends).
   */
  async claim(
    groupKey: string,
    receiverKey: string,
    entry: NotificationLogEntry,
    untilMs: number,
  ): Promise<boolean> {
    const k = key(this.tenantId, groupKey, receiverKey, 'nfclaim');
    const content = JSON.stringify([entry.firing, entry.resolved]);
    const mine: Claim = { owner: OWNER, content, until: untilMs };
    const held = await this.kv.get(k);
    try {
      if (held === null) {
        await this.kv.create(k, mine);
        return true;
      }
      const claim = held.json<Claim>();
      if (claim.owner !== OWNER && claim.content === content && claim.until > entry.timestamp)
        return false;
      await this.kv.update(k, mine, held.revision);
      return true;
    } catch (e) {
      if (e instanceof KvKeyExistsError || e instanceof KvRevisionConflictError) return false;
      throw e;
    }
  }
}
