/** Machine-readable reasons the TSDB refuses a write. */
export type TsdbErrorCode =
  | 'out_of_order_sample'
  | 'out_of_bounds'
  | 'too_old_sample'
  | 'duplicate_sample_for_timestamp'
  | 'out_of_order_exemplar'
  | 'series_not_found'
  | 'series_limit_exceeded'
  | 'invalid_labels'
  | 'invalid_matcher'
  | 'corrupt_chunk'
  | 'corrupt_block'
  | 'invalid_block';

/** Base class of every error the TSDB raises, carrying a closed-union `code`. */
export abstract class TsdbError extends Error {
  abstract readonly code: TsdbErrorCode;
}

/** A sample older than the series' newest sample arrived and no out-of-order window allows it. */
export class OutOfOrderSampleError extends TsdbError {
  readonly code = 'out_of_order_sample' as const;
  constructor(
    readonly t: number,
    readonly lastT: number,
  ) {
    super(`out of order sample: timestamp ${t} is before the series' newest sample ${lastT}`);
  }
}

/** A sample is older than the head accepts at all (already compacted time range). */
export class OutOfBoundsError extends TsdbError {
  readonly code = 'out_of_bounds' as const;
  constructor(
    readonly t: number,
    readonly minValidTime: number,
  ) {
    super(`out of bounds: timestamp ${t} is before the minimum valid time ${minValidTime}`);
  }
}

/** An out-of-order sample fell outside the configured out-of-order window. */
export class TooOldSampleError extends TsdbError {
  readonly code = 'too_old_sample' as const;
  constructor(
    readonly t: number,
    readonly minT: number,
  ) {
    super(`too old sample: timestamp ${t} is outside the out-of-order window starting at ${minT}`);
  }
}

/** A sample repeats an existing timestamp with a different value. */
export class DuplicateSampleError extends TsdbError {
  readonly code = 'duplicate_sample_for_timestamp' as const;
  constructor(readonly t: number) {
    super(`duplicate sample for timestamp ${t}`);
  }
}

/** An append referenced a series ref the head does not know. */
export class SeriesNotFoundError extends TsdbError {
  readonly code = 'series_not_found' as const;
  constructor(readonly ref: number) {
    super(`series ref ${ref} not found`);
  }
}

/** Creating a series would exceed the tenant's active series limit. */
export class SeriesLimitExceededError extends TsdbError {
  readonly code = 'series_limit_exceeded' as const;
  constructor(
    readonly tenant: string,
    readonly limit: number,
  ) {
    super(`per-tenant series limit of ${limit} exceeded for tenant ${JSON.stringify(tenant)}`);
  }
}

/** A label set is unusable as a series identity (unsorted, duplicate or empty names). */
export class InvalidLabelsError extends TsdbError {
  readonly code = 'invalid_labels' as const;
}

/** Chunk bytes ended early or are otherwise malformed. */
export class CorruptChunkError extends TsdbError {
  readonly code = 'corrupt_chunk' as const;
}

/** A matcher's regular expression does not compile. */
export class InvalidMatcherError extends TsdbError {
  readonly code = 'invalid_matcher' as const;
}

/** A block file fails its checksum, magic number or structure: the block cannot be trusted. */
export class CorruptBlockError extends TsdbError {
  readonly code = 'corrupt_block' as const;
}

/** Input to the block writer breaks the format's rules (unsorted series, overlapping chunks, ...). */
export class InvalidBlockError extends TsdbError {
  readonly code = 'invalid_block' as const;
}
