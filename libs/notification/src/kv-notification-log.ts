import { createHash } from 'node:crypto';
import { type KvBucket } from '@strata/bus';
import { type NotificationLog, type NotificationLogEntry } from '@strata/alertmanager';

/** KV keys allow few characters; group keys carry quotes and braces, so they are hashed. */
function key(tenantId: string, groupKey: string, receiverKey: string): string {
  const h = createHash('sha256')
    .update(groupKey)
    .update('\u0000')
    .update(receiverKey)
    .digest('hex');
  return `nflog.${tenantId}.${h.slice(0, 40)}`;
}

/**
 * The notification log of one tenant in the service's JetStream KV bucket, so a restarted process
 * or another replica knows what was already sent.
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
}
