import { type LabelBlockRef, type MemSeries, newSeriesRefusal } from '@strata/tsdb';
import { type TenantHead } from './tenant-head';

/** A series as the router sent it: its label block, its hash and its samples' timestamps. */
export interface SeriesSource extends LabelBlockRef {
  /** The low 32 bits of the router's hash as a small integer (the known-series cache's key). */
  readonly hashKey: number;
  /** The low 52 bits of the router's hash (the key a head files series under). */
  readonly hashLow52: number;
  /** Number of samples. */
  readonly count: number;
  timestamp(i: number): number;
}

/**
 * The tenant's series for `s`. A known series is found by the router's hash and confirmed against
 * its label block as bytes; a new one is created from the block with the same hash, its strings
 * read once. Null: a new series whose samples the head would all refuse (as Prometheus, it is not
 * created).
 */
export function seriesOf(tenant: TenantHead, s: SeriesSource): MemSeries | null {
  const known = tenant.known.get(s.hashKey, s);
  if (known) return known;
  const head = tenant.head;
  const key = s.hashLow52;
  let series = head.seriesByBlock(s, key);
  if (!series) {
    let takes = false;
    for (let i = 0; i < s.count && !takes; i++)
      takes = newSeriesRefusal(head, s.timestamp(i)) === null;
    if (!takes) return null;
    series = head.createFromBlock(s, key);
  }
  tenant.known.set(s.hashKey, s, series);
  return series;
}
