import { crc32c } from '@node-rs/crc32';
import { mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type StrataError } from '@strata/contracts';
import { type Bucket, FilesystemBucket, type PutBody, type PutOptions } from '@strata/objstore';
import {
  type BlockMeta,
  FsBlockFiles,
  IndexReader,
  encodeTombstones,
  encodeXorChunks,
  labelsFrom,
  parseBlockMeta,
  writeBlock,
} from '@strata/tsdb';
import { InvalidBlockError } from './errors';
import { listTenantBlocks as listing } from './list-blocks';

const listTenantBlocks = async (bucket: Parameters<typeof listing>[0], tenant: string) =>
  (await listing(bucket, tenant)).blocks.map((b) => b.meta);
import { uploadBlock } from './upload';

// Writing, reading and uploading blocks on a loaded machine takes a few seconds.
jest.setTimeout(60_000);

const HOUR = 3_600_000;
let work: string;
let bucket: FilesystemBucket;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'strata-blocks-upload-'));
  bucket = new FilesystemBucket(join(work, 'bucket'));
});
afterEach(async () => {
  await bucket.close();
  await rm(work, { recursive: true, force: true });
});

/** A block of two series with a sample a minute over [from, to), chunks of `perChunk` samples. */
async function block(
  from: number,
  to: number,
  opts: { tenant?: string; perChunk?: number } = {},
): Promise<string> {
  const ts: number[] = [];
  for (let t = from; t < to; t += 60_000) ts.push(t);
  const series = ['a', 'b'].map((job, i) => ({
    labels: labelsFrom({ __name__: 'up', job }),
    chunks: encodeXorChunks(
      ts,
      ts.map((_, k) => k * (i + 1)),
      opts.perChunk ?? 120,
    ),
  }));
  const written = await writeBlock({
    parentDir: join(work, 'src'),
    series,
    minTime: from,
    maxTime: to,
    tenant: opts.tenant,
    source: 'test',
  });
  return written.dir;
}

async function keys(): Promise<string[]> {
  const out: string[] = [];
  for await (const k of bucket.list('', { recursive: true })) out.push(k);
  return out;
}

async function refusal(promise: Promise<unknown>): Promise<InvalidBlockError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InvalidBlockError);
  return error as InvalidBlockError;
}

async function flipByte(file: string, at: (size: number) => number): Promise<void> {
  const bytes = await readFile(file);
  bytes[at(bytes.length)] ^= 0xff;
  await writeFile(file, bytes);
}

function uvarintAt(b: Uint8Array, at: number): { value: number; next: number } {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = b[at++];
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return { value, next: at };
    shift += 7;
  }
}

/**
 * Rewrites the first series entry of the index so its second chunk starts where the first ends
 * (the delta-encoded minT set to 0), with a valid CRC: the block reads fine but its chunks overlap.
 */
async function overlapSecondChunk(dir: string): Promise<void> {
  const files = new FsBlockFiles(dir);
  // Series ids are offsets in 16-byte units.
  const first = (await (await IndexReader.open(files)).allPostings())[0] * 16;
  await files.close();
  const path = join(dir, 'index');
  const bytes = await readFile(path);
  const len = uvarintAt(bytes, first);
  const body = len.next;
  let at = body;
  const nLabels = uvarintAt(bytes, at);
  at = nLabels.next;
  for (let i = 0; i < 2 * nLabels.value; i++) at = uvarintAt(bytes, at).next;
  const nChunks = uvarintAt(bytes, at);
  expect(nChunks.value).toBeGreaterThanOrEqual(2);
  at = nChunks.next;
  for (let i = 0; i < 3; i++) at = uvarintAt(bytes, at).next;
  expect(uvarintAt(bytes, at)).toEqual({ value: 60_000, next: at + 3 });
  // 60000 takes three bytes; 0 with two continuation bytes still decodes as 0.
  bytes[at] = 0x80;
  bytes[at + 1] = 0x80;
  bytes[at + 2] = 0x00;
  bytes.writeUInt32BE(crc32c(bytes.subarray(body, body + len.value)), body + len.value);
  await writeFile(path, bytes);
}

