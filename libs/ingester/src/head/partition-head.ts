import {
  type IngestMessageView,
  type IngestSeriesCursor,
  type MetricMetadata,
} from '@strata/remote-write';
import {
  Head,
  type HeadOptions,
  OutOfOrderExemplarError,
  type MemSeries,
  type TruncateResult,
  TsdbError,
  newSeriesRefusal,
} from '@strata/tsdb';
import { seriesOf } from './series-of';
import { type TenantExemplar, TenantExemplars } from './tenant-exemplars';
import { TenantHead } from './tenant-head';

/** What applying one message did, for metrics. */
export interface ApplyStats {
  appended: number;
  /** Rejected samples by `tenant` then reason code (e.g. `out_of_order_sample`). */
  rejected: Map<string, Map<string, number>> | null;
  exemplarsAppended: number;
  /** Exemplars not newer than their series' newest one, dropped as Prometheus drops them. */
  exemplarsOutOfOrder: number;
}

/** A tenant's head as a snapshot restores it. */
export interface RestoredTenantHead {
  readonly tenant: string;
  readonly head: Head;
  /** Samples the head refused so far, by reason. */
  readonly discarded?: ReadonlyMap<string, number>;
}

/** How a partition's heads are built or restored. */
export interface PartitionHeadOptions {
  /** Restored tenant heads (from a snapshot) and the stream sequence they cover. */
  tenants?: Iterable<RestoredTenantHead>;
  coveredSeq?: number;
  /** Options of every new tenant head (the out-of-order window then comes with each message). */
  headOptions?: HeadOptions;
  /** Exemplars kept per tenant (0: none). */
  exemplarsPerTenant?: number;
  /** Exemplars to restore, oldest first. */
  exemplars?: Iterable<TenantExemplar>;
  /** Family metadata to restore. */
  metadata?: Iterable<TenantFamily>;
}

/** A tenant's metric family metadata, as snapshots carry it. */
export interface TenantFamily {
  readonly tenant: string;
  readonly family: MetricMetadata;
}

/** Exemplars a partition keeps per tenant unless told otherwise. */
export const DEFAULT_EXEMPLARS_PER_TENANT = 100_000;

/**
 * One partition's heads, one per tenant, and the last stream sequence applied to them. Appends
 * are synchronous, so between two messages the heads and `lastSeq` always agree, which snapshots
 * rely on. A tenant's samples only ever reach its own head, and each message carries the tenant's
 * out-of-order window, so no input of one tenant changes what another's head accepts, and a
 * replay of the stream rebuilds the same heads.
 */
export class PartitionHead {
  lastSeq: number;
  private readonly heads = new Map<string, TenantHead>();
  readonly exemplars: TenantExemplars;
  private readonly headOptions: HeadOptions;
  /** Where the last truncation cut, so that a tenant's new head starts with the same bound. */
  private minValidTime = -Infinity;

  constructor(
    readonly partition: number,
    options: PartitionHeadOptions = {},
  ) {
    this.headOptions = options.headOptions ?? {};
    // Each tenant's bound is at least the last partition-wide cut (a tenant's shipped blocks may
    // have moved it further), so the lowest one is that cut, and no tenant's blocks bound a new head.
    let lowest = Infinity;
    for (const t of options.tenants ?? []) {
      this.heads.set(t.tenant, new TenantHead(t.tenant, t.head, t.discarded));
      lowest = Math.min(lowest, t.head.minValidTime);
    }
    if (lowest !== Infinity) this.minValidTime = lowest;
    this.lastSeq = options.coveredSeq ?? 0;
    this.exemplars = new TenantExemplars(
      options.exemplarsPerTenant ?? DEFAULT_EXEMPLARS_PER_TENANT,
    );
    for (const e of options.exemplars ?? []) this.exemplars.add(e.tenant, e.pairs, e.exemplar);
    for (const m of options.metadata ?? [])
      this.tenantState(m.tenant, true).metadata.set(m.family.metricFamilyName, {
        type: m.family.type,
        help: m.family.help,
        unit: m.family.unit,
      });
  }

