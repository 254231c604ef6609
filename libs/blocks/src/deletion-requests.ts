import { ulid as newUlid } from 'ulid';
import { StrataError } from '@strata/contracts';
import { type Bucket, isObjectNotFound } from '@strata/objstore';
import { z } from 'zod';
import { readObject } from './read-meta';

/** Folder of a tenant's deletion requests in the bucket: `<tenant>/tombstones/<id>.json`. */
export const TOMBSTONES_DIR = 'tombstones';

/**
 * A request to delete a tenant's samples (Prometheus' `delete_series`, stored as a tombstone file
 * as Thanos' tombstones proposal does): series matching any selector lose their samples in
 * [minTime, maxTime], at query time at once and in the blocks once the compactor rewrote them.
 */
export const deletionRequestSchema = z
  .object({
    id: z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'not a ULID'),
    tenant: z.string(),
    /** Series selectors as given in `match[]`; a series matching any of them is deleted. */
    selectors: z.array(z.string()).min(1),
    /** Both ends inclusive, ms. */
    minTime: z.number().int(),
    maxTime: z.number().int(),
    /** Who asked (the caller's principal) and when (ms). */
    requestedBy: z.string(),
    requestedAt: z.number().int(),
    state: z.enum(['pending', 'applied']),
    /** When the compactor found no block left holding the deleted samples (ms). */
    appliedAt: z.number().int().optional(),
    /** Blocks the compactor wrote without the deleted samples. */
    rewrittenBlocks: z.array(z.string()).default([]),
  })
  .passthrough();

/** A parsed deletion request. */
export type DeletionRequest = z.infer<typeof deletionRequestSchema>;

/** The key of a deletion request's file. */
export function deletionRequestKey(tenant: string, id: string): string {
  return `${tenant}/${TOMBSTONES_DIR}/${id}.json`;
}

/** A new pending deletion request (not stored yet). */
export function newDeletionRequest(args: {
  tenant: string;
  selectors: readonly string[];
  minTime: number;
  maxTime: number;
  requestedBy: string;
  nowMs: number;
}): DeletionRequest {
  return {
    id: newUlid(args.nowMs),
    tenant: args.tenant,
    selectors: [...args.selectors],
    minTime: args.minTime,
    maxTime: args.maxTime,
    requestedBy: args.requestedBy,
    requestedAt: args.nowMs,
    state: 'pending',
    rewrittenBlocks: [],
  };
}

/** Stores (or replaces) a deletion request; one object put, so readers see the old or the new. */
export async function putDeletionRequest(bucket: Bucket, request: DeletionRequest): Promise<void> {
  await bucket.put(
    deletionRequestKey(request.tenant, request.id),
    `${JSON.stringify(request, null, '\t')}\n`,
  );
}

/** Parses a deletion request file; one that names another tenant or id is refused. */
export function parseDeletionRequest(
  bytes: Uint8Array | string,
  tenant: string,
  id: string,
): DeletionRequest {
  const text = typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new StrataError(
      'validation_failed',
      `${deletionRequestKey(tenant, id)}: not JSON: ${(e as Error).message}`,
    );
  }
  const parsed = deletionRequestSchema.safeParse(json);
  if (!parsed.success)
    throw new StrataError(
      'validation_failed',
      `${deletionRequestKey(tenant, id)}: ${parsed.error.issues[0].message}`,
    );
  if (parsed.data.tenant !== tenant || parsed.data.id !== id)
    throw new StrataError(
      'validation_failed',
      `${deletionRequestKey(tenant, id)} names ${parsed.data.tenant}/${parsed.data.id}`,
    );
  return parsed.data;
}

/** Ids of a tenant's deletion requests, oldest first (one listing, nothing read). */
export async function listDeletionRequestIds(bucket: Bucket, tenant: string): Promise<string[]> {
  const ids: string[] = [];
  const prefix = `${tenant}/${TOMBSTONES_DIR}/`;
  for await (const key of bucket.list(`${tenant}/${TOMBSTONES_DIR}`)) {
    const name = key.startsWith(prefix) ? key.slice(prefix.length) : '';
    if (name.endsWith('.json')) ids.push(name.slice(0, -'.json'.length));
  }
  return ids.sort();
}

/** Reads one deletion request, or null when it is not there. */
export async function readDeletionRequest(
  bucket: Bucket,
  tenant: string,
  id: string,
): Promise<DeletionRequest | null> {
  try {
    return parseDeletionRequest(
      await readObject(bucket, deletionRequestKey(tenant, id)),
      tenant,
      id,
    );
  } catch (e) {
    if (isObjectNotFound(e)) return null;
    throw e;
  }
}

/** A tenant's deletion requests, oldest first. */
export async function listDeletionRequests(
  bucket: Bucket,
  tenant: string,
): Promise<DeletionRequest[]> {
  const out: DeletionRequest[] = [];
  for (const id of await listDeletionRequestIds(bucket, tenant)) {
    const r = await readDeletionRequest(bucket, tenant, id);
    if (r !== null) out.push(r);
  }
  return out;
}
