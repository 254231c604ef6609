import {
  type StoreCardinalityResponse,
  type StoreTsdbStatusResponse,
  type WireLabelValueCounts,
} from '@strata/contracts';
import { type LabelValueCounts } from '@strata/tsdb';

/** A tenant's head across partitions: sizes, time span and series per label value. */
export interface TenantHeadStatus {
  numSeries: number;
  chunkCount: number;
  /** Null when the tenant has no series anywhere. */
  minTime: number | null;
  maxTime: number | null;
  labels: LabelValueCounts;
}

/** Label value counts of a tenant's selected series and its series count across partitions. */
export interface TenantCardinality {
  seriesCountTotal: number;
  labels: LabelValueCounts;
}

/**
 * Sums partitions' `TsdbStatus` answers. A series lives in exactly one partition (its hash picks
 * it), so series and pair counts add up; distinct values are counted after the union, never summed.
 */
export function mergeTsdbStatus(parts: readonly StoreTsdbStatusResponse[]): TenantHeadStatus {
  const out: TenantHeadStatus = {
    numSeries: 0,
    chunkCount: 0,
    minTime: null,
    maxTime: null,
    labels: new Map(),
  };
  for (const p of parts) {
    out.numSeries += p.numSeries;
    out.chunkCount += p.chunkCount;
    if (p.minTime !== null) out.minTime = Math.min(out.minTime ?? Infinity, p.minTime);
    if (p.maxTime !== null) out.maxTime = Math.max(out.maxTime ?? -Infinity, p.maxTime);
    addWire(out.labels, p.labels);
  }
  return out;
}

/** Sums partitions' `Cardinality` answers (see {@link mergeTsdbStatus}). */
export function mergeCardinality(parts: readonly StoreCardinalityResponse[]): TenantCardinality {
  const out: TenantCardinality = { seriesCountTotal: 0, labels: new Map() };
  for (const p of parts) {
    out.seriesCountTotal += p.seriesCountTotal;
    addWire(out.labels, p.labels);
  }
  return out;
}

function addWire(into: LabelValueCounts, labels: readonly WireLabelValueCounts[]): void {
  for (const l of labels) {
    let values = into.get(l.name);
    if (!values) into.set(l.name, (values = new Map()));
    for (let i = 0; i < l.values.length; i++)
      values.set(l.values[i], (values.get(l.values[i]) ?? 0) + l.counts[i]);
  }
}
