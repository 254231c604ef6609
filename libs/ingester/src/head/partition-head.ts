import { type IngestMessage, type SeriesMetadata } from '@strata/remote-write';
import { Head, type HeadOptions, type Labels, type MemSeries, TsdbError } from '@strata/tsdb';

const HASH_MASK = 0xfffffffffffffn;

/** What applying one message did, for metrics. */
export interface ApplyStats {
  appended: number;
  /** Rejected samples by `tenant` then reason code (e.g. `out_of_order_sample`). */
  rejected: Map<string, Map<string, number>> | null;
}

/**
 * One partition's head and the last stream sequence applied to it. Appends are synchronous, so
 * between two messages the head and `lastSeq` always agree, which snapshots rely on.
 */
export class PartitionHead {
  lastSeq: number;
  readonly head: Head;
  /** Series ref by the low bits of the hash the router sent, so known series skip re-hashing their labels. */
  private readonly refs = new Map<number, number>();
  /**
   * Family metadata per tenant, as last sent. Not in snapshots: senders repeat it (Prometheus
   * every minute), and replay after a snapshot restores what was sent since.
   */
  readonly metadata = new Map<string, Map<string, SeriesMetadata>>();

  constructor(
    readonly partition: number,
    head?: Head,
    coveredSeq = 0,
    options: HeadOptions = {},
  ) {
    this.head = head ?? new Head(options);
    this.lastSeq = coveredSeq;
  }

  /**
   * Appends a message's samples. Sequences at or below `lastSeq` were applied already (a
   * redelivery after a crash between apply and ack) and are skipped. Samples the head refuses
   * (out of order, out of bounds, conflicting duplicates) are counted, not retried: the same
   * message would be refused the same way forever.
   */
  apply(seq: number, message: IngestMessage): ApplyStats {
    const stats: ApplyStats = { appended: 0, rejected: null };
    if (seq <= this.lastSeq) return stats;
    const head = this.head;
    if (message.metadata.length > 0) {
      let families = this.metadata.get(message.tenant);
      if (!families) {
        families = new Map();
        this.metadata.set(message.tenant, families);
      }
      for (const m of message.metadata)
        families.set(m.metricFamilyName, { type: m.type, help: m.help, unit: m.unit });
    }
    for (const s of message.series) {
      let ref: number;
      try {
        ref = this.refOf(s.hash, s.labels);
      } catch (error) {
        reject(stats, message.tenant, error, s.values.length);
        continue;
      }
      const ts = s.timestamps;
      const vs = s.values;
      for (let i = 0; i < ts.length; i++) {
        try {
          head.append(ref, ts[i], vs[i]);
          stats.appended++;
        } catch (error) {
          reject(stats, message.tenant, error, 1);
        }
      }
    }
    this.lastSeq = seq;
    return stats;
  }

  private refOf(hash: bigint, labels: Labels): number {
    const key = Number(hash & HASH_MASK);
    const cached = this.refs.get(key);
    if (cached !== undefined) {
      const s = this.head.seriesByRef(cached);
      // A collision or a series garbage-collected since falls through to the full lookup.
      if (s && sameLabels(s, labels)) return cached;
    }
    const ref = this.head.getOrCreate(labels).ref;
    this.refs.set(key, ref);
    return ref;
  }
}

function sameLabels(s: MemSeries, labels: Labels): boolean {
  const pairs = s.pairs;
  if (pairs.length !== labels.length * 2) return false;
  for (let i = 0; i < labels.length; i++)
    if (pairs[2 * i] !== labels[i].name || pairs[2 * i + 1] !== labels[i].value) return false;
  return true;
}

function reject(stats: ApplyStats, tenant: string, error: unknown, n: number): void {
  if (!(error instanceof TsdbError)) throw error;
  stats.rejected ??= new Map();
  let byReason = stats.rejected.get(tenant);
  if (!byReason) {
    byReason = new Map();
    stats.rejected.set(tenant, byReason);
  }
  byReason.set(error.code, (byReason.get(error.code) ?? 0) + n);
}
