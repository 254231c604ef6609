import {
  type IngestMessageView,
  type IngestSeriesCursor,
  type MetricMetadata,
  type SeriesMetadata,
} from '@strata/remote-write';
import {
  Head,
  type HeadOptions,
  OutOfOrderExemplarError,
  type MemSeries,
  type TruncateResult,
  TsdbError,
  decodeLabelBlock,
} from '@strata/tsdb';
import { KnownSeries } from './known-series';
import { type TenantExemplar, TenantExemplars } from './tenant-exemplars';

/** What applying one message did, for metrics. */
export interface ApplyStats {
  appended: number;
  /** Rejected samples by `tenant` then reason code (e.g. `out_of_order_sample`). */
  rejected: Map<string, Map<string, number>> | null;
  exemplarsAppended: number;
  /** Exemplars not newer than their series' newest one, dropped as Prometheus drops them. */
  exemplarsOutOfOrder: number;
}

/** How a partition's head is built or restored. */
export interface PartitionHeadOptions {
  /** A restored head (from a snapshot) and the stream sequence it covers. */
  head?: Head;
  coveredSeq?: number;
  /** Options of a new head. */
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
 * One partition's head and the last stream sequence applied to it. Appends are synchronous, so
 * between two messages the head and `lastSeq` always agree, which snapshots rely on.
 */
export class PartitionHead {
  lastSeq: number;
  readonly head: Head;
  /** Series by the hash the router sent, so known series skip decoding and re-hashing their labels. */
  private readonly known = new KnownSeries();
  /** Family metadata per tenant, as last sent. */
  readonly metadata = new Map<string, Map<string, SeriesMetadata>>();
  readonly exemplars: TenantExemplars;

  constructor(
    readonly partition: number,
    options: PartitionHeadOptions = {},
  ) {
    this.head = options.head ?? new Head(options.headOptions);
    this.lastSeq = options.coveredSeq ?? 0;
    this.exemplars = new TenantExemplars(
      options.exemplarsPerTenant ?? DEFAULT_EXEMPLARS_PER_TENANT,
    );
    for (const e of options.exemplars ?? []) this.exemplars.add(e.tenant, e.pairs, e.exemplar);
    for (const m of options.metadata ?? []) this.setMetadata(m.tenant, [m.family]);
  }

  /** Every tenant's family metadata. */
  *families(): IterableIterator<TenantFamily> {
    for (const [tenant, families] of this.metadata)
      for (const [metricFamilyName, m] of families)
        yield { tenant, family: { metricFamilyName, ...m } };
  }

  /**
   * Appends a message's samples. Sequences at or below `lastSeq` were applied already (a
   * redelivery after a crash between apply and ack) and are skipped. Samples the head refuses
   * (out of order, out of bounds, conflicting duplicates) are counted, not retried: the same
   * message would be refused the same way forever.
   */
  apply(seq: number, message: IngestMessageView): ApplyStats {
    const stats: ApplyStats = {
      appended: 0,
      rejected: null,
      exemplarsAppended: 0,
      exemplarsOutOfOrder: 0,
    };
    if (seq <= this.lastSeq) return stats;
    const head = this.head;
    if (message.metadata.length > 0) this.setMetadata(message.tenant, message.metadata);
    message.forEach((s) => {
      // Prometheus' sender puts exemplars in entries of their own, without samples; like its
      // receiver, they attach to a series the head holds and never create one.
      if (s.count === 0) {
        const known = s.exemplars.length > 0 ? this.knownSeries(s) : undefined;
        if (known) this.addExemplars(stats, message.tenant, known, s.exemplars);
        return;
      }
      let series: MemSeries;
      try {
        series = this.seriesOf(s);
      } catch (error) {
        reject(stats, message.tenant, error, s.count);
        return;
      }
      for (let i = 0; i < s.count; i++) {
        try {
          head.appendTo(series, s.timestamp(i), s.value(i));
          stats.appended++;
        } catch (error) {
          reject(stats, message.tenant, error, 1);
        }
      }
      if (s.exemplars.length > 0) this.addExemplars(stats, message.tenant, series, s.exemplars);
    });
    this.lastSeq = seq;
    return stats;
  }

  private setMetadata(tenant: string, metadata: readonly MetricMetadata[]): void {
    let families = this.metadata.get(tenant);
    if (!families) {
      families = new Map();
      this.metadata.set(tenant, families);
    }
    for (const m of metadata)
      families.set(m.metricFamilyName, { type: m.type, help: m.help, unit: m.unit });
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

  /** Drops data before `mint` from the head; series it removes are forgotten here too. */
  truncate(mint: number): TruncateResult {
    const result = this.head.truncate(mint);
    if (result.removedSeries > 0) this.known.clear();
    return result;
  }

  // A known series is found by the router's hash and confirmed against its label block as
  // bytes; only a new series (or a collision) decodes label strings.
  private seriesOf(s: IngestSeriesCursor): MemSeries {
    const known = this.known.get(s.hashKey, s);
    if (known) return known;
    const series = this.head.getOrCreate(decodeLabelBlock(s));
    this.known.set(s.hashKey, s, series);
    return series;
  }

  private knownSeries(s: IngestSeriesCursor): MemSeries | undefined {
    return this.known.get(s.hashKey, s) ?? this.head.seriesByLabels(decodeLabelBlock(s));
  }
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
