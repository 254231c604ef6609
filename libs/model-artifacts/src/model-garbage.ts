import { type Readable } from 'node:stream';
import { blobsOf, type CollectModelGarbageReply, ModelManifest } from '@strata/contracts';
import { type Bucket } from '@strata/objstore';
import { digestOfBlobKey, modelKeys } from './model-keys';
import { collectAbandonedUploads } from './model-uploads';
import { type TenantLock } from './tenant-lock';

/**
 * Deletes the tenant's blobs no manifest names that are older than `graceMs`, under the tenant's
 * lock, the one manifests are committed under, so a push's commit and a sweep never interleave.
 * Stops deleting if the lock is lost midway (a holder stalled past the lock's TTL). Direct uploads
 * nothing was written to for `uploadGraceMs` are aborted and dropped too.
 */
export function collectModelGarbage(
  bucket: Bucket,
  lock: TenantLock,
  tenant: string,
  graceMs: number,
  uploadGraceMs = DEFAULT_UPLOAD_GRACE_MS,
): Promise<CollectModelGarbageReply> {
  return lock.run(tenant, async (held) => {
    const referenced = new Set<string>();
    for await (const key of bucket.list(modelKeys.manifestsDir(tenant), { recursive: true })) {
      let parsed: unknown;
      try {
        parsed = JSON.parse((await readAll(await bucket.get(key))).toString('utf8'));
      } catch {
        continue;
      }
      const manifest = ModelManifest.safeParse(parsed);
      if (!manifest.success) continue;
      for (const blob of [manifest.data.config, ...manifest.data.blobs].flatMap(blobsOf))
        referenced.add(blob.digest);
    }
    const cutoff = Date.now() - graceMs;
    const reply: CollectModelGarbageReply = { deletedBlobs: 0, freedBytes: 0 };
    for await (const key of bucket.list(modelKeys.blobsDir(tenant))) {
      if (referenced.has(digestOfBlobKey(key))) continue;
      const attributes = await bucket.attributes(key).catch(() => null);
      if (!attributes || attributes.lastModified.getTime() > cutoff) continue;
      if (!held()) break;
      await bucket.delete(key);
      reply.deletedBlobs++;
      reply.freedBytes += attributes.size;
    }
    const aborted = await collectAbandonedUploads(bucket, tenant, uploadGraceMs, held);
    if (aborted > 0) reply.abortedUploads = aborted;
    return reply;
  });
}

/** A direct upload idle this long is abandoned: a day, as S3 lifecycle rules commonly abort them. */
export const DEFAULT_UPLOAD_GRACE_MS = 24 * 3_600_000;

/** The tenants that have model artifacts in the bucket. */
export async function modelTenants(bucket: Bucket): Promise<string[]> {
  const tenants: string[] = [];
  for await (const entry of bucket.list(modelKeys.root)) {
    if (!entry.endsWith('/')) continue;
    tenants.push(entry.slice(modelKeys.root.length + 1, -1));
  }
  return tenants;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
