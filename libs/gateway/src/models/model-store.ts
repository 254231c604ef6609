import { createHash } from 'node:crypto';
import { type Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  BLOBS_MISSING_REASON,
  blobsOf,
  type BlobDigest,
  MAX_MANIFEST_BYTES,
  ModelManifest,
  type ModelIndex,
  type ModelIndexEntry,
  type CollectModelGarbageReply,
  PARTS_MISSING_REASON,
  StrataError,
  type UploadPartLocation,
} from '@strata/contracts';
import {
  type Bucket,
  isObjectNotFound,
  type ObjectAttributes,
  type ObjectRange,
} from '@strata/objstore';
import { DigestVerifier } from './digest-verifier';
import {
  dropUpload,
  modelKeys,
  normalizeEtag,
  partCount,
  readLedger,
  reportedParts,
  reportPart,
  type TenantLock,
  type UploadLedger,
  uploadKeys,
  writeLedger,
} from '@strata/model-artifacts';

/** How the store locks, collects garbage and counts usage. */
export interface ModelStoreOptions {
  /** The per-tenant lock manifests are committed under; garbage collection takes the same one. */
  lock: TenantLock;
  /** Collects the tenant's unreferenced blobs (the model-registry service does, over the bus). */
  collect: (tenant: string) => Promise<CollectModelGarbageReply>;
  /** Hears the tenant's stored bytes whenever they are counted or change (the usage series). */
  onUsage?: (tenant: string, bytes: number) => void;
  /** Direct uploads' part size (16 MiB when absent; S3 needs 5 MiB at least). */
  directPartBytes?: number;
  /** Blobs smaller than this go through the gateway even on S3 (5 MiB when absent). */
  directMinBytes?: number;
}

/** A direct upload started or resumed: what the client sends where. */
export interface DirectUpload {
  uploadId: string;
  partSize: number;
  parts: UploadPartLocation[];
  uploaded: Array<{ partNumber: number; size: number }>;
  expiresAt: string;
}

const DIRECT_PART_BYTES = 16 << 20;
// Below S3's smallest part, one PUT through the gateway costs less than three direct requests.
const DIRECT_MIN_BYTES = 5 << 20;
const MAX_PARTS = 10_000;

/** A tenant's cached byte count is listed again after this long. */
const USAGE_RECOUNT_MS = 5 * 60_000;

/** Injection token of the gateway's ModelStore (null without a bucket). */
export const MODEL_STORE = Symbol('MODEL_STORE');

/** A stored model version as the index lists it. */
export interface ModelRef {
  repo: string;
  name: string;
}

/**
 * Model artifacts of every tenant in the bucket: blobs by digest, manifests by repo/name/version.
 * A manifest is written only when all its blobs exist, under the tenant's lock, which garbage
 * collection takes too, so no manifest naming a missing blob is ever visible.
 */
export class ModelStore {
  private readonly usage = new Map<string, Promise<number>>();
  private readonly countedAt = new Map<string, number>();

  constructor(
    private readonly bucket: Bucket,
    private readonly options: ModelStoreOptions,
  ) {}

  /** Size of the tenant's blob, or null when the tenant has none with that digest. */
  async blobSize(tenant: string, digest: BlobDigest): Promise<number | null> {
    try {
      return (await this.bucket.attributes(modelKeys.blob(tenant, digest))).size;
    } catch (error) {
      if (isObjectNotFound(error)) return null;
      throw error;
    }
  }

  /** The blob's bytes from `offset` (`length` -1: to the end); not_found when the tenant has no such blob. */
  async readBlob(tenant: string, digest: BlobDigest, offset = 0, length = -1): Promise<Readable> {
    try {
      return await this.bucket.getRange(modelKeys.blob(tenant, digest), offset, length);
    } catch (error) {
      if (isObjectNotFound(error)) throw blobNotFound(digest);
      throw error;
    }
  }

