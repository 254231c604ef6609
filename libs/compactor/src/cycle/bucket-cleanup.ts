import {
  DELETION_MARK_FILE,
  META_FILE,
  type ListedBlock,
  blockDir,
  blockKey,
  deleteBlock,
  formatDeletionMark,
  isBlockUlid,
} from '@strata/blocks';
import { type Bucket } from '@strata/objstore';

/** Marks blocks for deletion (Thanos' `deletion-mark.json`), with why. */
export async function markForDeletion(
  bucket: Bucket,
  tenant: string,
  blocks: readonly ListedBlock[],
  nowMs: number,
  details: string,
): Promise<void> {
  for (const b of blocks)
    await bucket.put(
      blockKey(tenant, b.ulid, DELETION_MARK_FILE),
      formatDeletionMark(b.ulid, Math.floor(nowMs / 1000), details),
    );
}

/**
 * Folders of the tenant named by a ULID that have neither meta.json nor a deletion mark and whose
 * newest object is older than `maxAgeMs`: uploads that a crash abandoned. Anything younger may
 * still be uploading (an ingester's or a compactor's) and is left alone.
 */
export async function abandonedUploads(
  bucket: Bucket,
  tenant: string,
  nowMs: number,
  maxAgeMs: number,
): Promise<string[]> {
  const out: string[] = [];
  for await (const key of bucket.list(tenant)) {
    const ulid = key.slice(tenant.length + 1, -1);
    if (!key.endsWith('/') || !isBlockUlid(ulid)) continue;
    if (await bucket.exists(blockKey(tenant, ulid, META_FILE))) continue;
    if (await bucket.exists(blockKey(tenant, ulid, DELETION_MARK_FILE))) continue;
    let newest = 0;
    for await (const obj of bucket.list(blockDir(tenant, ulid), { recursive: true }))
      newest = Math.max(newest, (await bucket.attributes(obj)).lastModified.getTime());
    if (nowMs - newest >= maxAgeMs) out.push(ulid);
  }
  return out;
}

/** Deletes a whole block folder, meta.json first (it may have none). */
export function deleteBlockFolder(bucket: Bucket, tenant: string, ulid: string): Promise<void> {
  return deleteBlock(bucket, tenant, ulid);
}