  /** The tenant's head in this partition, if it ever wrote here (the block writer cuts it per tenant). */
  tenantHead(tenant: string): Head | undefined {
    return this.heads.get(tenant)?.head;
  }

  /** The tenants that have a head in this partition. */
  tenants(): IterableIterator<string> {
    return this.heads.keys();
  }

  /** Everything the partition keeps for a tenant (head, metadata, discarded samples, rate). */
  tenantState(tenant: string): TenantHead | undefined;
  tenantState(tenant: string, create: true): TenantHead;
  tenantState(tenant: string, create = false): TenantHead | undefined {
    let t = this.heads.get(tenant);
    if (!t && create) {
      const head = new Head(this.headOptions);
      head.minValidTime = this.minValidTime;
      t = new TenantHead(tenant, head);
      this.heads.set(tenant, t);
    }
    return t;
  }

  /** Every tenant's state. */
  tenantStates(): IterableIterator<TenantHead> {
    return this.heads.values();
  }

  /** Series held per tenant. */
  activeSeriesByTenant(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [tenant, t] of this.heads) {
      const n = t.head.numSeries();
      if (n > 0) out.set(tenant, n);
    }
    return out;
  }

  /** Series held, all tenants together. */
  numSeries(): number {
    let n = 0;
    for (const t of this.heads.values()) n += t.head.numSeries();
    return n;
  }

  /** Every tenant's family metadata. */
  *families(): IterableIterator<TenantFamily> {
    for (const [tenant, t] of this.heads)
      for (const [metricFamilyName, m] of t.metadata)
        yield { tenant, family: { metricFamilyName, ...m } };
  }

  /**
   * Appends a message's samples to its tenant's head, with the out-of-order window the message
   * carries. Sequences at or below `lastSeq` were applied already (a redelivery after a crash
   * between apply and ack, or of a lost ack) and are skipped; the caller must never let a first
   * delivery through after a later sequence (the partition runner starts its consumer again when
   * a delivery was lost on the way). Samples the head refuses (out of order, out of
   * bounds, conflicting duplicates) are counted, not retried: the same message would be refused
   * the same way forever.
   */
  apply(seq: number, message: IngestMessageView): ApplyStats {
    if (seq <= this.lastSeq) return noStats();
    const stats = this.append(message);
    this.lastSeq = seq;
    return stats;
  }

  /**
   * Appends one message of a stream message that holds several (a router's batch) without moving
   * `lastSeq`: the caller checks the sequence once, appends every part synchronously and then sets
   * `lastSeq`, so heads and sequence still agree between stream messages.
   */
  append(message: IngestMessageView): ApplyStats {
    const stats = noStats();
    const tenant = this.tenantState(message.tenant, true);
    const head = tenant.head;
    const window = message.settings.outOfOrderWindowMs;
    // Stored only when it changes: a store per message measurably slowed the appends that read it.
    if (head.outOfOrderWindow !== window) head.outOfOrderWindow = window;
    if (message.metadata.length > 0)
      for (const m of message.metadata)
        tenant.metadata.set(m.metricFamilyName, { type: m.type, help: m.help, unit: m.unit });
    message.forEach((s) => {
      // Prometheus' sender puts exemplars in entries of their own, without samples; like its
      // receiver, they attach to a series the head holds and never create one.
      if (s.count === 0) {
        const known = s.exemplars.length > 0 ? knownSeries(tenant, s) : undefined;
        if (known) this.addExemplars(stats, message.tenant, known, s.exemplars);
        return;
      }
      let series: MemSeries | null;
      try {
        series = seriesOf(tenant, s);
      } catch (error) {
        reject(stats, tenant, error, s.count);
        return;
      }
      if (series === null) {
        // A new series none of whose samples the head would take is not created, as in Prometheus.
        for (let i = 0; i < s.count; i++)
          reject(stats, tenant, newSeriesRefusal(head, s.timestamp(i)), 1);
        return;
      }
      for (let i = 0; i < s.count; i++) {
        try {
          head.appendTo(series, s.timestamp(i), s.value(i));
          stats.appended++;
        } catch (error) {
          reject(stats, tenant, error, 1);
        }
      }
      if (s.exemplars.length > 0) this.addExemplars(stats, message.tenant, series, s.exemplars);
    });
    tenant.rate.add(stats.appended);
    return stats;
  }

  // As Prometheus' remote-write receiver: an exemplar after the samples of its series, one that is
  // out of order dropped and counted without failing the rest.
  private addExemplars(
    stats: ApplyStats,
    tenant: string,
    series: MemSeries,
    exemplars: IngestSeriesCursor['exemplars'],
  ): void {
    for (const e of exemplars) {
      try {
        if (this.exemplars.add(tenant, series.pairs, e)) stats.exemplarsAppended++;
      } catch (error) {
        if (!(error instanceof OutOfOrderExemplarError)) throw error;
        stats.exemplarsOutOfOrder++;
      }
    }
  }

  /**
   * Drops data before `mint` from every tenant's head (retention is the same for all); series
   * it removes are forgotten by the tenant's lookup too.
   */
  truncate(mint: number): TruncateResult {
    this.minValidTime = Math.max(this.minValidTime, mint);
    let removedSeries = 0;
    let removedChunks = 0;
    for (const t of this.heads.values()) {
      // A head with nothing older than the cut only needs its bound moved.
      if (t.head.minT >= mint) {
        t.head.minValidTime = Math.max(t.head.minValidTime, mint);
        continue;
      }
      const r = t.head.truncate(mint);
      if (r.removedSeries > 0) t.known.clear();
      removedSeries += r.removedSeries;
      removedChunks += r.removedChunks;
    }
    return { removedSeries, removedChunks };
  }

  /** Drops a tenant's data before `mint` (its blocks hold it); other tenants' heads are untouched. */
  truncateTenant(tenant: string, mint: number): TruncateResult {
    const t = this.heads.get(tenant);
    if (!t || t.head.minT >= mint) {
      if (t) t.head.minValidTime = Math.max(t.head.minValidTime, mint);
      return { removedSeries: 0, removedChunks: 0 };
    }
    const r = t.head.truncate(mint);
    if (r.removedSeries > 0) t.known.clear();
    return r;
  }

  /** Drops, in every tenant's head, series whose newest sample is older than `before`; returns how many. */
  gcInactive(before: number): number {
    let removed = 0;
    for (const t of this.heads.values()) {
      const n = t.head.gcInactive(before);
      if (n > 0) t.known.clear();
      removed += n;
    }
    return removed;
  }

  /** Folds the samples appended over the last `seconds` into every tenant's ingestion rate. */
  tickRates(seconds: number): void {
    for (const t of this.heads.values()) t.rate.tick(seconds);
  }
}

function knownSeries(tenant: TenantHead, s: IngestSeriesCursor): MemSeries | undefined {
  return tenant.known.get(s.hashKey, s) ?? tenant.head.seriesByBlock(s, s.hashLow52);
}

function reject(stats: ApplyStats, tenant: TenantHead, error: unknown, n: number): void {
  if (!(error instanceof TsdbError)) throw error;
  tenant.discard(error.code, n);
  stats.rejected ??= new Map();
  let byReason = stats.rejected.get(tenant.tenant);
  if (!byReason) {
    byReason = new Map();
    stats.rejected.set(tenant.tenant, byReason);
  }
  byReason.set(error.code, (byReason.get(error.code) ?? 0) + n);
}

function noStats(): ApplyStats {
  return { appended: 0, rejected: null, exemplarsAppended: 0, exemplarsOutOfOrder: 0 };
}
