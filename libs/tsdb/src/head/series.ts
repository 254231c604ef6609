import { type XorChunk, xorIteratorFromBytes } from '../chunk/xor';
import {
  ArrayIterator,
  ChainIterator,
  MergeIterator,
  RangeIterator,
  type SampleIterator,
} from '../iterator';
import { type Label, type Labels } from '../labels';

/** A closed, compacted chunk with its time range. */
export interface ClosedChunk {
  readonly bytes: Uint8Array;
  readonly minT: number;
  readonly maxT: number;
}

/**
 * Out-of-order samples of one series, kept sorted. Prometheus caps OOO head chunks at 32
 * samples before mmapping them; we keep plain arrays until truncation drops them.
 */
export class OooBuffer {
  ts: number[] = [];
  vs: number[] = [];

  /** Inserts a sample; returns the existing value if the timestamp is already present. */
  insert(t: number, v: number): number | undefined {
    const ts = this.ts;
    let lo = 0;
    let hi = ts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ts[mid] < t) lo = mid + 1;
      else hi = mid;
    }
    if (lo < ts.length && ts[lo] === t) return this.vs[lo];
    ts.splice(lo, 0, t);
    this.vs.splice(lo, 0, v);
    return undefined;
  }

  /** Drops samples before `mint`. */
  truncate(mint: number): void {
    let i = 0;
    while (i < this.ts.length && this.ts[i] < mint) i++;
    if (i > 0) {
      this.ts.splice(0, i);
      this.vs.splice(0, i);
    }
  }
}

// Never mutated: appendInOrder swaps in a fresh array before the first push.
const NO_CHUNKS: ClosedChunk[] = [];

/** Appends a closed chunk, replacing the shared empty array on first use. */
export function pushChunk(s: MemSeries, c: ClosedChunk): void {
  if (s.chunks === NO_CHUNKS) s.chunks = [c];
  else s.chunks.push(c);
}

/** One series held in the head: labels, closed chunks, the open chunk and an optional OOO buffer. */
export class MemSeries {
  /** Closed chunks in time order; shares one empty array until the first cut to save memory. */
  chunks: ClosedChunk[] = NO_CHUNKS;
  /** The chunk currently appended to. */
  headChunk: XorChunk | null = null;
  /** Timestamp of the newest in-order sample (-Infinity when none). */
  lastT = -Infinity;
  /** Value of the newest in-order sample. */
  lastV = 0;
  /** Out-of-order samples, created on first use. */
  ooo: OooBuffer | null = null;
  /** Exclusive end of the chunk range the open chunk belongs to. */
  chunkRangeEnd = 0;

  constructor(
    readonly ref: number,
    /** Interned label strings, flattened as name, value, name, value. */
    readonly pairs: readonly string[],
    /** Low 52 bits of the labels' xxhash64, the head's lookup key. */
    readonly hashKey: number,
    readonly tenant: string,
  ) {}

  /** The series' labels as a sorted label set. */
  labels(): Labels {
    const out: Label[] = new Array<Label>(this.pairs.length / 2);
    for (let i = 0; i < this.pairs.length; i += 2)
      out[i / 2] = { name: this.pairs[i], value: this.pairs[i + 1] };
    return out;
  }

  /** Oldest timestamp held in memory (Infinity when empty). */
  minTime(): number {
    let min =
      this.chunks.length > 0
        ? this.chunks[0].minT
        : this.headChunk
          ? this.headChunk.minT()
          : Infinity;
    if (this.ooo && this.ooo.ts.length > 0) min = Math.min(min, this.ooo.ts[0]);
    return min;
  }

  /** Newest timestamp held in memory (-Infinity when empty). */
  maxTime(): number {
    let max = this.lastT;
    if (this.ooo && this.ooo.ts.length > 0)
      max = Math.max(max, this.ooo.ts[this.ooo.ts.length - 1]);
    return max;
  }

  /** Whether the series holds no samples at all. */
  isEmpty(): boolean {
    return (
      this.chunks.length === 0 &&
      this.headChunk === null &&
      (this.ooo === null || this.ooo.ts.length === 0)
    );
  }

  /** Number of in-order samples held, useful for stats and tests. */
  numSamples(): number {
    let n = this.headChunk ? this.headChunk.numSamples() : 0;
    for (const c of this.chunks) n += (c.bytes[0] << 8) | c.bytes[1];
    return n;
  }

  /** The in-order sample value at exactly `t`, if any (decodes at most one chunk). */
  inOrderValueAt(t: number): number | undefined {
    let it: SampleIterator | undefined;
    const h = this.headChunk;
    if (h && h.numSamples() > 0 && t >= h.minT() && t <= h.maxT()) it = h.iterator();
    else {
      for (const c of this.chunks) {
        if (t >= c.minT && t <= c.maxT) {
          it = xorIteratorFromBytes(c.bytes);
          break;
        }
      }
    }
    return it && it.seek(t) && it.t === t ? it.v : undefined;
  }

  /** Iterates samples within [mint, maxt], merging in-order chunks with the OOO buffer. */
  iterator(mint: number, maxt: number): SampleIterator {
    const parts: SampleIterator[] = [];
    for (const c of this.chunks) {
      if (c.maxT >= mint && c.minT <= maxt) parts.push(xorIteratorFromBytes(c.bytes));
    }
    const h = this.headChunk;
    if (h && h.maxT() >= mint && h.minT() <= maxt) parts.push(h.iterator());
    let it: SampleIterator = parts.length === 1 ? parts[0] : new ChainIterator(parts);
    const ooo = this.ooo;
    if (ooo && ooo.ts.length > 0) {
      // Snapshot the arrays so appends racing the read cannot shift samples under the iterator.
      it = new MergeIterator(it, new ArrayIterator(ooo.ts.slice(), ooo.vs.slice()));
    }
    return new RangeIterator(it, mint, maxt);
  }

  /**
   * The in-order chunks overlapping [mint, maxt] as their bytes (the open one as encoded so far),
   * or null when out-of-order samples are held too.
   */
  inOrderChunks(mint: number, maxt: number): Uint8Array[] | null {
    if (this.ooo && this.ooo.ts.length > 0) return null;
    const out: Uint8Array[] = [];
    for (const c of this.chunks) if (c.maxT >= mint && c.minT <= maxt) out.push(c.bytes);
    const h = this.headChunk;
    if (h && h.numSamples() > 0 && h.maxT() >= mint && h.minT() <= maxt) out.push(h.bytes());
    return out;
  }

  /** Drops chunks and OOO samples entirely before `mint`; returns how many chunks went. */
  truncateBefore(mint: number): number {
    let removed = 0;
    while (this.chunks.length > 0 && this.chunks[0].maxT < mint) {
      removed++;
      if (this.chunks.length === 1) this.chunks = NO_CHUNKS;
      else this.chunks.shift();
    }
    if (this.headChunk && this.headChunk.maxT() < mint) {
      this.headChunk = null;
      removed++;
    }
    this.ooo?.truncate(mint);
    if (this.ooo && this.ooo.ts.length === 0) this.ooo = null;
    return removed;
  }
}
