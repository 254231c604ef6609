import { createHash, randomUUID } from 'node:crypto';
import { KvKeyExistsError, KvRevisionConflictError, type KvBucket } from '@strata/bus';
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

/** Who holds the right to send one notification, and until when. */
interface Claim {
  readonly owner: string;
  readonly content: string;
  readonly until: number;
}

/**
 * What one log key holds: the last notification sent (absent before the first) and the claim on
 * the one being sent, if any. Earlier builds wrote the entry alone, and claims under their own
 * keys (`nfclaim.`), which are lapsed or moot after a restart and so not read.
 */
type Stored = Partial<NotificationLogEntry> & { readonly claim?: Claim };

interface Held {
  readonly value: Stored;
  readonly revision: number;
}

/**
 * The log keys this process knows, so a flush reads them without a round trip. Every write of a
 * key is a compare-and-set on the revision held here (the claim) or follows one this process won
 * (the entry), so a copy made stale by another replica is found out by a failed claim, which
 * sends nothing and drops the copy: the next flush reads the key again. Nothing is watched, so
 * this process's own writes do not come back to it.
 */
export class NotificationLogCache {
  private readonly held = new Map<string, Held | null>();
  /** Keys the bucket had when the cache started: any other key not held is taken as absent. */
  private readonly present = new Set<string>();
  private listed = false;
  private queued: {
    readonly k: string;
    readonly value: Stored;
    readonly resolve: (revision: number) => void;
    readonly reject: (e: unknown) => void;
  }[] = [];

  /** `owner` names this process in its claims. */
  constructor(
    readonly kv: KvBucket,
    readonly owner: string = randomUUID(),
  ) {}

  /** Lists the keys there are, so that the first flush of a new group needs no read. */
  async start(): Promise<void> {
    for (const k of await this.kv.keys('nflog.>')) this.present.add(k);
    this.listed = true;
  }

  /** The value and revision of `k`, from the cache or else the bucket. */
  async get(k: string): Promise<Held | null> {
    const cached = this.held.get(k);
    if (cached !== undefined) return cached;
    // Made since the listing by another replica, a claim on it fails and it is read then.
    if (this.listed && !this.present.has(k)) return null;
    const v = await this.kv.get(k);
    const read = v === null ? null : { value: v.json<Stored>(), revision: v.revision };
    if (!this.held.has(k)) this.held.set(k, read);
    return this.held.get(k) ?? null;
  }

  /**
   * Writes `value` unconditionally, together with the other writes asked for in this turn of the
   * event loop: the log entries of notifications answered together leave in one socket write.
   */
  put(k: string, value: Stored): Promise<number> {
    return new Promise((resolve, reject) => {
      if (this.queued.push({ k, value, resolve, reject }) === 1)
        setImmediate(() => this.writeQueued());
    });
  }

  private writeQueued(): void {
    const queued = this.queued;
    this.queued = [];
    for (const w of queued) this.kv.put(w.k, w.value).then(w.resolve, w.reject);
  }

  /** Records a value this process wrote at `revision`. */
  remember(k: string, value: Stored, revision: number): void {
    const cached = this.held.get(k);
    if (cached && cached.revision >= revision) return;
    this.held.set(k, { value, revision });
  }

  /** Drops what is held for `k`, so the next read asks the bucket. */
  forget(k: string): void {
    this.held.delete(k);
    this.present.add(k);
  }
}

const entryOf = (v: Stored | undefined): NotificationLogEntry | undefined =>
  v?.firing === undefined || v.resolved === undefined || v.timestamp === undefined
    ? undefined
    : { firing: v.firing, resolved: v.resolved, timestamp: v.timestamp };

/**
 * The notification log of one tenant in the service's JetStream KV bucket, so a restarted process
 * or another replica knows what was already sent. A notification costs two writes of one key:
 * the claim before sending (compare-and-set, so two replicas never send the same) and the entry
 * after it.
 */
export class KvNotificationLog implements NotificationLog {
  /**
   * Log keys by group and receiver: a flush reads, claims and writes the same key, and a group
   * flushes again every `group_interval`, so its key is hashed once, not three times per flush.
   */
  private readonly keys = new Map<string, string>();

  constructor(
    private readonly cache: NotificationLogCache,
    private readonly tenantId: string,
  ) {}

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
    return entryOf((await this.cache.get(this.key(groupKey, receiverKey)))?.value);
  }

  async put(groupKey: string, receiverKey: string, entry: NotificationLogEntry): Promise<void> {
    const k = this.key(groupKey, receiverKey);
    const value: Stored = {
      firing: entry.firing,
      resolved: entry.resolved,
      timestamp: entry.timestamp,
    };
    this.cache.remember(k, value, await this.cache.put(k, value));
  }

  /**
   * Compare-and-set of a claim on the log key, the last entry kept beside it: the first replica
   * to write it sends; the others see the same content claimed by someone else until it lapses
   * (a dead sender's claim lapses at its deadline, and the next flush of a live replica sends).
   */
  async claim(
    groupKey: string,
    receiverKey: string,
    entry: NotificationLogEntry,
    untilMs: number,
  ): Promise<boolean> {
    const k = this.key(groupKey, receiverKey);
    const content = JSON.stringify([entry.firing, entry.resolved]);
    const held = await this.cache.get(k);
    const claim = held?.value.claim;
    if (
      claim !== undefined &&
      claim.owner !== this.cache.owner &&
      claim.content === content &&
      claim.until > entry.timestamp
    )
      return false;
    const mine: Stored = {
      ...entryOf(held?.value),
      claim: { owner: this.cache.owner, content, until: untilMs },
    };
    try {
      const revision =
        held === null
          ? await this.cache.kv.create(k, mine)
          : await this.cache.kv.update(k, mine, held.revision);
      this.cache.remember(k, mine, revision);
      return true;
    } catch (e) {
      if (e instanceof KvKeyExistsError || e instanceof KvRevisionConflictError) {
        // Someone else wrote it first: read it from the bucket next time.
        this.cache.forget(k);
        return false;
      }
      throw e;
    }
  }
}
