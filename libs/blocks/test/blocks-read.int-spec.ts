import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningS3Server, startS3Server } from '@strata/devstack';
import { type Bucket, FilesystemBucket, S3Bucket } from '@strata/objstore';
import { matcher, openBlock } from '@strata/tsdb';
import {
  BucketBlockFiles,
  blockDir,
  formatDeletionMark,
  listTenantBlocks,
  listTenants,
  readBlockMeta,
} from '../src';
import { writeTestBlock } from '@strata/testing';

jest.setTimeout(120_000);

const T0 = 1_700_000_000_000;
const samples = (n: number, from = T0) => ({
  timestamps: Array.from({ length: n }, (_, i) => from + i * 15_000),
  values: Array.from({ length: n }, (_, i) => i * 1.5),
});

/** The read side of blocks in a bucket, run against every bucket implementation. */
function blocksReadSuite(newBucket: () => Promise<Bucket>): void {
  let bucket: Bucket;
  let tmp: string;
  beforeEach(async () => {
    bucket = await newBucket();
    tmp = mkdtempSync(join(tmpdir(), 'strata-blocks-read-'));
  });
  afterEach(async () => {
    await bucket.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('lists tenants and their complete blocks; a block without meta.json or with a deletion mark is left out', async () => {
    const a1 = await writeTestBlock(bucket, tmp, 'team-a', [
      { labels: { __name__: 'up', job: 'x' }, ...samples(10) },
    ]);
    const a2 = await writeTestBlock(bucket, tmp, 'team-a', [
      { labels: { __name__: 'up', job: 'y' }, ...samples(10) },
    ]);
    const uploading = await writeTestBlock(
      bucket,
      tmp,
      'team-a',
      [{ labels: { __name__: 'up' }, ...samples(3) }],
      {
        withoutMeta: true,
      },
    );
    await writeTestBlock(bucket, tmp, 'team-b', [{ labels: { __name__: 'up' }, ...samples(3) }]);
    await bucket.put(
      `team-a/${a2}/deletion-mark.json`,
      formatDeletionMark(a2, Math.floor(Date.now() / 1000)),
    );

    expect((await listTenants(bucket)).sort()).toEqual(['team-a', 'team-b']);
    const listing = await listTenantBlocks(bucket, 'team-a');
    expect(listing.blocks.map((b) => b.ulid)).toEqual([a1]);
    expect(listing.blocks[0].meta.thanos?.labels).toEqual({ tenant_id: 'team-a' });
    expect(listing.markedForDeletion).toEqual([a2]);
    expect(listing.failed).toEqual([]);
    expect(listing.blocks.map((b) => b.ulid)).not.toContain(uploading);
  });

  it('reports a meta.json that names another tenant or is not a block meta, and never lists it', async () => {
    const foreign = await writeTestBlock(bucket, tmp, 'team-b', [
      { labels: { __name__: 'up' }, ...samples(3) },
    ]);
    // The same block copied under another tenant's folder: its meta still says team-b.
    for await (const key of bucket.list(`team-b/${foreign}`, { recursive: true })) {
      const stream = await bucket.get(key);
      const parts: Buffer[] = [];
      for await (const c of stream) parts.push(c as Buffer);
      await bucket.put(key.replace('team-b/', 'team-a/'), Buffer.concat(parts));
    }
    const ok = await writeTestBlock(bucket, tmp, 'team-a', [
      { labels: { __name__: 'up' }, ...samples(3) },
    ]);
    const broken = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
    await bucket.put(`team-a/${broken}/meta.json`, '{"version": 2}');

    const listing = await listTenantBlocks(bucket, 'team-a');
    expect(listing.blocks.map((b) => b.ulid)).toEqual([ok]);
    expect(listing.failed.map((f) => f.ulid).sort()).toEqual([broken, foreign].sort());
    expect(listing.failed.find((f) => f.ulid === foreign)?.reason).toMatch(
      /tenant_id="team-b", expected "team-a"/,
    );
    await expect(readBlockMeta(bucket, 'team-a', foreign)).rejects.toMatchObject({
      code: 'validation_failed',
    });
  });

  it('opens a block with ranged reads from the bucket and selects its samples', async () => {
    const s = samples(500);
    const ulid = await writeTestBlock(bucket, tmp, 'team-a', [
      { labels: { __name__: 'up', job: 'a' }, ...s },
      { labels: { __name__: 'up', job: 'b' }, ...samples(7) },
    ]);
    const files = new BucketBlockFiles(bucket, blockDir('team-a', ulid));
    // A read past the end is cut there, as an HTTP Range is.
    const size = await files.size('index');
    expect((await files.readRange('index', size - 4, 100)).length).toBe(4);
    expect((await files.readRange('index', size + 10, 100)).length).toBe(0);

    const block = await openBlock(files);
    const got: Array<{ job: string; t: number[]; v: number[] }> = [];
    for await (const series of block.select(
      [matcher('=', '__name__', 'up')],
      T0 + 15_000,
      T0 + 30 * 15_000,
    )) {
      const it = series.iterator();
      const t: number[] = [];
      const v: number[] = [];
      while (it.next()) {
        t.push(it.t);
        v.push(it.v);
      }
      got.push({ job: series.labels.find((l) => l.name === 'job')?.value ?? '', t, v });
    }
    expect(got.map((g) => g.job)).toEqual(['a', 'b']);
    expect(got[0].t).toEqual(s.timestamps.slice(1, 31));
    expect(got[0].v).toEqual(s.values.slice(1, 31));
    expect(got[1].t).toHaveLength(6);
    expect(await block.labelValues('job')).toEqual(['a', 'b']);
    await block.close();
  });
}

describe('blocks read side on a filesystem bucket', () => {
  let dir: string;
  let count = 0;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'strata-blocks-fs-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  blocksReadSuite(() => Promise.resolve(new FilesystemBucket(join(dir, `b${++count}`))));
});

describe('blocks read side on S3 (s3rver)', () => {
  let server: RunningS3Server;
  let admin: S3Client;
  let dir: string;
  let count = 0;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strata-blocks-s3-'));
    server = await startS3Server({ dataDir: dir });
    admin = new S3Client({
      endpoint: server.endpoint,
      region: server.region,
      forcePathStyle: true,
      credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    });
  });
  afterAll(async () => {
    admin?.destroy();
    await server?.process.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  blocksReadSuite(async () => {
    const name = `blocks-${++count}-${process.pid}`;
    await admin.send(new CreateBucketCommand({ Bucket: name }));
    return new S3Bucket({
      bucket: name,
      prefix: 'strata',
      endpoint: server.endpoint,
      region: server.region,
      forcePathStyle: true,
      credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    });
  });
});
