import { type BlockFiles } from '@strata/tsdb';
import { LRUCache } from 'lru-cache';

/**
 * Bytes of index ranges read from the bucket, shared by every block of the store and bounded in
 * bytes. Postings lists and series entries are exactly such ranges (the reader coalesces them per
 * query), so this is the postings and series cache of Thanos' store, one level down.
 */
export class IndexRangeCache {
  private readonly lru: LRUCache<string, Uint8Array>;

  constructor(maxBytes: number) {
    this.lru = new LRUCache<string, Uint8Array>({
      maxSize: maxBytes,
      sizeCalculation: (b) => Math.max(1, b.length + 64),
    });
  }

  /** The files of `block` (a unique name, e.g. `<tenant>/<ulid>`) with `index` reads cached. */
  wrap(block: string, files: BlockFiles): BlockFiles {
    return new CachingBlockFiles(block, files, this.lru);
  }

  /** Bytes held now. */
  get bytes(): number {
    return this.lru.calculatedSize;
  }
}

class CachingBlockFiles implements BlockFiles {
  constructor(
    private readonly block: string,
    private readonly inner: BlockFiles,
    private readonly lru: LRUCache<string, Uint8Array>,
  ) {}

  async readRange(file: string, offset: number, length: number): Promise<Uint8Array> {
    if (file !== 'index') return this.inner.readRange(file, offset, length);
    const key = `${this.block}\u0000${offset}\u0000${length}`;
    const hit = this.lru.get(key);
    if (hit) return hit;
    const bytes = await this.inner.readRange(file, offset, length);
    this.lru.set(key, bytes);
    return bytes;
  }

  size(file: string): Promise<number> {
    return this.inner.size(file);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
