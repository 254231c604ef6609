import { KvKeyExistsError, KvRevisionConflictError, type KvBucket } from '@strata/bus';
import { type AlertSnapshotPart, type StoredAlert } from '@strata/contracts';

/** How long an alert is kept after its last update (Alertmanager's data retention is shorter). */
const ALERT_TTL_MS = 24 * 3_600_000;
/** Key of the stream sequence every snapshot part holds. */
const HEAD_KEY = 'alertsnap-head';
const PART_PREFIX = 'alertsnap.';
/** Per-alert keys (`alert.<tenant>.<fingerprint>`) of builds before the snapshots. */
const LEGACY_PREFIX = 'alert.';

/** Parts by the fingerprint's first two hex digits: a part stays far below a message's limit. */
const partOf = (fingerprint: string): string => fingerprint.slice(0, 2);
/** How many parts a tenant's snapshot has. */
const PARTS = 256;
const partKey = (tenantId: string, part: string): string => `${PART_PREFIX}${tenantId}.${part}`;

/**
 * Every tenant's alerts as folded from the accepted-alert stream, and their snapshot in KV. A
 * snapshot part is only ever replaced by one at a later stream sequence, and the head is written
 * after the parts, so a restart that loads the parts and replays the stream after the head misses
 * nothing, whichever replica wrote which part.
 */
export class AlertStore {
  private readonly tenants = new Map<string, Map<string, StoredAlert>>();
  private dirty = new Map<string, Set<string>>();
  /** Revisions this process wrote, so a part is replaced in one round trip. */
  private readonly revisions = new Map<string, number>();
  /** Per-alert keys of earlier builds folded in at load, deleted once a snapshot holds them. */
  private legacy: string[] = [];
  constructor(private readonly kv: KvBucket) {}

  /**
   * Loads the last snapshot, and the per-alert keys earlier builds wrote (each kept unless the
   * snapshot holds a newer version; deleted after the next snapshot); returns the stream sequence
   * the snapshot holds (0 when there is none).
   */
  async load(): Promise<number> {
    const head = await this.kv.get(HEAD_KEY);
    for (const key of await this.kv.keys(`${PART_PREFIX}>`)) {
      const v = await this.kv.get(key);
      if (v === null) continue;
      this.revisions.set(key, v.revision);
      const tenantId = key.slice(PART_PREFIX.length, key.lastIndexOf('.'));
      this.apply(tenantId, v.json<AlertSnapshotPart>().alerts, false);
    }
    for (const key of await this.kv.keys(`${LEGACY_PREFIX}>`)) {
      const v = await this.kv.get(key);
      if (v === null) continue;
      // Marked dirty, so the next snapshot writes them into their parts before they are deleted.
      this.apply(key.slice(LEGACY_PREFIX.length, key.lastIndexOf('.')), [v.json<StoredAlert>()]);
      this.legacy.push(key);
    }
    return head === null ? 0 : head.json<{ seq: number }>().seq;
  }

  /** Takes alerts in, each unless a version as new is held; marks their parts for the next snapshot. */
  apply(tenantId: string, alerts: readonly StoredAlert[], markDirty = true): void {
    const held = this.heldBy(tenantId);
    for (const a of alerts) {
      const old = held.get(a.fingerprint);
      if (old === undefined || old.updatedAt < a.updatedAt) held.set(a.fingerprint, a);
    }
    if (markDirty) this.marked(tenantId, alerts);
  }

  /**
   * The map a tenant's alerts are held in, for its Alertmanager to keep them in: what it merges
   * is then held here as it is, and `marked` only marks the parts to write. Alerts a day old
   * leave it at a snapshot, as they would leave a restart.
   */
  heldBy(tenantId: string): Map<string, StoredAlert> {
    let held = this.tenants.get(tenantId);
    if (held === undefined) this.tenants.set(tenantId, (held = new Map()));
    return held;
  }

  /** Marks the parts of alerts already held (through `heldBy`) for the next snapshot. */
  marked(tenantId: string, alerts: readonly StoredAlert[]): void {
    let dirty = this.dirty.get(tenantId);
    if (dirty === undefined) this.dirty.set(tenantId, (dirty = new Set()));
    // Marked even when unchanged: this part's snapshot must cover this sequence too (once every
    // part is marked, as a tenant's large posts soon make it, there is nothing to add).
    for (let i = 0; i < alerts.length && dirty.size < PARTS; i++)
      dirty.add(partOf(alerts[i].fingerprint));
  }

  /** The tenants with alerts held. */
  tenantIds(): string[] {
    return [...this.tenants.keys()];
  }

  /** A tenant's alerts. */
  alertsOf(tenantId: string): StoredAlert[] {
    return [...(this.tenants.get(tenantId)?.values() ?? [])];
  }

  /**
   * Writes the parts changed since the last snapshot, then the head: `seq`, up to which every
   * batch was applied. Alerts a day old are dropped.
   */
  async snapshot(now: number, seq: number): Promise<void> {
    if (this.dirty.size === 0) return;
    const dirty = this.dirty;
    this.dirty = new Map();
    try {
      for (const [tenantId, parts] of dirty) {
        const held = this.tenants.get(tenantId) ?? new Map<string, StoredAlert>();
        const byPart = new Map<string, StoredAlert[]>();
        for (const [fingerprint, a] of held) {
          if (a.updatedAt < now - ALERT_TTL_MS) {
            held.delete(fingerprint);
            continue;
          }
          const part = partOf(fingerprint);
          if (!parts.has(part)) continue;
          let list = byPart.get(part);
          if (list === undefined) byPart.set(part, (list = []));
          list.push(a);
        }
        await Promise.all(
          [...parts].map((part) =>
            this.writeNewer(partKey(tenantId, part), { seq, alerts: byPart.get(part) ?? [] }),
          ),
        );
      }
      await this.writeNewer(HEAD_KEY, { seq });
    } catch (e) {
      // Tried again at the next snapshot.
      for (const [tenantId, parts] of dirty) {
        let d = this.dirty.get(tenantId);
        if (d === undefined) this.dirty.set(tenantId, (d = new Set()));
        for (const p of parts) d.add(p);
      }
      throw e;
    }
    const legacy = this.legacy;
    this.legacy = [];
    await Promise.all(legacy.map((key) => this.kv.delete(key)));
  }

  /** Replaces `key` unless it already holds a later sequence (another replica's snapshot). */
  private async writeNewer(key: string, value: { seq: number } | AlertSnapshotPart): Promise<void> {
    // Encoded once, however many times a conflict makes it try again.
    const bytes = Buffer.from(JSON.stringify(value));
    // A key this process has not written is most often new (a new tenant's parts): created
    // without a read first, and read only when someone else made it.
    let fresh = !this.revisions.has(key);
    for (;;) {
      let revision = this.revisions.get(key);
      try {
        if (fresh) {
          fresh = false;
          this.revisions.set(key, await this.kv.create(key, bytes));
          return;
        }
        if (revision === undefined) {
          const held = await this.kv.get(key);
          if (held === null) {
            this.revisions.set(key, await this.kv.create(key, bytes));
            return;
          }
          revision = held.revision;
          if (held.json<{ seq: number }>().seq > value.seq) {
            this.revisions.set(key, revision);
            return;
          }
        }
        this.revisions.set(key, await this.kv.update(key, bytes, revision));
        return;
      } catch (e) {
        if (!(e instanceof KvKeyExistsError || e instanceof KvRevisionConflictError)) throw e;
        // Someone else wrote it: read it again and compare sequences.
        this.revisions.delete(key);
      }
    }
  }
}