  /**
   * The blob's bytes from `offset` (`length` -1: to the end) opened for writing out from reused
   * memory, when the bucket reads local files; null when it does not (use `readBlob`).
   */
  async openBlobRange(
    tenant: string,
    digest: BlobDigest,
    offset: number,
    length: number,
  ): Promise<ObjectRange | null> {
    if (!this.bucket.openRange) return null;
    try {
      return await this.bucket.openRange(modelKeys.blob(tenant, digest), offset, length);
    } catch (error) {
      if (isObjectNotFound(error)) throw blobNotFound(digest);
      throw error;
    }
  }

  /** A presigned read URL for the blob when the bucket can sign one. */
  async presignBlob(
    tenant: string,
    digest: BlobDigest,
    expiresInSeconds: number,
  ): Promise<string | null> {
    if (!this.bucket.presignGet) return null;
    if ((await this.blobSize(tenant, digest)) === null) throw blobNotFound(digest);
    return this.bucket.presignGet(modelKeys.blob(tenant, digest), expiresInSeconds);
  }

  /**
   * Stores the body as the tenant's blob `digest`, hashing it as it streams; a digest or size
   * mismatch, a quota overrun or a broken connection leaves nothing stored.
   */
  async writeBlob(
    tenant: string,
    digest: BlobDigest,
    body: Readable,
    declaredSize: number | undefined,
    quotaBytes: number,
  ): Promise<{ size: number; created: boolean }> {
    const existing = await this.blobSize(tenant, digest);
    if (existing !== null) {
      // Same digest, same bytes: drain the body without storing it again.
      body.resume();
      return { size: existing, created: false };
    }
    const room = await this.roomOf(tenant, quotaBytes);
    if (declaredSize !== undefined && declaredSize > room)
      throw quotaExceeded(tenant, declaredSize, room);
    const verifier = new DigestVerifier(digest, declaredSize, Math.max(room, 0));
    const outcomes = await Promise.allSettled([
      pipeline(body, verifier),
      this.bucket.put(modelKeys.blob(tenant, digest), verifier),
    ]);
    const failures = outcomes.flatMap((o) =>
      o.status === 'rejected' ? [o.reason as unknown] : [],
    );
    if (failures.length > 0) {
      body.destroy();
      // The verifier's verdict (digest, size, quota) is the reason; a premature close follows from it.
      throw failures.find((f) => f instanceof StrataError) ?? failures[0];
    }
    if (this.usage.has(tenant)) this.adjustUsage(tenant, verifier.bytes);
    else await this.usedBytes(tenant);
    return { size: verifier.bytes, created: true };
  }

  /**
   * Starts the tenant's direct upload of a blob of `size` bytes, or resumes the one in progress
   * (the parts already reported are not asked for again): presigned part URLs valid for
   * `expiresInSeconds`. Null when the bucket takes no direct uploads or the blob is small enough
   * (or, beyond one CopyObject, large enough) to go through the gateway; `exists` when the tenant
   * holds it. A size beyond the quota's room is refused (413) before anything starts.
   */
  async directUpload(
    tenant: string,
    digest: BlobDigest,
    size: number,
    quotaBytes: number,
    expiresInSeconds: number,
  ): Promise<DirectUpload | { exists: true } | null> {
    const multipart = this.bucket.multipart;
    const minBytes = this.options.directMinBytes ?? DIRECT_MIN_BYTES;
    if (!multipart || size < minBytes || size > multipart.maxCopyBytes) return null;
    if ((await this.blobSize(tenant, digest)) !== null) return { exists: true };
    await this.checkRoom(tenant, size, quotaBytes);
    let ledger = await readLedger(this.bucket, tenant, digest);
    if (ledger && ledger.size !== size) {
      // Another size for the same digest: one of the two is wrong; start over with this one.
      await dropUpload(this.bucket, tenant, digest, ledger);
      ledger = null;
    }
    if (!ledger) {
      const partSize = Math.max(
        this.options.directPartBytes ?? DIRECT_PART_BYTES,
        Math.ceil(size / MAX_PARTS),
      );
      ledger = {
        uploadId: await multipart.create(uploadKeys.data(tenant, digest)),
        size,
        partSize,
        startedAt: new Date().toISOString(),
      };
      await writeLedger(this.bucket, tenant, digest, ledger);
    }
    const done = new Set(
      (await reportedParts(this.bucket, tenant, digest)).map((p) => p.partNumber),
    );
    const parts: UploadPartLocation[] = [];
    const uploaded: DirectUpload['uploaded'] = [];
    for (let n = 1; n <= partCount(size, ledger.partSize); n++) {
      const partBytes = partSizeOf(ledger, n);
      if (done.has(n)) uploaded.push({ partNumber: n, size: partBytes });
      else
        parts.push({
          partNumber: n,
          size: partBytes,
          url: await multipart.presignPart(
            uploadKeys.data(tenant, digest),
            ledger.uploadId,
            n,
            expiresInSeconds,
          ),
        });
    }
    return {
      uploadId: ledger.uploadId,
      partSize: ledger.partSize,
      parts,
      uploaded,
      expiresAt: new Date(Date.now() + expiresInSeconds * 1000).toISOString(),
    };
  }

