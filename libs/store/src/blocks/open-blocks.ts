import { BucketBlockFiles, blockDir } from '@strata/blocks';
import { type Bucket } from '@strata/objstore';
import { type BlockReader, buildIndexHeader, openBlock } from '@strata/tsdb';
import { LRUCache } from 'lru-cache';
import { ChunkPageCache } from './chunk-page-cache';
import { IndexRangeCache } from './index-range-cache';

/** Bounds of what {@link OpenBlocks} keeps in memory. */
export interface OpenBlocksLimits {
  /** Blocks open at once (their symbols and postings offsets loaded). */
  maxOpenBlocks: number;
  /** Bytes of index-headers kept, so reopening an evicted block costs no index reads. */
  indexHeaderBytes: number;
  /** Bytes of index ranges (postings, series) kept across queries. */
  indexRangeBytes: number;
  /** Bytes of chunk segment pages kept across queries. */
  chunkPageBytes: number;
}

/**
 * Opens blocks of the bucket on first use and keeps the most recently used ones open: a listed
 * block costs only its meta until a query reaches it. Readers over a bucket hold no handles, so
 * evicting one that a running query still reads is harmless.
 */
export class OpenBlocks {
  private readonly readers: LRUCache<string, Promise<BlockReader>>;
  private readonly headers: LRUCache<string, Uint8Array>;
  private readonly ranges: IndexRangeCache;
  private readonly chunkPages: ChunkPageCache;

  constructor(
    private readonly bucket: Bucket,
    limits: OpenBlocksLimits,
  ) {
    this.readers = new LRUCache<string, Promise<BlockReader>>({
      max: limits.maxOpenBlocks,
      dispose: (r) => void r.then((b) => b.close()).catch(() => undefined),
    });
    this.headers = new LRUCache<string, Uint8Array>({
      maxSize: limits.indexHeaderBytes,
      sizeCalculation: (b) => Math.max(1, b.length),
    });
    this.ranges = new IndexRangeCache(limits.indexRangeBytes);
    this.chunkPages = new ChunkPageCache(limits.chunkPageBytes);
  }

  /** The reader of `<tenant>/<ulid>`, opened (and its index-header built) when not open yet. */
  get(tenant: string, ulid: string): Promise<BlockReader> {
    const dir = blockDir(tenant, ulid);
    let r = this.readers.get(dir);
    if (!r) {
      r = this.open(dir);
      this.readers.set(dir, r);
      // A failed open is not cached: the next query tries again.
      r.catch(() => {
        if (this.readers.peek(dir) === r) this.readers.delete(dir);
      });
    }
    return r;
  }

  /** Forgets a block that left the bucket (deleted or marked for deletion). */
  drop(tenant: string, ulid: string): void {
    const dir = blockDir(tenant, ulid);
    this.readers.delete(dir);
    this.headers.delete(dir);
  }

  /** What the caches hold now, for logs and benches. */
  stats(): {
    openBlocks: number;
    indexHeaderBytes: number;
    indexRangeBytes: number;
    chunkPageBytes: number;
  } {
    return {
      openBlocks: this.readers.size,
      indexHeaderBytes: this.headers.calculatedSize,
      indexRangeBytes: this.ranges.bytes,
      chunkPageBytes: this.chunkPages.bytes,
    };
  }

  /** Closes every open reader. */
  clear(): void {
    this.readers.clear();
    this.headers.clear();
  }

  private async open(dir: string): Promise<BlockReader> {
    const raw = new BucketBlockFiles(this.bucket, dir);
    let header = this.headers.get(dir);
    if (!header) {
      // Read uncached: the header keeps these sections, the range cache need not.
      header = await buildIndexHeader(raw);
      this.headers.set(dir, header);
    }
    return openBlock(this.chunkPages.wrap(dir, this.ranges.wrap(dir, raw)), {
      indexHeader: header,
    });
  }
}
