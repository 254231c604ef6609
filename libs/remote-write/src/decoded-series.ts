import { type LabelBlockRef, type Labels, decodeLabelBlock } from '@strata/tsdb';
import { type Exemplar, type MetricMetadata, type SeriesMetadata, type WriteSeries } from './types';

/**
 * A series as the streaming decoders produce it: its identity is a label block (with any
 * injected labels) and that block's hash, so the write path never needs label strings; `labels`
 * decodes them on first use for everything else.
 */
export class DecodedSeries implements WriteSeries, LabelBlockRef {
  private decoded: Labels | undefined;

  constructor(
    readonly buf: Buffer,
    readonly start: number,
    readonly end: number,
    /** xxhash64 of the block, {@link labelsHash} of the labels. */
    readonly hash: bigint,
    readonly timestamps: Float64Array,
    readonly values: Float64Array,
    readonly exemplars: readonly Exemplar[],
    readonly createdTimestamp?: number,
    readonly metadata?: SeriesMetadata,
  ) {}

  get labels(): Labels {
    return (this.decoded ??= decodeLabelBlock(this));
  }
}

/** A decoded and validated write request whose series carry label blocks. */
export interface DecodedBatch {
  readonly series: readonly DecodedSeries[];
  readonly metadata: readonly MetricMetadata[];
}