describe('uploadBlock', () => {
  it('stores the block under <tenant>/<ulid>/ with meta.json rewritten for the tenant and the ULID kept', async () => {
    const dir = await block(0, 2 * HOUR);
    const source = parseBlockMeta(await readFile(join(dir, 'meta.json')));
    const { meta } = await uploadBlock(bucket, 'acme', dir);

    expect(meta.ulid).toBe(source.ulid);
    expect(await keys()).toEqual([
      `acme/${source.ulid}/chunks/000001`,
      `acme/${source.ulid}/index`,
      `acme/${source.ulid}/meta.json`,
    ]);
    const stored = parseBlockMeta(
      await readFile(join(work, 'bucket', 'acme', source.ulid, 'meta.json')),
    );
    expect(stored).toMatchObject({
      ulid: source.ulid,
      minTime: 0,
      maxTime: 2 * HOUR,
      stats: { numSeries: 2, numSamples: 240, numChunks: 2 },
      thanos: {
        labels: { tenant_id: 'acme' },
        source: 'upload',
        segment_files: ['000001'],
        files: [
          {
            rel_path: 'chunks/000001',
            size_bytes: (await readFile(join(dir, 'chunks/000001'))).length,
          },
          { rel_path: 'index', size_bytes: (await readFile(join(dir, 'index'))).length },
          { rel_path: 'meta.json' },
        ],
      },
    });
    expect((await listTenantBlocks(bucket, 'acme')).map((m) => m.ulid)).toEqual([source.ulid]);
    expect(await listTenantBlocks(bucket, 'other')).toEqual([]);
  });

  it('refuses a chunk whose CRC does not match, uploading nothing', async () => {
    const dir = await block(0, 2 * HOUR);
    // The first chunk starts after the 8-byte segment header, its length and its encoding byte.
    await flipByte(join(dir, 'chunks/000001'), () => 8 + 2 + 1 + 5);
    const error = await refusal(uploadBlock(bucket, 'acme', dir));
    expect(error).toMatchObject({ code: 'validation_failed', reason: 'corrupt_block' });
    expect(error.message).toMatch(/chunks\/000001.*checksum mismatch/);
    expect(await keys()).toEqual([]);
  });

  it('refuses an index whose postings offset table is damaged', async () => {
    const dir = await block(0, 2 * HOUR);
    await flipByte(join(dir, 'index'), (size) => size - 52 - 6);
    expect(await refusal(uploadBlock(bucket, 'acme', dir))).toMatchObject({
      reason: 'corrupt_block',
    });
    expect(await keys()).toEqual([]);
  });

  it('refuses a series whose chunks overlap, naming the series', async () => {
    const dir = await block(0, 2 * HOUR, { perChunk: 60 });
    await overlapSecondChunk(dir);
    const error = await refusal(uploadBlock(bucket, 'acme', dir));
    expect(error.reason).toBe('out_of_order_chunks');
    expect(error.message).toContain('series {__name__="up", job="a"}');
    expect(await keys()).toEqual([]);
  });

  it('refuses a directory without meta.json', async () => {
    const dir = await block(0, 2 * HOUR);
    await unlink(join(dir, 'meta.json'));
    expect(await refusal(uploadBlock(bucket, 'acme', dir))).toMatchObject({
      reason: 'missing_meta',
    });
  });

  it('refuses a block with tombstones, which the reader would not apply', async () => {
    const dir = await block(0, 2 * HOUR);
    await writeFile(
      join(dir, 'tombstones'),
      encodeTombstones([{ seriesRef: 1, minT: 0, maxT: HOUR }]),
    );
    const error = await refusal(uploadBlock(bucket, 'acme', dir));
    expect(error.reason).toBe('tombstones');
    expect(error.message).toMatch(/1 tombstone/);
  });

  it('refuses a block whose meta.json names another tenant', async () => {
    const dir = await block(0, 2 * HOUR, { tenant: 'globex' });
    expect(await refusal(uploadBlock(bucket, 'acme', dir))).toMatchObject({
      reason: 'tenant_mismatch',
    });
  });

  it("refuses a block overlapping one of the tenant's blocks unless told otherwise; other tenants do not count", async () => {
    const first = await uploadBlock(bucket, 'acme', await block(0, 2 * HOUR));
    await uploadBlock(bucket, 'acme', await block(2 * HOUR, 4 * HOUR));
    const overlapping = await block(HOUR, 3 * HOUR);
    const error = await refusal(uploadBlock(bucket, 'acme', overlapping));
    expect(error.reason).toBe('block_overlap');
    expect(error.message).toContain(first.meta.ulid);
    expect(await listTenantBlocks(bucket, 'acme')).toHaveLength(2);

    await uploadBlock(bucket, 'globex', overlapping);
    await uploadBlock(bucket, 'acme', overlapping, { allowOverlap: true });
    expect(await listTenantBlocks(bucket, 'acme')).toHaveLength(3);
  });

  it('lets one of two concurrent overlapping uploads through and refuses the other', async () => {
    const [a, b] = [await block(0, 2 * HOUR), await block(HOUR, 3 * HOUR)];
    const overlapping = await Promise.allSettled([
      uploadBlock(bucket, 'acme', a),
      uploadBlock(bucket, 'acme', b),
    ]);
    expect(overlapping.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(
      overlapping.flatMap((r) =>
        r.status === 'rejected' ? [(r.reason as StrataError).reason] : [],
      ),
    ).toEqual(['block_overlap']);
    expect(await listTenantBlocks(bucket, 'acme')).toHaveLength(1);

    const same = await Promise.allSettled([
      uploadBlock(bucket, 'globex', a),
      uploadBlock(bucket, 'globex', a),
    ]);
    expect(
      same.flatMap((r) => (r.status === 'rejected' ? [(r.reason as StrataError).reason] : [])),
    ).toEqual(['block_exists']);
    expect(await listTenantBlocks(bucket, 'globex')).toHaveLength(1);
  });

  it('refuses the same block twice with already_exists', async () => {
    const dir = await block(0, 2 * HOUR);
    await uploadBlock(bucket, 'acme', dir);
    const error = (await uploadBlock(bucket, 'acme', dir).catch((e: unknown) => e)) as StrataError;
    expect(error).toMatchObject({ code: 'already_exists', reason: 'block_exists' });
  });

  it('removes what it stored when a put fails, so the block never becomes visible', async () => {
    const dir = await block(0, 2 * HOUR);
    const failing: Bucket = Object.assign(Object.create(bucket) as Bucket, {
      put: async (key: string, body: PutBody, options?: PutOptions) => {
        if (key.endsWith('/index')) throw new Error('connection reset');
        return bucket.put(key, body, options);
      },
    });
    await expect(uploadBlock(failing, 'acme', dir)).rejects.toThrow('connection reset');
    expect(await keys()).toEqual([]);
    // A later upload of the same block succeeds.
    await uploadBlock(bucket, 'acme', dir);
    expect((await listTenantBlocks(bucket, 'acme')).map((m: BlockMeta) => m.ulid)).toHaveLength(1);
  });

  it('abandons the upload on abort and leaves nothing', async () => {
    const dir = await block(0, 2 * HOUR);
    const abort = new AbortController();
    const upload = uploadBlock(bucket, 'acme', dir, {
      signal: abort.signal,
      onFileStored: () => abort.abort(new Error('operator stopped it')),
    });
    await expect(upload).rejects.toThrow('operator stopped it');
    expect(await keys()).toEqual([]);
  });
});
