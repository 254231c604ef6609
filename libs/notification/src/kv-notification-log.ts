import { createHash, randomUUID } from 'node:crypto';
import {
  KvKeyExistsError,
  KvRevisionConflictError,
  type KvBucket,
  type KvWatch,
} from '@strata/bus';
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

interface Held {
  readonly value: unknown;
  readonly revision: number;
}

/**
 * The log entries and claims this process knows, kept fresh by watches of the bucket, so a flush
 * reads them without a round trip. A stale copy is safe: a claim is written by compare-and-set on
 * the revision held here, so a replica that missed another's claim fails the write and does not
 * send; a key not held yet is read from the bucket.
 */
export class NotificationLogCache {
  private readonly held = new Map<string, Held | null>();
  /** Keys the bucket had when the watches started: any other key not held is absent. */
  private readonly present = new Set<string>();
  private listed = false;
  private readonly watches: KvWatch[] = [];

  constructor(readonly kv: KvBucket) {}

  /** Starts the watches; changes made by any replica from now on reach the cache. */
  async start(): Promise<void> {
    for (const pattern of ['nflog.>', 'nfclaim.>']) {
      const watch = await this.kv.watch({ key: pattern, updatesOnly: true });
      this.watches.push(watch);
      void (async () => {
        for await (const c of watch) {
          // Most changes are this process's own writes coming back: known, so not decoded.
          if ((this.held.get(c.key)?.revision ?? 0) >= c.revision) continue;
          this.remember(c.key, c.operation === 'put' ? c.json() : null, c.revision);
        }
      })().catch(() => undefined);
    }
    for (const pattern of ['nflog.>', 'nfclaim.>'])
      for (const k of await this.kv.keys(pattern)) this.present.add(k);
    this.listed = true;
  }

  async stop(): Promise<void> {
    await Promise.all(this.watches.map((w) => w.stop()));
  }

  /** The value and revision of `k`, from the cache or else the bucket. */
  async get(k: string): Promise<Held | null> {
    const cached = this.held.get(k);
    if (cached !== undefined) return cached;
    // Created since the listing, it would have come through a watch.
    if (this.listed && !this.present.has(k)) return null;
    const v = await this.kv.get(k);
    const read = v === null ? null : { value: v.json(), revision: v.revision };
    // A watch may have brought something newer while the read was under way.
    if (!this.held.has(k)) this.held.set(k, read);
    return this.held.get(k) ?? null;
  }

  /** Records a value at a revision unless a later one is held. */
  remember(k: string, value: unknown, revision: number): void {
    const cached = this.held.get(k);
    if (cached && cached.revision >= revision) return;
    this.held.set(k, value === null ? null : { value, revision });
  }

  /** Drops what is held for `k`, so the next read asks the bucket. */
  forget(k: string): void {
    this.held.delete(k);
    this.present.add(k);
  }
}

/**
 * The notification log of one tenant in the service's JetStream KV bucket, so a restarted process
 * or another replica knows what was already sent, with claims so two replicas never send the same.
 */
export class KvNotificationLog implements NotificationLog {
  constructor(
    private readonly cache: NotificationLogCache,
    private readonly tenantId: string,
  ) {}

  async get(groupKey: string, receiverKey: string): Promise<NotificationLogEntry | undefined> {
    const held = await this.cache.get(key(this.tenantId, groupKey, receiverKey));
    return held === null ? undefined : (held.value as NotificationLogEntry);
  }

  async put(groupKey: string, receiverKey: string, entry: NotificationLogEntry): Promise<void> {
    const k = key(this.tenantId, groupKey, receiverKey);
    this.cache.remember(k, entry, await this.cache.kv.put(k, entry));
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
    const held = await this.cache.get(k);
    try {
      if (held === null) {
        this.cache.remember(k, mine, await this.cache.kv.create(k, mine));
        return true;
      }
      const claim = held.value as Claim;
      if (claim.owner !== OWNER && claim.content === content && claim.until > entry.timestamp)
        return false;
      this.cache.remember(k, mine, await this.cache.kv.update(k, mine, held.revision));
      return true;
    } catch (e) {
      if (e instanceof KvKeyExistsError || e instanceof KvRevisionConflictError) {
        // Someone else claimed it first: read it from the bucket next time.
        this.cache.forget(k);
        return false;
      }
      throw e;
    }
  }
}
