import { type LabelBlockRef, type MemSeries } from '@strata/tsdb';

/** Blocks are copied into chunks of this size; a longer block gets a chunk of its own. */
const CHUNK_BYTES = 256 * 1024;

/**
 * The series a partition's head holds, found by the router's hash of their label block and
 * confirmed by comparing the block with a copy kept as bytes: one native compare, where comparing
 * against the series' label strings took most of the time of applying a known series. Each series
 * is a slot of parallel arrays, not an object of its own: one object less per series to allocate,
 * keep and scan.
 */
export class KnownSeries {
  private byKey = new Map<number, number>();
  private series: MemSeries[] = [];
  /** Per slot: the chunk holding the block copy, where it starts there and where it ends. */
  private chunkOf: Int32Array = new Int32Array(1024);
  private at: Int32Array = new Int32Array(1024);
  private end: Int32Array = new Int32Array(1024);
  private chunks: Buffer[] = [Buffer.allocUnsafeSlow(CHUNK_BYTES)];
  private used = 0;

  /** The series whose block `block` is, if known; `key` is the low 32 bits of its hash. */
  get(key: number, block: LabelBlockRef): MemSeries | undefined {
    const slot = this.byKey.get(key);
    if (slot === undefined) return undefined;
    // A hash collision (another series under the key) compares unequal and is looked up in full.
    const chunk = this.chunks[this.chunkOf[slot]];
    const same =
      chunk.compare(block.buf, block.start, block.end, this.at[slot], this.end[slot]) === 0;
    return same ? this.series[slot] : undefined;
  }

  /** Remembers `series` under `key` with a copy of its block (the last one under a key wins). */
  set(key: number, block: LabelBlockRef, series: MemSeries): void {
    const n = block.end - block.start;
    if (n > CHUNK_BYTES - this.used) {
      // Chunks are never reused: blocks already stored keep pointing into the old one.
      this.chunks.push(Buffer.allocUnsafeSlow(Math.max(CHUNK_BYTES, n)));
      this.used = 0;
    }
    const chunk = this.chunks[this.chunks.length - 1];
    const at = this.used;
    const src = block.buf;
    for (let i = 0; i < n; i++) chunk[at + i] = src[block.start + i];
    this.used += n;
    const slot = this.series.length;
    if (slot === this.at.length) this.grow();
    this.series.push(series);
    this.chunkOf[slot] = this.chunks.length - 1;
    this.at[slot] = at;
    this.end[slot] = at + n;
    this.byKey.set(key, slot);
  }

  /** Forgets every series (after the head dropped some), releasing their blocks. */
  clear(): void {
    this.byKey = new Map();
    this.series = [];
    this.chunkOf = new Int32Array(1024);
    this.at = new Int32Array(1024);
    this.end = new Int32Array(1024);
    this.chunks = [Buffer.allocUnsafeSlow(CHUNK_BYTES)];
    this.used = 0;
  }

  private grow(): void {
    const size = this.at.length * 2;
    const wider = (a: Int32Array): Int32Array => {
      const b = new Int32Array(size);
      b.set(a);
      return b;
    };
    this.chunkOf = wider(this.chunkOf);
    this.at = wider(this.at);
    this.end = wider(this.end);
  }
}
