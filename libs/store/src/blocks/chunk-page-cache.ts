import { type BlockFiles } from '@strata/tsdb';
import { LRUCache } from 'lru-cache';

/** Bytes of a chunk segment file per cached page: several chunks, one ranged read of the bucket. */
export const CHUNK_PAGE_BYTES = 16 * 1024;

/**
 * Pages of the blocks' chunk segment files, shared by every block of the store and bounded in
 * bytes: Thanos' chunks cache, kept in memory. Segment files never change once a block is in the
 * bucket, so a page stays right for as long as it is kept. Reads are cut into aligned pages, so
 * queries reading different chunks of the same series share them.
 */
export class ChunkPageCache {
  private readonly lru: LRUCache<string, Uint8Array>;

  constructor(maxBytes: number) {
    this.lru = new LRUCache<string, Uint8Array>({
      maxSize: maxBytes,
      sizeCalculation: (b) => Math.max(1, b.length + 64),
    });
  }

  /** The files of `block` (a unique name, e.g. `<tenant>/<ulid>`) with `chunks/` reads cached. */
  wrap(block: string, files: BlockFiles): BlockFiles {
    return new PagedChunkFiles(block, files, this.lru);
  }

  /** Bytes held now. */
  get bytes(): number {
    return this.lru.calculatedSize;
  }
}

class PagedChunkFiles implements BlockFiles {
  constructor(
    private readonly block: string,
    private readonly inner: BlockFiles,
    private readonly lru: LRUCache<string, Uint8Array>,
  ) {}

  async readRange(file: string, offset: number, length: number): Promise<Uint8Array> {
    if (!file.startsWith('chunks/') || length <= 0)
      return this.inner.readRange(file, offset, length);
    const first = Math.floor(offset / CHUNK_PAGE_BYTES);
    const last = Math.floor((offset + length - 1) / CHUNK_PAGE_BYTES);
    const key = (page: number): string => `${this.block}\u0000${file}\u0000${page}`;
    const pages = new Array<Uint8Array>(last - first + 1);
    for (let p = first; p <= last;) {
      const hit = this.lru.get(key(p));
      if (hit) {
        pages[p - first] = hit;
        p++;
        continue;
      }
      // One read for a run of missing pages.
      let end = p;
      while (end < last && !this.lru.has(key(end + 1))) end++;
      const bytes = await this.inner.readRange(
        file,
        p * CHUNK_PAGE_BYTES,
        (end - p + 1) * CHUNK_PAGE_BYTES,
      );
      for (let q = p; q <= end; q++) {
        const from = (q - p) * CHUNK_PAGE_BYTES;
        // A copy: a view would keep the whole read alive behind one cached page.
        const page = new Uint8Array(
          bytes.subarray(from, Math.min(from + CHUNK_PAGE_BYTES, bytes.length)),
        );
        pages[q - first] = page;
        // Segments never grow, so the last page is cached as short as it is.
        if (page.length > 0) this.lru.set(key(q), page);
      }
      p = end + 1;
    }
    const start = offset - first * CHUNK_PAGE_BYTES;
    if (pages.length === 1) return pages[0].subarray(start, start + length);
    const out = new Uint8Array(length);
    let n = 0;
    for (let k = 0; k < pages.length && n < length; k++) {
      const from = k === 0 ? start : 0;
      const take = Math.min(pages[k].length - from, length - n);
      if (take <= 0) break;
      out.set(pages[k].subarray(from, from + take), n);
      n += take;
      // Past the segment's end: the read is short, as the bucket's would be.
      if (from + take < CHUNK_PAGE_BYTES && n < length) break;
    }
    return n === length ? out : out.subarray(0, n);
  }

  size(file: string): Promise<number> {
    return this.inner.size(file);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
