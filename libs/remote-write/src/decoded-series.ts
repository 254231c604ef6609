import { type LabelBlockRef, type Labels, decodeLabelBlock } from '@strata/tsdb';
import { low52OfWords } from './series-hash';
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
    /** Low 32 bits of the block's xxhash64 ({@link labelsHash} of the labels), signed. */
    readonly hashLo: number,
    /** High 32 bits of that hash, signed. */
    readonly hashHi: number,
    readonly timestamps: Float64Array,
    readonly values: Float64Array,
    readonly exemplars: readonly Exemplar[],
    readonly createdTimestamp?: number,
    readonly metadata?: SeriesMetadata,
  ) {}

  /** xxhash64 of the block, {@link labelsHash} of the labels. */
  get hash(): bigint {
    return (BigInt(this.hashHi >>> 0) << 32n) | BigInt(this.hashLo >>> 0);
  }

  /** The low 52 bits of {@link hash} as a Number, exact (what partitions and heads key on). */
  get hashLow52(): number {
    return low52OfWords(this.hashLo, this.hashHi);
  }

  get labels(): Labels {
    return (this.decoded ??= decodeLabelBlock(this));
  }
}

/** A decoded and validated write request whose series carry label blocks. */
export interface DecodedBatch {
  readonly series: readonly DecodedSeries[];
  readonly metadata: readonly MetricMetadata[];
}
