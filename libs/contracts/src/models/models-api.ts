import { z } from 'zod';
import { tenantKeyToken } from '../subjects';

/** Subjects of the model-registry service. */
export const ModelsSubjects = {
  /**
   * Collect a tenant's unreferenced model blobs (request/reply, one replica answers): the gateway
   * asks after deleting a version; the service sweeps under the tenant's lock.
   */
  collectGarbage: 'strata.models.gc.v1',
} as const;

/** Asks the model-registry service to collect one tenant's garbage. */
export const CollectModelGarbageRequest = z.object({ tenant: z.string().min(1) });
/** Asks the model-registry service to collect one tenant's garbage. */
export type CollectModelGarbageRequest = z.infer<typeof CollectModelGarbageRequest>;

/** What a collection removed. */
export interface CollectModelGarbageReply {
  deletedBlobs: number;
  freedBytes: number;
  /** Direct uploads dropped because nothing was written to them for the upload grace period. */
  abortedUploads?: number;
}

/** Key of a tenant's model lock in `KvBuckets.modelLocks`: hex, since tenant ids may hold characters KV keys refuse. */
export function modelLockKey(tenant: string): string {
  return `t${tenantKeyToken(tenant)}`;
}