  /** Records that part `partNumber` of the tenant's direct upload reached S3 with `etag`. */
  async reportUploadedPart(
    tenant: string,
    digest: BlobDigest,
    uploadId: string,
    partNumber: number,
    etag: string,
  ): Promise<void> {
    const ledger = await this.ledgerOf(tenant, digest, uploadId);
    if (
      !Number.isInteger(partNumber) ||
      partNumber < 1 ||
      partNumber > partCount(ledger.size, ledger.partSize)
    )
      throw new StrataError(
        'validation_failed',
        `upload ${uploadId} has parts 1 to ${partCount(ledger.size, ledger.partSize)}`,
        [{ path: 'partNumber', message: 'out of range' }],
      );
    await reportPart(this.bucket, tenant, digest, { partNumber, etag: normalizeEtag(etag) });
  }

  /**
   * Completes the tenant's direct upload into its staging object, hashes that object as it streams
   * back from the bucket and copies it to the blob's key only when its sha256 and size are the
   * digest's and the quota has room: a mismatch deletes the staged bytes and answers 400
   * (`digest_mismatch`), so a blob key never holds bytes that were not checked.
   */
  async completeDirectUpload(
    tenant: string,
    digest: BlobDigest,
    uploadId: string,
    quotaBytes: number,
  ): Promise<{ size: number; created: boolean }> {
    const multipart = this.bucket.multipart;
    if (!multipart) throw new StrataError('not_found', `no upload ${uploadId} of blob ${digest}`);
    const ledger = await this.ledgerOf(tenant, digest, uploadId);
    const existing = await this.blobSize(tenant, digest);
    if (existing !== null) {
      await dropUpload(this.bucket, tenant, digest, ledger);
      return { size: existing, created: false };
    }
    const staged = uploadKeys.data(tenant, digest);
    // A completion interrupted after S3 joined the parts finds them joined already.
    if (!(await this.bucket.exists(staged))) {
      const parts = await reportedParts(this.bucket, tenant, digest);
      const reported = new Set(parts.map((p) => p.partNumber));
      const missing: number[] = [];
      for (let n = 1; n <= partCount(ledger.size, ledger.partSize); n++)
        if (!reported.has(n)) missing.push(n);
      if (missing.length > 0)
        throw new StrataError(
          'bad_request',
          `${missing.length} part(s) of upload ${uploadId} were not reported; send them first`,
          missing.map((n) => ({ path: 'parts', message: String(n) })),
          { reason: PARTS_MISSING_REASON },
        );
      try {
        await multipart.complete(staged, uploadId, parts);
      } catch (error) {
        if (error instanceof StrataError && error.code === 'bad_request')
          await dropUpload(this.bucket, tenant, digest, ledger);
        throw error;
      }
    }
    try {
      const verifier = new DigestVerifier(digest, ledger.size, ledger.size);
      await pipeline(
        await this.bucket.get(staged),
        verifier,
        new Writable({ write: (_chunk, _encoding, done) => done() }),
      );
      await this.checkRoom(tenant, ledger.size, quotaBytes);
    } catch (error) {
      if (error instanceof StrataError && error.code !== 'unavailable')
        await dropUpload(this.bucket, tenant, digest, ledger);
      throw error;
    }
    await multipart.copy(staged, modelKeys.blob(tenant, digest));
    await dropUpload(this.bucket, tenant, digest, null);
    if (this.usage.has(tenant)) this.adjustUsage(tenant, ledger.size);
    else await this.usedBytes(tenant);
    return { size: ledger.size, created: true };
  }

