// The partitions' heads of the hop-less prototype: the real `Head` of each partition, a series
// found or created by the ingester's own lookup (its known-series cache first, the head's then).
import { type SeriesSource, TenantHead, seriesOf } from '@strata/ingester';
import { partitionOfLow52 } from '@strata/remote-write';
import { Head, type LabelBlockRef, TsdbError } from '@strata/tsdb';

/** Series and samples the heads hold, and samples they refused. */
export interface HeadCounts {
  series: number;
  samples: number;
  refused: number;
}

/** One head per partition, one tenant, applied to in stream order by one thread. */
export class PrototypeHeads {
  readonly heads: Head[];
  private readonly tenants: TenantHead[];
  private refused = 0;
  /** The series being applied, as the ingester's lookup reads it (one object, reused). */
  private readonly source = new AppliedSeries();

  constructor(readonly partitions: number) {
    this.tenants = Array.from({ length: partitions }, () => new TenantHead('bench', new Head()));
    this.heads = this.tenants.map((t) => t.head);
  }

  /** Appends `count` samples from `from` of `timestamps`/`values` to the block's series. */
  apply(
    block: LabelBlockRef,
    hashLow52: number,
    timestamps: Float64Array,
    values: Float64Array,
    from: number,
    count: number,
  ): void {
    const tenant = this.tenants[partitionOfLow52(hashLow52, this.partitions)];
    const head = tenant.head;
    const series = seriesOf(tenant, this.source.of(block, hashLow52, timestamps, from, count));
    if (series === null) {
      this.refused += count;
      return;
    }
    for (let i = from; i < from + count; i++) {
      try {
        head.appendTo(series, timestamps[i], values[i]);
      } catch (error) {
        if (!(error instanceof TsdbError)) throw error;
        this.refused++;
      }
    }
  }

  /** What the heads hold, every chunk's samples counted. */
  counts(): HeadCounts {
    return countHeads(this.heads, this.refused);
  }
}

/** Series and samples `heads` hold, every chunk's samples counted. */
export function countHeads(heads: Iterable<Head>, refused: number): HeadCounts {
  let series = 0;
  let samples = 0;
  for (const head of heads)
    for (const s of head.allSeries()) {
      series++;
      samples += s.numSamples() + (s.ooo?.ts.length ?? 0);
    }
  return { series, samples, refused };
}

/** A series of a decoded or packed write, seen through the ingester's `SeriesSource`. */
class AppliedSeries implements SeriesSource {
  buf: Uint8Array = new Uint8Array(0);
  start = 0;
  end = 0;
  hashLow52 = 0;
  count = 0;
  private timestamps: Float64Array = new Float64Array(0);
  private from = 0;

  of(
    block: LabelBlockRef,
    hashLow52: number,
    timestamps: Float64Array,
    from: number,
    count: number,
  ): this {
    this.buf = block.buf;
    this.start = block.start;
    this.end = block.end;
    this.hashLow52 = hashLow52;
    this.timestamps = timestamps;
    this.from = from;
    this.count = count;
    return this;
  }

  get hashKey(): number {
    return this.hashLow52 | 0;
  }

  timestamp(i: number): number {
    return this.timestamps[this.from + i];
  }
}
