import { type Labels, labelsHash } from '@strata/tsdb';
import { type IngestSeries } from './ingest-codec';
import { type WriteSeries } from './types';

/**
 * Identity hash of a series: xxhash64 over Prometheus' canonical label encoding, shared with
 * the TSDB so router and ingester agree on it without re-deriving.
 */
export function seriesHash(labels: Labels): bigint {
  return labelsHash(labels);
}

/**
 * Partition a series hash maps to. Plain modulo over the full 64 bits: partition counts are
 * fixed per stream, so the reshuffling a consistent hash would avoid does not arise.
 */
export function partitionOf(hash: bigint, partitions: number): number {
  if (!Number.isInteger(partitions) || partitions <= 0)
    throw new RangeError(`partitions must be a positive integer, got ${partitions}`);
  // The low 52 bits are as uniform as all 64 and fit a Number, avoiding a slower BigInt modulo.
  return Number(hash & 0xfffffffffffffn) % partitions;
}

/** Groups series by partition, hashing each once; the result feeds {@link encodeIngestMessage} per partition. */
export function splitByPartition(
  series: readonly WriteSeries[],
  partitions: number,
): Map<number, IngestSeries[]> {
  const out = new Map<number, IngestSeries[]>();
  for (const s of series) {
    const hash = seriesHash(s.labels);
    const p = partitionOf(hash, partitions);
    const item: IngestSeries = {
      labels: s.labels,
      hash,
      timestamps: s.timestamps,
      values: s.values,
      exemplars: s.exemplars,
      createdTimestamp: s.createdTimestamp,
    };
    const list = out.get(p);
    if (list) list.push(item);
    else out.set(p, [item]);
  }
  return out;
}
