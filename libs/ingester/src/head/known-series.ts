import { type LabelBlockRef, type MemSeries } from '@strata/tsdb';

/** Blocks are copied into chunks of this size; a longer block gets a chunk of its own. */
const CHUNK_BYTES = 256 * 1024;

interface Known {
  readonly series: MemSeries;
  readonly chunk: Buffer;
  readonly at: number;
  readonly end: number;
}

/**
 * The series a partition's head holds, found by the router's hash of their label block and
 * confirmed by comparing the block with a copy kept as bytes: one native compare, where comparing
 * against the series' label strings took most of the time of applying a known series.
 */
export class KnownSeries {
  private byKey = new Map<number, Known>();
  private chunk = Buffer.allocUnsafeSlow(CHUNK_BYTES);
  private used = 0;

  /** The series whose block `block` is, if known; `key` is the low 32 bits of its hash. */
  get(key: number, block: LabelBlockRef): MemSeries | undefined {
    const known = this.byKey.get(key);
    if (!known) return undefined;
    // A hash collision (another series under the key) compares unequal and is looked up in full.
    const same = known.chunk.compare(block.buf, block.start, block.end, known.at, known.end) === 0;
    return same ? known.series : undefined;
  }

  /** Remembers `series` under `key` with a copy of its block (the last one under a key wins). */
  set(key: number, block: LabelBlockRef, series: MemSeries): void {
    const n = block.end - block.start;
    if (n > CHUNK_BYTES - this.used) {
      // Chunks are never reused: blocks already stored keep pointing into the old one.
      this.chunk = Buffer.allocUnsafeSlow(Math.max(CHUNK_BYTES, n));
      this.used = 0;
    }
    const at = this.used;
    Buffer.from(block.buf.buffer, block.buf.byteOffset, block.buf.byteLength).copy(
      this.chunk,
      at,
      block.start,
      block.end,
    );
    this.used += n;
    this.byKey.set(key, { series, chunk: this.chunk, at, end: at + n });
  }

  /** Forgets every series (after the head dropped some), releasing their blocks. */
  clear(): void {
    this.byKey = new Map();
    this.chunk = Buffer.allocUnsafeSlow(CHUNK_BYTES);
    this.used = 0;
  }
}
