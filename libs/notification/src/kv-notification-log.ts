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

/** Log keys one tenant's log remembers at most (one per group and receiver in use). */
const MAX_KEYS_HELD = 100_000;

/**
 * What one log key holds: the last notification sent. Earlier builds kept a claim on the one
 * being sent beside it (`claim`), and before that under keys of their own (`nfclaim.`): both are
 * moot with delivery leases and not read.
 */
type Stored = Partial<NotificationLogEntry>;

const entryOf = (v: Stored | undefined): NotificationLogEntry | undefined =>
  v?.firing === undefined || v.resolved === undefined || v.timestamp === undefined
    ? undefined
    : { firing: v.firing, resolved: v.resolved, timestamp: v.timestamp };

/**
 * Writes log entries to the bucket, those asked for in one turn of the event loop together: the
 * entries of notifications answered together leave in one socket write.
 */
export class NotificationLogWriter {
  private queued: {
    readonly k: string;
    readonly value: Stored;
    readonly resolve: () => void;
    readonly reject: (e: unknown) => void;
  }[] = [];

  constructor(readonly kv: KvBucket) {}

  /** Writes `value` at `k` unconditionally. */
  put(k: string, value: Stored): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.queued.push({ k, value, resolve, reject }) === 1)
        setImmediate(() => this.writeQueued());
    });
  }

  private writeQueued(): void {
    const queued = this.queued;
    this.queued = [];
    for (const w of queued) this.kv.put(w.k, w.value).then(() => w.resolve(), w.reject);
  }
}

/**
 * The notification log of one tenant in the service's JetStream KV bucket, so a restarted process
 * or another replica knows what was already sent: one key per group and integration, written
 * after each notification. Only the holder of the tenant's delivery lease writes it, so this
 * replica's copy is the log as long as it holds the lease; `load` reads it again when it takes
 * the lease, since another replica may have written it meanwhile (nothing is watched).
 */
export class KvNotificationLog implements NotificationLog {
  /**
   * Log keys by group and receiver: a flush reads and writes the same key, and a group flushes
   * again every `group_interval`, so its key is hashed once, not twice per flush.
   */
  private readonly keys = new Map<string, string>();
  private readonly held = new Map<string, NotificationLogEntry | null>();
  /** Keys the bucket had at the last `load`: any other key not held is taken as absent. */
  private present: Set<string> | null = null;

  constructor(
    private readonly writer: NotificationLogWriter,
    private readonly tenantId: string,
  ) {}

  /**
   * Forgets what is held and lists the tenant's keys anew: a copy gone stale could hold an entry
   * older than the one another replica wrote since (an alert it logged as firing, resolved and
   * firing again since would not be sent) or miss one (a notification sent twice).
   */
  async load(): Promise<void> {
    const listed = await this.writer.kv.keys(`nflog.${this.tenantId}.>`);
    this.held.clear();
    this.present = new Set(listed);
  }

  private key(groupKey: string, receiverKey: string): string {
    const id = `${groupKey}\u0000${receiverKey}`;
    let k = this.keys.get(id);
    if (k === undefined) {
      // Bounded: groups come and go; the hash is cheap enough to make again.
      if (this.keys.size >= MAX_KEYS_HELD) this.keys.clear();
      this.keys.set(id, (k = key(this.tenantId, groupKey, receiverKey)));
    }
    return k;
  }

  async get(groupKey: string, receiverKey: string): Promise<NotificationLogEntry | undefined> {
    const k = this.key(groupKey, receiverKey);
    const cached = this.held.get(k);
    if (cached !== undefined) return cached ?? undefined;
    if (this.present !== null && !this.present.has(k)) return undefined;
    const presentAsked = this.present;
    const v = await this.writer.kv.get(k);
    const read = entryOf(v?.json<Stored>()) ?? null;
    // Not if a write or a new listing came in meanwhile: what they brought is newer.
    if (!this.held.has(k) && this.present === presentAsked) this.held.set(k, read);
    return read ?? undefined;
  }

  async put(groupKey: string, receiverKey: string, entry: NotificationLogEntry): Promise<void> {
    const k = this.key(groupKey, receiverKey);
    const value: NotificationLogEntry = {
      firing: entry.firing,
      resolved: entry.resolved,
      timestamp: entry.timestamp,
    };
    await this.writer.put(k, value);
    this.held.set(k, value);
  }
}
