// The partitions' heads of the hop-less prototype: the real `Head` of each partition, a series
// found by the router's hash and label block, or created from them, as the ingester does (its
// known-series cache first, the head's own lookup then).
import { TenantHead } from '@strata/ingester';
import { partitionOfLow52 } from '@strata/remote-write';
import {
  Head,
  type LabelBlockRef,
  type MemSeries,
  TsdbError,
  newSeriesRefusal,
} from '@strata/tsdb';

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
    const series = seriesOf(tenant, block, hashLow52, timestamps, from, count);
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
      // A closed chunk's first two bytes are its sample count (big-endian), as in Prometheus.
      for (const c of s.chunks) samples += (c.bytes[0] << 8) | c.bytes[1];
      samples += (s.headChunk?.numSamples() ?? 0) + (s.ooo?.ts.length ?? 0);
    }
  return { series, samples, refused };
}

function seriesOf(
  tenant: TenantHead,
  block: LabelBlockRef,
  key: number,
  timestamps: Float64Array,
  from: number,
  count: number,
): MemSeries | null {
  // The known-series cache keys on the hash's low 32 bits as a small integer, as the ingester's.
  const key32 = key | 0;
  const known = tenant.known.get(key32, block);
  if (known) return known;
  const head = tenant.head;
  let series = head.seriesByBlock(block, key);
  if (!series) {
    // As Prometheus: a new series none of whose samples the head would take is not created.
    let takes = false;
    for (let i = from; i < from + count && !takes; i++)
      takes = newSeriesRefusal(head, timestamps[i]) === null;
    if (!takes) return null;
    series = head.createFromBlock(block, key);
  }
  tenant.known.set(key32, block, series);
  return series;
}
