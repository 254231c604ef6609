import { type SeriesMetadata } from '@strata/remote-write';
import { type Head } from '@strata/tsdb';
import { IngestionRate } from './ingestion-rate';
import { KnownSeries } from './known-series';

/**
 * One tenant's share of a partition: a head of its own, so its appendable windows (minimum valid
 * time, in-order and out-of-order windows) follow its own samples and never another tenant's, as
 * Mimir and Thanos keep one TSDB per tenant; with its family metadata and the samples its head
 * refused after they were acknowledged.
 */
export class TenantHead {
  /** Series by the hash the router sent, so known series skip decoding and re-hashing their labels. */
  readonly known = new KnownSeries();
  /** Family metadata, as last sent. */
  readonly metadata = new Map<string, SeriesMetadata>();
  /** Samples refused by the head, by reason; kept in snapshots, so replays never count twice. */
  readonly discarded: Map<string, number>;
  /** Appended samples per second (not in snapshots: a rate of the live process). */
  readonly rate = new IngestionRate();

  constructor(
    readonly tenant: string,
    readonly head: Head,
    discarded: ReadonlyMap<string, number> = new Map(),
  ) {
    this.discarded = new Map(discarded);
  }

  /** Counts `n` samples refused for `reason`. */
  discard(reason: string, n: number): void {
    this.discarded.set(reason, (this.discarded.get(reason) ?? 0) + n);
  }
}
