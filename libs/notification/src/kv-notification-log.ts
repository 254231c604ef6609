import { createHash, randomBytes } from 'node:crypto';
import { type KvBucket } from '@strata/bus';
import { type NotificationLog, type NotificationLogEntry } from '@strata/alertmanager';

/** The log's id of one group and integration: group keys carry quotes and braces, so hashed. */
function idOf(groupKey: string, receiverKey: string): string {
  return createHash('sha256')
    .update(groupKey)
    .update('\u0000')
    .update(receiverKey)
    .digest('hex')
    .slice(0, 40);
}

const KEY_ROOT = 'nflog.';
const keyPrefix = (tenantId: string): string => `${KEY_ROOT}${tenantId}.`;

/** Ids one tenant's log remembers at most (one per group and receiver in use). */
const MAX_IDS_HELD = 100_000;
/** A batch stays far below NATS' message limit (1 MiB by default), whatever its entries carry. */
const MAX_BATCH_BYTES = 256 * 1024;
/** Batches read at a load past which they are written again as one (and the ones read deleted). */
const COMPACT_AFTER = 64;
/** This process, in the keys of the batches it writes. */
const WRITER = randomBytes(4).toString('hex');

/**
 * One write of a tenant's log: the entries of the notifications answered in one turn of the event
 * loop, by id. An entry written again by a compaction keeps the revision of the batch it came from
 * (`rev`), so that a batch written meanwhile by a previous holder still orders after it.
 */
interface Batch {
  readonly entries: Readonly<Record<string, NotificationLogEntry & { readonly rev?: number }>>;
}

/** An entry and the revision that orders it: the newest per id wins. */
interface Held {
  readonly entry: NotificationLogEntry;
  readonly rev: number;
}

/**
 * What a key of earlier builds holds in the state bucket (`nflog.<tenant>.<id>`): the last entry,
 * beside it a `claim` on the one being sent (moot with delivery leases, not read).
 */
type LegacyStored = Partial<NotificationLogEntry>;

const legacyEntryOf = (v: LegacyStored | undefined): NotificationLogEntry | undefined =>
  v?.firing === undefined || v.resolved === undefined || v.timestamp === undefined
    ? undefined
    : { firing: v.firing, resolved: v.resolved, timestamp: v.timestamp };

/** Rough size of an entry in a batch: its fingerprints (16 hex digits, quoted) and the rest. */
const sizeOf = (e: NotificationLogEntry): number => 96 + 19 * (e.firing.length + e.resolved.length);

/**
 * Writes every tenant's log entries in batches: those asked for in one turn of the event loop go
 * out as one value per tenant (`nflog.<tenant>.<time>-<writer><n>`), in a bucket whose values
 * expire after the retention, as Alertmanager's nflog entries do (`--data.retention`). One write
 * per batch, not per notification: a flush of many groups costs a few writes.
 */
export class NotificationLogWriter {
  private queued = new Map<
    string,
    {
      readonly id: string;
      readonly entry: NotificationLogEntry;
      readonly resolve: (rev: number) => void;
      readonly reject: (e: unknown) => void;
    }[]
  >();
  private written = 0;
  /**
   * Ids of the earlier builds' keys, by tenant: listed once, at the first load, since this build
   * never writes them (a tenant's own listing at every lease taken asked the same again).
   */
  private legacyIds: Promise<Map<string, string[]>> | null = null;

  /** `log` holds the batches; `legacy` the per-key entries of earlier builds, read only. */
  constructor(
    readonly log: KvBucket,
    readonly legacy: KvBucket,
    readonly retentionMs: number,
  ) {}

  /** The ids of the tenant's keys written by earlier builds. */
  async legacyIdsOf(tenantId: string): Promise<readonly string[]> {
    this.legacyIds ??= this.legacy.keys(`${KEY_ROOT}>`).then(
      (keys) => {
        const byTenant = new Map<string, string[]>();
        for (const k of keys) {
          const dot = k.lastIndexOf('.');
          const tenant = k.slice(KEY_ROOT.length, dot);
          let ids = byTenant.get(tenant);
          if (ids === undefined) byTenant.set(tenant, (ids = []));
          ids.push(k.slice(dot + 1));
        }
        return byTenant;
      },
      (e: unknown) => {
        // Listed again at the next load.
        this.legacyIds = null;
        throw e;
      },
    );
    return (await this.legacyIds).get(tenantId) ?? [];
  }

  /** Writes `entry` under `id` with the others of this turn; resolves with its batch's revision. */
  put(tenantId: string, id: string, entry: NotificationLogEntry): Promise<number> {
    return new Promise((resolve, reject) => {
      if (this.queued.size === 0) setImmediate(() => this.writeQueued());
      let list = this.queued.get(tenantId);
      if (list === undefined) this.queued.set(tenantId, (list = []));
      list.push({ id, entry, resolve, reject });
    });
  }

  /** Writes a batch at a new key; resolves with its revision. */
  write(tenantId: string, batch: Batch): Promise<number> {
    const key = `${keyPrefix(tenantId)}${Date.now().toString(36)}-${WRITER}${(++this.written).toString(36)}`;
    return this.log.put(key, batch);
  }

