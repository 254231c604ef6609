import { type Readable } from 'node:stream';
import { type BlobDigest, StrataError } from '@strata/contracts';
import { type Bucket, isObjectNotFound, type UploadedPart } from '@strata/objstore';
import { modelKeys } from './model-keys';

/** What the registry remembers of a direct upload: S3 cannot list its parts on every store. */
export interface UploadLedger {
  /** The store's multipart upload id. */
  uploadId: string;
  /** Declared blob size; the staged bytes must have exactly this many. */
  size: number;
  /** Every part but the last has this many bytes. */
  partSize: number;
  /** RFC 3339. */
  startedAt: string;
}

const LEDGER = 'upload.json';
const PARTS = 'parts';
const DATA = 'data';

/** An ETag as S3 answers it for a part: hex (quotes stripped), nothing that could bend a key. */
const ETAG = /^[0-9A-Za-z-]{1,128}$/;

/** Where one tenant's direct upload of one blob keeps its ledger, reported parts and staged bytes. */
export const uploadKeys = {
  ledger: (tenant: string, digest: BlobDigest) =>
    `${modelKeys.uploadDir(tenant, digest)}/${LEDGER}`,
  partsDir: (tenant: string, digest: BlobDigest) =>
    `${modelKeys.uploadDir(tenant, digest)}/${PARTS}`,
  /** A reported part: number and ETag are the key, so one listing reads every part. */
  part: (tenant: string, digest: BlobDigest, part: UploadedPart) =>
    `${modelKeys.uploadDir(tenant, digest)}/${PARTS}/${String(part.partNumber).padStart(5, '0')}.${part.etag}`,
  /** The multipart upload's target: unverified bytes, never a blob key. */
  data: (tenant: string, digest: BlobDigest) => `${modelKeys.uploadDir(tenant, digest)}/${DATA}`,
};

/** The part numbers a blob of `size` bytes has in parts of `partSize` (one part when empty). */
export function partCount(size: number, partSize: number): number {
  return Math.max(1, Math.ceil(size / partSize));
}

/** The ETag as stored: quotes dropped; a 400 when it holds anything but letters, digits and `-`. */
export function normalizeEtag(etag: string): string {
  const bare = etag.trim().replace(/^"|"$/g, '');
  if (!ETAG.test(bare))
    throw new StrataError('validation_failed', 'invalid part ETag', [
      { path: 'etag', message: 'must be the ETag S3 answered the part with' },
    ]);
  return bare;
}

/** The tenant's ledger of the blob's upload, or null when none is in progress. */
export async function readLedger(
  bucket: Bucket,
  tenant: string,
  digest: BlobDigest,
): Promise<UploadLedger | null> {
  try {
    return JSON.parse(
      (await readAll(await bucket.get(uploadKeys.ledger(tenant, digest)))).toString('utf8'),
    ) as UploadLedger;
  } catch (error) {
    if (isObjectNotFound(error) || error instanceof SyntaxError) return null;
    throw error;
  }
}

/** Stores the ledger of a new upload. */
export async function writeLedger(
  bucket: Bucket,
  tenant: string,
  digest: BlobDigest,
  ledger: UploadLedger,
): Promise<void> {
  await bucket.put(uploadKeys.ledger(tenant, digest), JSON.stringify(ledger));
}

/** The parts the client reported, by part number (a part sent twice: the later report wins). */
export async function reportedParts(
  bucket: Bucket,
  tenant: string,
  digest: BlobDigest,
): Promise<UploadedPart[]> {
  const byNumber = new Map<number, UploadedPart>();
  const dir = uploadKeys.partsDir(tenant, digest);
  for await (const key of bucket.list(dir)) {
    const match = /\/(\d{5})\.([0-9A-Za-z-]+)$/.exec(key);
    if (match) byNumber.set(Number(match[1]), { partNumber: Number(match[1]), etag: match[2] });
  }
  return [...byNumber.values()].sort((a, b) => a.partNumber - b.partNumber);
}

/** Records a part the client says it sent; earlier reports of the same number are replaced. */
export async function reportPart(
  bucket: Bucket,
  tenant: string,
  digest: BlobDigest,
  part: UploadedPart,
): Promise<void> {
  const dir = uploadKeys.partsDir(tenant, digest);
  const prefix = `${dir}/${String(part.partNumber).padStart(5, '0')}.`;
  for await (const key of bucket.list(dir)) if (key.startsWith(prefix)) await bucket.delete(key);
  await bucket.put(uploadKeys.part(tenant, digest, part), '');
}

/** Aborts the upload (when the store takes direct uploads) and deletes all it left. */
export async function dropUpload(
  bucket: Bucket,
  tenant: string,
  digest: BlobDigest,
  ledger: UploadLedger | null,
): Promise<void> {
  if (ledger && bucket.multipart)
    await bucket.multipart.abort(uploadKeys.data(tenant, digest), ledger.uploadId);
  for await (const key of bucket.list(modelKeys.uploadDir(tenant, digest), { recursive: true }))
    await bucket.delete(key);
}

/**
 * Drops the tenant's direct uploads with nothing written for `graceMs` (a client gone for good):
 * the store's multipart upload is aborted so its parts stop taking space, then its keys deleted.
 * Returns how many were dropped.
 */
export async function collectAbandonedUploads(
  bucket: Bucket,
  tenant: string,
  graceMs: number,
  held: () => boolean = () => true,
): Promise<number> {
  const cutoff = Date.now() - graceMs;
  let dropped = 0;
  const root = modelKeys.uploadsDir(tenant) + '/';
  for await (const dir of bucket.list(root)) {
    if (!dir.endsWith('/')) continue;
    const digest: BlobDigest = `sha256:${dir.slice(root.length, -1)}`;
    let newest = 0;
    for await (const key of bucket.list(dir, { recursive: true })) {
      const attributes = await bucket.attributes(key).catch(() => null);
      if (attributes) newest = Math.max(newest, attributes.lastModified.getTime());
    }
    if (newest > cutoff || !held()) continue;
    await dropUpload(bucket, tenant, digest, await readLedger(bucket, tenant, digest));
    dropped++;
  }
  return dropped;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
