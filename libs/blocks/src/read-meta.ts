import { StrataError, TENANT_LABEL } from '@strata/contracts';
import { type Bucket, isObjectNotFound } from '@strata/objstore';
import { type BlockMeta, parseBlockMeta } from '@strata/tsdb';
import { META_FILE, blockKey } from './layout';

/** Reads a whole small object (meta.json, markers) into memory. */
export async function readObject(bucket: Bucket, key: string): Promise<Buffer> {
  const stream = await bucket.get(key);
  const parts: Buffer[] = [];
  try {
    for await (const chunk of stream)
      parts.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
  } finally {
    stream.destroy();
  }
  return Buffer.concat(parts);
}

/**
 * Checks a meta against where it was found: its ULID is its directory's and its `tenant_id`
 * external label is the tenant folder's, so no block is ever served to another tenant.
 */
export function validateBlockMeta(meta: BlockMeta, tenant: string, ulid: string): BlockMeta {
  if (meta.ulid !== ulid)
    throw new StrataError(
      'validation_failed',
      `${tenant}/${ulid}/meta.json names block ${meta.ulid}`,
    );
  const labelled = meta.thanos?.labels[TENANT_LABEL];
  if (labelled !== tenant)
    throw new StrataError(
      'validation_failed',
      `${tenant}/${ulid}/meta.json has ${TENANT_LABEL}=${JSON.stringify(labelled ?? null)}, expected ${JSON.stringify(tenant)}`,
    );
  return meta;
}

/** Reads, parses and validates `<tenant>/<ulid>/meta.json` (ObjectNotFoundError when absent). */
export async function readBlockMeta(
  bucket: Bucket,
  tenant: string,
  ulid: string,
): Promise<BlockMeta> {
  const bytes = await readObject(bucket, blockKey(tenant, ulid, META_FILE));
  let meta: BlockMeta;
  try {
    meta = parseBlockMeta(bytes);
  } catch (e) {
    throw new StrataError(
      'validation_failed',
      `${tenant}/${ulid}/${(e as Error).message}`,
      undefined,
      { cause: e },
    );
  }
  return validateBlockMeta(meta, tenant, ulid);
}

/** Like {@link readBlockMeta}, but null while the block has no meta.json (absent, or still uploading). */
export async function readBlockMetaIfPresent(
  bucket: Bucket,
  tenant: string,
  ulid: string,
): Promise<BlockMeta | null> {
  try {
    return await readBlockMeta(bucket, tenant, ulid);
  } catch (error) {
    if (isObjectNotFound(error)) return null;
    throw error;
  }
}