  private writeQueued(): void {
    const queued = this.queued;
    this.queued = new Map();
    for (const [tenantId, list] of queued)
      for (let start = 0; start < list.length;) {
        const entries: Record<string, NotificationLogEntry> = {};
        let bytes = 0;
        let end = start;
        for (; end < list.length && (end === start || bytes < MAX_BATCH_BYTES); end++) {
          entries[list[end].id] = list[end].entry;
          bytes += sizeOf(list[end].entry);
        }
        const part = list.slice(start, end);
        start = end;
        this.write(tenantId, { entries }).then(
          (rev) => part.forEach((w) => w.resolve(rev)),
          (e: unknown) => part.forEach((w) => w.reject(e)),
        );
      }
  }
}

/**
 * The notification log of one tenant in JetStream KV, so a restarted process or another replica
 * knows what was already sent. Only the holder of the tenant's delivery lease writes it, so this
 * replica's copy is the log as long as it holds the lease; `load` reads it again when it takes
 * the lease (nothing is watched), folding the tenant's batches: the newest entry per group and
 * integration wins, by the revision that wrote it, not by a clock replicas may not agree on.
 */
export class KvNotificationLog implements NotificationLog {
  /**
   * Ids by group and receiver: a flush reads and writes the same entry, and a group flushes again
   * every `group_interval`, so its id is hashed once, not twice per flush.
   */
  private readonly ids = new Map<string, string>();
  private held = new Map<string, Held>();
  /** Ids of earlier builds' keys at the last `load`, read when first asked for. */
  private legacy = new Set<string>();

  constructor(
    private readonly writer: NotificationLogWriter,
    private readonly tenantId: string,
  ) {}

  /**
   * Forgets what is held and reads the tenant's log anew: a copy gone stale could hold an entry
   * older than the one another replica wrote since (an alert it logged as firing, resolved and
   * firing again since, would not be sent) or miss one (a notification sent twice). Entries older
   * than the retention are dropped; many batches are written again as one.
   */
  async load(): Promise<void> {
    const prefix = keyPrefix(this.tenantId);
    const [keys, legacyIds] = await Promise.all([
      this.writer.log.keys(`${prefix}>`),
      this.writer.legacyIdsOf(this.tenantId),
    ]);
    const batches = await Promise.all(keys.map((k) => this.writer.log.get(k)));
    const since = Date.now() - this.writer.retentionMs;
    const held = new Map<string, Held>();
    for (const b of batches) {
      if (b === null) continue;
      for (const [id, e] of Object.entries(b.json<Batch>().entries)) {
        const rev = e.rev ?? b.revision;
        if (e.timestamp < since || (held.get(id)?.rev ?? -1) > rev) continue;
        held.set(id, {
          entry: { firing: e.firing, resolved: e.resolved, timestamp: e.timestamp },
          rev,
        });
      }
    }
    this.held = held;
    this.legacy = new Set(legacyIds);
    if (batches.length > COMPACT_AFTER) await this.compact(keys);
  }

  // Deleted only once the one batch is stored: a crash in between leaves both, which fold alike.
  private async compact(read: readonly string[]): Promise<void> {
    const entries: Record<string, NotificationLogEntry & { rev: number }> = {};
    for (const [id, h] of this.held) entries[id] = { ...h.entry, rev: h.rev };
    await this.writer.write(this.tenantId, { entries });
    await Promise.all(read.map((k) => this.writer.log.delete(k)));
  }

  private id(groupKey: string, receiverKey: string): string {
    const key = `${groupKey}\u0000${receiverKey}`;
    let id = this.ids.get(key);
    if (id === undefined) {
      // Bounded: groups come and go; the hash is cheap enough to make again.
      if (this.ids.size >= MAX_IDS_HELD) this.ids.clear();
      this.ids.set(key, (id = idOf(groupKey, receiverKey)));
    }
    return id;
  }

  async get(groupKey: string, receiverKey: string): Promise<NotificationLogEntry | undefined> {
    const id = this.id(groupKey, receiverKey);
    const held = this.held.get(id);
    if (held !== undefined || !this.legacy.has(id)) return held?.entry;
    const [asked, legacy] = [this.held, this.legacy];
    const v = await this.writer.legacy.get(`${keyPrefix(this.tenantId)}${id}`);
    const entry = legacyEntryOf(v?.json<LegacyStored>());
    // Older than any batch: kept unless a write came in meanwhile; dropped if a load did.
    if (this.held === asked) {
      legacy.delete(id);
      if (entry !== undefined && !asked.has(id)) asked.set(id, { entry, rev: 0 });
    }
    return this.held.get(id)?.entry ?? entry;
  }

  async put(groupKey: string, receiverKey: string, entry: NotificationLogEntry): Promise<void> {
    const id = this.id(groupKey, receiverKey);
    const value: NotificationLogEntry = {
      firing: entry.firing,
      resolved: entry.resolved,
      timestamp: entry.timestamp,
    };
    const rev = await this.writer.put(this.tenantId, id, value);
    this.held.set(id, { entry: value, rev });
  }
}
