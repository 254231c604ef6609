import { type Labels, labelsHash } from '@strata/tsdb';

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
  // The low 52 bits are as uniform as all 64 and fit a Number, avoiding a slower BigInt modulo.
  return partitionOfLow52(Number(hash & 0xfffffffffffffn), partitions);
}

/** {@link partitionOf} given the hash's low 52 bits as a Number (a decoded series' `hashLow52`). */
export function partitionOfLow52(low52: number, partitions: number): number {
  if (!Number.isInteger(partitions) || partitions <= 0)
    throw new RangeError(`partitions must be a positive integer, got ${partitions}`);
  return low52 % partitions;
}

/** The low 52 bits of a 64-bit hash held as two signed 32-bit words, as an exact Number. */
export function low52OfWords(lo: number, hi: number): number {
  return (hi & 0xfffff) * 0x100000000 + (lo >>> 0);
}
