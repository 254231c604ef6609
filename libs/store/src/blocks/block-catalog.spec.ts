import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blockKey, formatDeletionMark, putBlock } from '@strata/blocks';
import { FilesystemBucket } from '@strata/objstore';
import { encodeXorChunks, labelsFrom, writeBlock } from '@strata/tsdb';
import { BlockCatalog } from './block-catalog';

const T0 = 1_700_000_000_000;
let root: string;
let bucket: FilesystemBucket;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'strata-catalog-'));
  bucket = new FilesystemBucket(join(root, 'bucket'));
});
afterEach(async () => {
  await bucket.close();
  await rm(root, { recursive: true, force: true });
});

async function put(sources?: string[]): Promise<string> {
  const w = await writeBlock({
    parentDir: join(root, 'work'),
    tenant: 'acme',
    series: [{ labels: labelsFrom({ __name__: 'up' }), chunks: encodeXorChunks([T0], [1]) }],
    ...(sources ? { compaction: { level: 2, sources } } : {}),
  });
  await putBlock(bucket, 'acme', w.dir);
  return w.meta.ulid;
}

describe('the store catalog during a compaction', () => {
  it('hides sources once their compacted block is listed, and serves a freshly marked block', async () => {
    const a = await put();
    const b = await put();
    const now = T0 + 1_000_000;
    const catalog = new BlockCatalog(
      bucket,
      () => true,
      600_000,
      () => now,
    );
    await catalog.sync();
    expect(catalog.blocksFor('acme', T0, T0).map((x) => x.ulid)).toEqual([a, b]);

    // The sources are marked, but this listing did not see the new block yet: still served.
    for (const u of [a, b])
      await bucket.put(
        blockKey('acme', u, 'deletion-mark.json'),
        formatDeletionMark(u, now / 1000),
      );
    await catalog.sync();
    expect(catalog.blocksFor('acme', T0, T0).map((x) => x.ulid)).toEqual([a, b]);

    const c = await put([a, b]);
    await catalog.sync();
    expect(catalog.blocksFor('acme', T0, T0).map((x) => x.ulid)).toEqual([c]);

    // Past the delay a marked block is gone even with nothing covering it (retention).
    const later = new BlockCatalog(
      bucket,
      () => true,
      600_000,
      () => now + 600_000,
    );
    await bucket.put(blockKey('acme', c, 'deletion-mark.json'), formatDeletionMark(c, now / 1000));
    await later.sync();
    expect(later.blocksFor('acme', T0, T0)).toEqual([]);
  });
});