  /** The manifest's stored bytes. */
  async readManifest(tenant: string, repo: string, name: string, version: string): Promise<Buffer> {
    try {
      return await readAll(await this.bucket.get(modelKeys.manifest(tenant, repo, name, version)));
    } catch (error) {
      if (isObjectNotFound(error))
        throw new StrataError('not_found', `no version ${version} of ${repo}/${name}`);
      throw error;
    }
  }

  /**
   * Validates and stores a manifest, last in a push: refused with the digests of every blob the
   * tenant does not hold, so a visible manifest never names a missing blob.
   */
  async writeManifest(
    tenant: string,
    repo: string,
    name: string,
    version: string,
    raw: Buffer,
  ): Promise<ModelIndexEntry> {
    if (raw.length > MAX_MANIFEST_BYTES)
      throw new StrataError(
        'payload_too_large',
        `a manifest is at most ${MAX_MANIFEST_BYTES} bytes`,
      );
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new StrataError('bad_request', 'the manifest is not JSON');
    }
    const result = ModelManifest.safeParse(parsed);
    if (!result.success)
      throw new StrataError(
        'validation_failed',
        'the manifest is not a model manifest',
        result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      );
    const manifest = result.data;
    return this.options.lock.run(tenant, async () => {
      const wanted = [manifest.config, ...manifest.blobs].flatMap(blobsOf);
      const missing: BlobDigest[] = [];
      for (const blob of wanted) {
        const size = await this.blobSize(tenant, blob.digest);
        if (size === null || size !== blob.size) missing.push(blob.digest);
      }
      if (missing.length > 0)
        throw new StrataError(
          'bad_request',
          `${missing.length} blob(s) of the manifest are not stored; push them first`,
          [...new Set(missing)].map((digest) => ({ path: 'missing', message: digest })),
          { reason: BLOBS_MISSING_REASON },
        );
      await this.bucket.put(modelKeys.manifest(tenant, repo, name, version), raw);
      return {
        name: version,
        digest: `sha256:${createHash('sha256').update(raw).digest('hex')}`,
        size: raw.length,
        modified: new Date().toISOString(),
      };
    });
  }

  /** Deletes a version, then collects the blobs no manifest of the tenant names any more. */
  async deleteManifest(
    tenant: string,
    repo: string,
    name: string,
    version: string,
  ): Promise<number> {
    const key = modelKeys.manifest(tenant, repo, name, version);
    if (!(await this.bucket.exists(key)))
      throw new StrataError('not_found', `no version ${version} of ${repo}/${name}`);
    await this.bucket.delete(key);
    return this.collectGarbage(tenant);
  }

  /** Deletes every version of a model, then collects garbage. */
  async deleteModel(tenant: string, repo: string, name: string): Promise<number> {
    for await (const key of this.bucket.list(modelKeys.modelDir(tenant, repo, name)))
      if (!key.endsWith('/')) await this.bucket.delete(key);
    return this.collectGarbage(tenant);
  }

  /** The versions of a model, oldest push first. */
  async modelIndex(tenant: string, repo: string, name: string): Promise<ModelIndex> {
    const manifests: ModelIndexEntry[] = [];
    for await (const key of this.bucket.list(modelKeys.modelDir(tenant, repo, name))) {
      if (key.endsWith('/')) continue;
      const [attributes, bytes] = await Promise.all([
        this.bucket.attributes(key),
        this.bucket.get(key).then(readAll),
      ]);
      manifests.push(entry(key.slice(key.lastIndexOf('/') + 1), bytes, attributes));
    }
    manifests.sort((a, b) => a.modified.localeCompare(b.modified) || a.name.localeCompare(b.name));
    return { schemaVersion: 1, manifests };
  }

  /** The tenant's models as `repo/name`. */
  async models(tenant: string): Promise<ModelRef[]> {
    const refs: ModelRef[] = [];
    const root = modelKeys.manifestsDir(tenant) + '/';
    for await (const repoDir of this.bucket.list(root)) {
      if (!repoDir.endsWith('/')) continue;
      for await (const modelDir of this.bucket.list(repoDir)) {
        if (!modelDir.endsWith('/')) continue;
        const [repo, name] = modelDir.slice(root.length, -1).split('/');
        refs.push({ repo, name });
      }
    }
    return refs;
  }

  /** Bytes the tenant's blobs take, each digest counted once. */
  async usedBytes(tenant: string): Promise<number> {
    let cached = this.usage.get(tenant);
    // Other replicas and the model-registry service's sweeps change the tenant's blobs too.
    if (!cached || Date.now() - (this.countedAt.get(tenant) ?? 0) > USAGE_RECOUNT_MS) {
      cached = this.countBytes(tenant).then((bytes) => this.report(tenant, bytes));
      this.usage.set(tenant, cached);
      this.countedAt.set(tenant, Date.now());
      cached.catch(() => this.usage.delete(tenant));
    }
    return cached;
  }

  /** Has the tenant's unreferenced blobs collected; the number deleted. */
  async collectGarbage(tenant: string): Promise<number> {
    const { deletedBlobs, freedBytes } = await this.options.collect(tenant);
    this.adjustUsage(tenant, -freedBytes);
    return deletedBlobs;
  }

  private async roomOf(tenant: string, quotaBytes: number): Promise<number> {
    return quotaBytes > 0 ? quotaBytes - (await this.usedBytes(tenant)) : Number.MAX_SAFE_INTEGER;
  }

  private async checkRoom(tenant: string, bytes: number, quotaBytes: number): Promise<void> {
    const room = await this.roomOf(tenant, quotaBytes);
    if (bytes > room) throw quotaExceeded(tenant, bytes, room);
  }

  /** The ledger of the tenant's upload `uploadId`; another tenant's id is as unknown as a made-up one. */
  private async ledgerOf(
    tenant: string,
    digest: BlobDigest,
    uploadId: string,
  ): Promise<UploadLedger> {
    const ledger = await readLedger(this.bucket, tenant, digest);
    if (!ledger || ledger.uploadId !== uploadId)
      throw new StrataError('not_found', `no upload ${uploadId} of blob ${digest}`);
    return ledger;
  }

  private async countBytes(tenant: string): Promise<number> {
    let total = 0;
    for await (const key of this.bucket.list(modelKeys.blobsDir(tenant)))
      total += (await this.bucket.attributes(key).catch(() => ({ size: 0 }))).size;
    return total;
  }

  private adjustUsage(tenant: string, delta: number): void {
    const cached = this.usage.get(tenant);
    if (cached)
      this.usage.set(
        tenant,
        cached.then((bytes) => this.report(tenant, Math.max(0, bytes + delta))),
      );
  }

  private report(tenant: string, bytes: number): number {
    this.options.onUsage?.(tenant, bytes);
    return bytes;
  }
}

function partSizeOf(ledger: UploadLedger, partNumber: number): number {
  return Math.min(ledger.partSize, ledger.size - (partNumber - 1) * ledger.partSize);
}

function entry(version: string, bytes: Buffer, attributes: ObjectAttributes): ModelIndexEntry {
  return {
    name: version,
    digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
    size: bytes.length,
    modified: attributes.lastModified.toISOString(),
  };
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function blobNotFound(digest: BlobDigest): StrataError {
  return new StrataError('not_found', `blob ${digest} not found`);
}

function quotaExceeded(tenant: string, bytes: number, room: number): StrataError {
  return new StrataError(
    'payload_too_large',
    `storing ${bytes} bytes would exceed tenant ${tenant}'s modelStorageBytes quota (${Math.max(room, 0)} bytes left)`,
    undefined,
    { reason: 'model_storage_bytes' },
  );
}
