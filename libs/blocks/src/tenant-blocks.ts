import { type Bucket, isObjectNotFound } from '@strata/objstore';
import { type BlockMeta, parseBlockMeta } from '@strata/tsdb';
import { META_FILE, ULID_PATTERN, blockKey } from './keys';

/** Reads a stored object whole; objects read this way (meta.json) are small. */
export async function readObject(bucket: Bucket, key: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of await bucket.get(key)) parts.push(Buffer.from(part as Uint8Array));
  return Buffer.concat(parts);
}

/** The meta of a tenant's block, or null while the block has no meta.json (absent or partial). */
export async function readTenantBlockMeta(
  bucket: Bucket,
  tenant: string,
  ulid: string,
): Promise<BlockMeta | null> {
  try {
    return parseBlockMeta(await readObject(bucket, blockKey(tenant, ulid, META_FILE)));
  } catch (error) {
    if (isObjectNotFound(error)) return null;
    throw error;
  }
}

/**
 * The visible blocks of a tenant (those with a meta.json), ordered by minTime then ULID. Partial
 * uploads, which have no meta.json, are not listed.
 */
export async function listTenantBlocks(bucket: Bucket, tenant: string): Promise<BlockMeta[]> {
  const ulids: string[] = [];
  for await (const entry of bucket.list(tenant)) {
    const ulid = entry.slice(tenant.length + 1).replace(/\/$/, '');
    if (entry.endsWith('/') && ULID_PATTERN.test(ulid)) ulids.push(ulid);
  }
  const metas = await Promise.all(ulids.map((u) => readTenantBlockMeta(bucket, tenant, u)));
  return metas
    .filter((m): m is BlockMeta => m !== null)
    .sort((a, b) => a.minTime - b.minTime || (a.ulid < b.ulid ? -1 : a.ulid > b.ulid ? 1 : 0));
}
