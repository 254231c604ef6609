import { z } from 'zod';

/** Where the model artifact protocol lives on the gateway (modelx's routes under this prefix). */
export const MODELS_API_PREFIX = 'models/v1';

/** Largest manifest body the registry accepts; a model with more blobs than fit is abuse. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/** Media type of a model directory packed as a gzipped tar (a top-level directory of the model). */
export const MODEL_DIR_MEDIA_TYPE = 'application/vnd.strata.model.dir.tar+gzip';
/** Media type of one top-level file of a model, stored as its bytes. */
export const MODEL_FILE_MEDIA_TYPE = 'application/vnd.strata.model.file';
/** Media type of `modelx.yaml`, the model's description, kept as the manifest's config. */
export const MODEL_CONFIG_MEDIA_TYPE = 'application/vnd.strata.model.config.v1+yaml';
/** Media type of a manifest. */
export const MODEL_MANIFEST_MEDIA_TYPE = 'application/vnd.strata.model.manifest.v1+json';

/** A blob's content address: `sha256:` and 64 lower-case hex digits. */
export const BlobDigest = z
  .string()
  .regex(/^sha256:[0-9a-f]{64}$/, 'must be sha256: followed by 64 lower-case hex digits');
export type BlobDigest = z.infer<typeof BlobDigest>;

/**
 * A repository or model name: lower-case letters, digits and `._-`, starting with a letter or
 * digit, so no name can be `.`, `..` or hold a `/` and climb out of its place in the bucket.
 */
export const ModelPathSegment = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9._-]{0,127}$/,
    'must be 1-128 of a-z 0-9 . _ -, starting with a-z or 0-9',
  );

/** A version name (modelx's tag): letters, digits and `._-`, starting with a letter or digit. */
export const ModelVersionName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'must be 1-128 of A-Z a-z 0-9 . _ -');

/** A name inside a model directory: one path segment, never `.` or `..`. */
const EntryName = z
  .string()
  .min(1)
  .max(255)
  .refine(
    (n) => !n.includes('/') && !n.includes('\\') && !n.includes('\0'),
    'must be one path segment',
  )
  .refine((n) => n !== '.' && n !== '..', 'must not be . or ..');

/** One part blob of a large file. */
export const BlobPart = z
  .object({ digest: BlobDigest, size: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER) })
  .strict();
export type BlobPart = z.infer<typeof BlobPart>;

/** The blobs a descriptor stands for: its parts, or itself. */
export function blobsOf(descriptor: {
  digest: BlobDigest;
  size: number;
  parts?: BlobPart[];
}): BlobPart[] {
  return descriptor.parts ?? [{ digest: descriptor.digest, size: descriptor.size }];
}

/** One blob of a manifest: what it is in the model directory and its content address. */
export const ModelBlobDescriptor = z
  .object({
    /** The top-level file or directory of the model this blob holds. */
    name: EntryName,
    mediaType: z.string().min(1).max(255),
    digest: BlobDigest,
    size: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    /** Unix permission bits of the file or directory. */
    mode: z.number().int().nonnegative().max(0o7777).optional(),
    /** Last modification, RFC 3339. */
    modtime: z.string().max(64).optional(),
    /**
     * A large file stored as consecutive part blobs (their bytes concatenated are the file, whose
     * sha256 is `digest`): each part is pushed, skipped when present, and pulled on its own, so an
     * interrupted transfer resumes at the first missing part and a changed region moves alone.
     */
    parts: z.array(BlobPart).max(100_000).optional(),
  })
  .strict()
  .refine((d) => d.parts === undefined || d.parts.reduce((sum, p) => sum + p.size, 0) === d.size, {
    message: 'the sizes of the parts must add up to size',
    path: ['parts'],
  });
export type ModelBlobDescriptor = z.infer<typeof ModelBlobDescriptor>;

/** A model version: its config (`modelx.yaml`) and its blobs, each named by digest. */
export const ModelManifest = z
  .object({
    schemaVersion: z.literal(1),
    mediaType: z.literal(MODEL_MANIFEST_MEDIA_TYPE),
    config: ModelBlobDescriptor,
    blobs: z.array(ModelBlobDescriptor).max(100_000),
    annotations: z.record(z.string().max(4096)).optional(),
  })
  .strict()
  .superRefine((m, ctx) => {
    const names = new Set<string>();
    for (const [i, blob] of m.blobs.entries()) {
      if (names.has(blob.name))
        ctx.addIssue({ code: 'custom', path: ['blobs', i, 'name'], message: 'duplicate name' });
      names.add(blob.name);
    }
  });
export type ModelManifest = z.infer<typeof ModelManifest>;

/** One version in a model's index. */
export interface ModelIndexEntry {
  name: string;
  /** Digest of the manifest's bytes as stored. */
  digest: BlobDigest;
  size: number;
  /** When the version was pushed, RFC 3339. */
  modified: string;
}

/** The versions of one model (`GET /{repo}/{name}/index`) or the models of the tenant (`GET /`). */
export interface ModelIndex {
  schemaVersion: 1;
  manifests: ModelIndexEntry[];
}

/** The `reason` of a manifest PUT refused because blobs are absent; `fields` name each missing digest. */
export const BLOBS_MISSING_REASON = 'blobs_missing';

/** One part of a direct upload still to send: PUT its bytes to `url` (presigned, no credentials). */
export interface UploadPartLocation {
  partNumber: number;
  /** Bytes of the blob from `(partNumber - 1) × partSize`. */
  size: number;
  url: string;
}

/**
 * A direct upload of a blob into S3, through presigned multipart part URLs. After each part the
 * client reports the ETag S3 answered (`report`), and once every part is in, asks the gateway to
 * `complete`: the gateway joins the parts into a staging object, checks its sha256 and only then
 * copies it to the blob's key (a mismatch is 400 `digest_mismatch` and nothing is kept).
 */
export interface MultipartUploadLocation {
  uploadId: string;
  partSize: number;
  /** Parts still to send (all of them on a fresh upload), each with its presigned URL. */
  parts: UploadPartLocation[];
  /** Parts already reported, which a resumed upload does not send again. */
  uploaded: Array<{ partNumber: number; size: number }>;
  /** `PUT` here (the gateway, with the key) `{"etag": "…"}` after part N: `{report}/N`. */
  report: string;
  /** `POST` here (the gateway, with the key) once every part is in. */
  complete: string;
}

/** Where to send or fetch a blob's bytes (`locations/{upload|download}`). */
export interface BlobLocation {
  /**
   * `PUT`/`GET` here: an absolute presigned URL when the bucket is S3 (for a direct upload, the
   * first part still to send), else the gateway's own.
   */
  url: string;
  method: 'GET' | 'PUT';
  /** True when the URL is presigned and needs no credentials. */
  presigned: boolean;
  /** When a presigned URL stops working, RFC 3339. */
  expiresAt?: string;
  /** An upload the tenant does not need: it already holds the blob. */
  exists?: boolean;
  /** A direct upload (S3 and `?size=` given): every part's URL; `url` alone is not enough. */
  multipart?: MultipartUploadLocation;
}

/** The `reason` of a direct upload completed before every part was reported; `fields` name them. */
export const PARTS_MISSING_REASON = 'parts_missing';

/**
 * Content type of a streamed blob PUT: the gateway hands the body to the route unread.
 * (`application/octet-stream` also works but is buffered up to the gateway's body limit.)
 */
export const MODEL_BLOB_UPLOAD_TYPE = 'application/vnd.strata.model.blob';
