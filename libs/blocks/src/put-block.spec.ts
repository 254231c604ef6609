import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Bucket, FilesystemBucket } from '@strata/objstore';
import { deleteBlock, putBlock } from './put-block';

const ULID = '01HF7YB3RGFQRRH4QCVV8YYVWH';

let dir: string;
let blockDir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'strata-put-'));
  blockDir = join(dir, 'local', ULID);
  mkdirSync(join(blockDir, 'chunks'), { recursive: true });
  writeFileSync(join(blockDir, 'meta.json'), '{}');
  writeFileSync(join(blockDir, 'index'), 'index');
  writeFileSync(join(blockDir, 'tombstones'), 'tomb');
  writeFileSync(join(blockDir, 'chunks', '000001'), 'chunks');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function keys(bucket: Bucket): Promise<string[]> {
  const out: string[] = [];
  for await (const k of bucket.list('', { recursive: true })) out.push(k);
  return out.sort();
}

describe('putBlock', () => {
  it('uploads every file under <tenant>/<ulid>/ with meta.json last', async () => {
    const bucket = new FilesystemBucket(join(dir, 'bucket'));
    const order: string[] = [];
    const put = bucket.put.bind(bucket);
    jest.spyOn(bucket, 'put').mockImplementation((key, body, opts) => {
      order.push(key);
      return put(key, body, opts);
    });
    await putBlock(bucket, 'acme', blockDir);
    expect(order[order.length - 1]).toBe(`acme/${ULID}/meta.json`);
    expect(await keys(bucket)).toEqual(
      ['chunks/000001', 'index', 'meta.json', 'tombstones'].map((f) => `acme/${ULID}/${f}`),
    );
    await deleteBlock(bucket, 'acme', ULID);
    expect(await keys(bucket)).toEqual([]);
  });

  it('deletes what it put when an upload fails, so no part of the block stays', async () => {
    const bucket = new FilesystemBucket(join(dir, 'bucket'));
    const put = bucket.put.bind(bucket);
    jest
      .spyOn(bucket, 'put')
      .mockImplementation((key, body, opts) =>
        key.endsWith('/tombstones') ? Promise.reject(new Error('disk full')) : put(key, body, opts),
      );
    await expect(putBlock(bucket, 'acme', blockDir)).rejects.toThrow('disk full');
    expect(await keys(bucket)).toEqual([]);
  });
});
