import { type BlockFiles } from '@strata/tsdb';
import { CHUNK_PAGE_BYTES, ChunkPageCache } from './chunk-page-cache';

/** A segment file in memory that counts the reads reaching it. */
function files(size: number): BlockFiles & { reads: number; data: Uint8Array } {
  const data = Uint8Array.from({ length: size }, (_, i) => (i * 31 + 7) % 251);
  const f = {
    reads: 0,
    data,
    readRange(_file: string, offset: number, length: number): Promise<Uint8Array> {
      f.reads++;
      return Promise.resolve(Buffer.from(data.subarray(offset, offset + length)));
    },
    size: () => Promise.resolve(size),
    close: () => Promise.resolve(),
  };
  return f;
}

describe('ChunkPageCache', () => {
  const size = 5 * CHUNK_PAGE_BYTES + 123;

  it('answers any range of a segment with its bytes, short at the end as the bucket is', async () => {
    const inner = files(size);
    const cached = new ChunkPageCache(1 << 30).wrap('t/b', inner);
    const ranges: Array<[number, number]> = [
      [0, 10],
      [CHUNK_PAGE_BYTES - 5, 10],
      [100, 3 * CHUNK_PAGE_BYTES],
      [4 * CHUNK_PAGE_BYTES + 9000, 8000],
      [size - 50, 1000],
      [3, size + 10],
    ];
    for (const [offset, length] of ranges)
      for (let pass = 0; pass < 2; pass++)
        expect(Buffer.from(await cached.readRange('chunks/000001', offset, length))).toEqual(
          Buffer.from(inner.data.subarray(offset, offset + length)),
        );
  });

  it('reads a page from the bucket once while it is cached, and only chunk segments', async () => {
    const inner = files(size);
    const cache = new ChunkPageCache(1 << 30);
    const cached = cache.wrap('t/b', inner);
    await cached.readRange('chunks/000001', 100, 2 * CHUNK_PAGE_BYTES);
    expect(inner.reads).toBe(1);
    await cached.readRange('chunks/000001', CHUNK_PAGE_BYTES + 7, 20);
    await cached.readRange('chunks/000001', 0, 3 * CHUNK_PAGE_BYTES);
    expect(inner.reads).toBe(1);
    // Another block, another file, or the index: not these pages.
    await cache.wrap('t/other', inner).readRange('chunks/000001', 100, 10);
    await cached.readRange('chunks/000002', 100, 10);
    await cached.readRange('index', 100, 10);
    await cached.readRange('index', 100, 10);
    expect(inner.reads).toBe(5);
    expect(cache.bytes).toBeGreaterThanOrEqual(5 * CHUNK_PAGE_BYTES);
  });

  it('stays within its bytes', async () => {
    const inner = files(size);
    const cache = new ChunkPageCache(2 * (CHUNK_PAGE_BYTES + 64));
    const cached = cache.wrap('t/b', inner);
    await cached.readRange('chunks/000001', 0, size);
    expect(cache.bytes).toBeLessThanOrEqual(2 * (CHUNK_PAGE_BYTES + 64));
  });
});
