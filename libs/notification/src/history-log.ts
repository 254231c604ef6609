import { randomBytes } from 'node:crypto';
import { type KvBucket } from '@strata/bus';
import { type HistoryEntry } from '@strata/contracts';

const HISTORY_KEY_SPAN = 10 ** 15;
/** This process, in the ids of the entries it records. */
const ID_PREFIX = randomBytes(4).toString('hex');
/** A batch stays far below NATS' message limit (1 MiB by default), whatever its entries carry. */
const MAX_BATCH_BYTES = 256 * 1024;

/** What a history key holds: one entry (earlier builds) or a batch of them. */
type Stored = HistoryEntry | { readonly entries: readonly HistoryEntry[] };

/** An entry waiting for the next write, already encoded. */
interface Pending {
  readonly id: string;
  readonly json: string;
}

const keyPrefix = (tenantId: string): string => `history.${tenantId}.`;
const idOf = (key: string): string => key.slice(key.lastIndexOf('.') + 1);

/** Entries ordered by id, the smallest (the newest) first. */
class ById {
  private readonly items: HistoryEntry[] = [];
  peek(): HistoryEntry | undefined {
    return this.items[this.items.length - 1];
  }
  take(): HistoryEntry | undefined {
    return this.items.pop();
  }
  add(entries: readonly HistoryEntry[]): void {
    this.items.push(...entries);
    // Kept descending so the smallest id pops from the end.
    this.items.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  }
}

/**
 * The delivery history in its KV bucket. Entries are written in batches, group-committed: while
 * one write is under way the entries recorded meanwhile wait and go out together in the next, so
 * a flush of many groups costs a few writes, not one per notification, and a lone notification
 * is written at once. A batch's key is its newest entry's id (ids sort newest first), which lets
 * a reader list entries newest first reading only as many batches as it needs.
 */
export class HistoryLog {
  private pending = new Map<string, Pending[]>();
  private writing: Promise<void> | null = null;
  private recorded = 0;

  constructor(private readonly kv: KvBucket) {}

  /** A new entry's id: newest first by time, unique per process by a random prefix and a counter. */
  nextId(at: number): string {
    return `${String(HISTORY_KEY_SPAN - at).padStart(15, '0')}-${ID_PREFIX}${(++this.recorded).toString(36)}`;
  }

  /** Queues an entry; it is written with whatever else is recorded before the next write. */
  record(entry: HistoryEntry): void {
    let list = this.pending.get(entry.tenantId);
    if (list === undefined) this.pending.set(entry.tenantId, (list = []));
    list.push({ id: entry.id, json: JSON.stringify(entry) });
    this.writing ??= this.drain();
  }

  /** Resolves once every entry recorded so far is written (or its write failed). */
  async flushed(): Promise<void> {
    while (this.writing !== null) await this.writing;
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.size > 0) {
        const batch = this.pending;
        this.pending = new Map();
        const writes: Promise<unknown>[] = [];
        for (const [tenantId, entries] of batch)
          for (const chunk of chunks(entries))
            writes.push(
              this.kv
                .put(`${keyPrefix(tenantId)}${newestId(chunk)}`, batchBytes(chunk))
                // The history is best effort, as a notification's delivery does not wait for it.
                .catch(() => undefined),
            );
        await Promise.all(writes);
      }
    } finally {
      this.writing = null;
    }
  }

  /**
   * A tenant's entries, newest first. Batches overlap in time (an entry is timed at its attempt's
   * start and written at its end), so an entry is handed out only when no unread batch can hold a
   * newer one: every entry of a batch is at least as old as the batch's key says.
   */
  async *entries(tenantId: string): AsyncGenerator<HistoryEntry> {
    const keys = (await this.kv.keys(`${keyPrefix(tenantId)}>`)).sort();
    const held = new ById();
    let next = 0;
    for (;;) {
      while (next < keys.length && idOf(keys[next]) <= (held.peek()?.id ?? idOf(keys[next]))) {
        const v = await this.kv.get(keys[next++]);
        if (v === null) continue;
        const stored = v.json<Stored>();
        held.add('entries' in stored ? stored.entries : [stored]);
      }
      const e = held.take();
      if (e === undefined) return;
      yield e;
    }
  }
}

/** The id of a batch's newest entry. */
function newestId(chunk: readonly Pending[]): string {
  let min = chunk[0].id;
  for (const { id } of chunk) if (id < min) min = id;
  return min;
}

function batchBytes(chunk: readonly Pending[]): Uint8Array {
  return Buffer.from(`{"entries":[${chunk.map((e) => e.json).join(',')}]}`);
}

/** Splits entries into batches under the size limit (an entry larger than it goes alone). */
function chunks(entries: readonly Pending[]): Pending[][] {
  const out: Pending[][] = [];
  let current: Pending[] = [];
  let bytes = 0;
  for (const e of entries) {
    if (current.length > 0 && bytes + e.json.length > MAX_BATCH_BYTES) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(e);
    bytes += e.json.length + 1;
  }
  if (current.length > 0) out.push(current);
  return out;
}
