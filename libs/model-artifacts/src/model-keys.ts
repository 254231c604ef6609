import { type BlobDigest } from '@strata/contracts';

/**
 * The bucket layout of model artifacts. Every key starts with the tenant, so one tenant's blobs
 * are never another's: the same bytes pushed by two tenants are two objects, and a digest tells
 * nothing about what another tenant holds.
 *
 * - `models/<tenant>/blobs/sha256/<hex>`: a verified blob (written only once its digest matched)
 * - `models/<tenant>/manifests/<repo>/<name>/<version>`: a manifest, written after all its blobs
 * - `models/<tenant>/uploads/<hex>/…`: a direct (presigned multipart) upload of the blob `<hex>`
 *   in progress: its ledger, the parts the client reported and, once completed, the staged bytes,
 *   copied to the blob key only after their sha256 matched
 */
export const modelKeys = {
  root: 'models',
  tenantRoot: (tenant: string) => `models/${tenant}`,
  blobsDir: (tenant: string) => `models/${tenant}/blobs/sha256`,
  blob: (tenant: string, digest: BlobDigest) =>
    `models/${tenant}/blobs/sha256/${digest.slice('sha256:'.length)}`,
  manifestsDir: (tenant: string) => `models/${tenant}/manifests`,
  modelDir: (tenant: string, repo: string, name: string) =>
    `models/${tenant}/manifests/${repo}/${name}`,
  manifest: (tenant: string, repo: string, name: string, version: string) =>
    `models/${tenant}/manifests/${repo}/${name}/${version}`,
  uploadsDir: (tenant: string) => `models/${tenant}/uploads`,
  uploadDir: (tenant: string, digest: BlobDigest) =>
    `models/${tenant}/uploads/${digest.slice('sha256:'.length)}`,
};

/** The digest of a blob key listed under `blobsDir`. */
export function digestOfBlobKey(key: string): BlobDigest {
  return `sha256:${key.slice(key.lastIndexOf('/') + 1)}`;
}
