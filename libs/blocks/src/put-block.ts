import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { type Bucket } from '@strata/objstore';
import { META_FILE, blockDir as bucketBlockDir } from './layout';

/**
 * Uploads a block directory as it is, without validating it, under `<tenant>/<ulid>/` (the ULID is
 * the directory's name): every file first, `meta.json` last, so a listing that looks for
 * `meta.json` never sees a partial block. On failure it deletes what it put (best effort; a crash
 * leaves files without `meta.json`, invisible until a cleaner removes them or the same block is
 * put again). Returns the keys it wrote.
 */
export async function putBlock(
  bucket: Bucket,
  tenant: string,
  blockDir: string,
): Promise<string[]> {
  const ulid =
    blockDir
      .split(sep)
      .filter((s) => s.length > 0)
      .pop() ?? '';
  const prefix = bucketBlockDir(tenant, ulid);
  const files = (await filesUnder(blockDir)).filter((f) => f !== META_FILE).sort();
  const put: string[] = [];
  try {
    for (const rel of [...files, META_FILE]) {
      const key = `${prefix}/${rel}`;
      await bucket.put(key, createReadStream(join(blockDir, ...rel.split('/'))));
      put.push(key);
    }
  } catch (error) {
    // meta.json is the last put, so a failure leaves the block invisible; the rest goes too.
    for (const key of put.reverse()) await bucket.delete(key).catch(() => undefined);
    throw error;
  }
  return put;
}

/** Deletes every object of a block, `meta.json` first so the block is invisible before it is incomplete. */
export async function deleteBlock(bucket: Bucket, tenant: string, ulid: string): Promise<void> {
  const prefix = bucketBlockDir(tenant, ulid);
  await bucket.delete(`${prefix}/${META_FILE}`);
  const keys: string[] = [];
  for await (const key of bucket.list(prefix, { recursive: true })) keys.push(key);
  for (const key of keys) await bucket.delete(key);
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) =>
      relative(dir, join(e.parentPath ?? e.path, e.name))
        .split(sep)
        .join('/'),
    );
}
