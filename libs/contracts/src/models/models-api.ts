import { z } from 'zod';
import { tenantKeyToken } from '../subjects';

/** Subjects of the model-registry service. */
export const ModelsSubjects = {
  /**
   * Collect a tenant's unreferenced model blobs (request/reply, one replica answers): the gateway
   * asks after deleting a version; the service sweeps under the tenant's lock.
   */
  collectGarbage: 'strata.models.gc.v1',
  /** Send a sample event to one registry webhook now and answer the receiver's status (request/reply). */
  testWebhook: 'strata.models.webhooks.test.v1',
  /** The last deliveries of one registry webhook (request/reply). */
  webhookDeliveries: 'strata.models.webhooks.deliveries.v1',
} as const;

/** Names one registry webhook of a tenant (its test and its delivery history). */
export const RegistryWebhookRef = z
  .object({
    tenantId: z.string().min(1),
    name: z.string().min(1).max(63),
    /** Test only: the event whose sample is sent; the subscription's first event when absent. */
    event: z.string().min(1).max(100).optional(),
  })
  .strict();
/** Names one registry webhook of a tenant (its test and its delivery history). */
export type RegistryWebhookRef = z.infer<typeof RegistryWebhookRef>;

/** MLflow's `WebhookTestResult`: how the receiver answered a test delivery. */
export interface RegistryWebhookTestResult {
  success: boolean;
  response_status: number | null;
  response_body: string | null;
  error_message: string | null;
}

/** How one delivery of an event (or a test) to one webhook ended, as its history keeps it. */
export interface RegistryWebhookDelivery {
  deliveryId: string;
  event: string;
  /** delivered: a 2xx; failed: retries ran out; refused: a final non-2xx or a refused address. */
  status: 'delivered' | 'failed' | 'refused';
  attempts: number;
  /** The receiver's last HTTP status, null when none answered. */
  responseStatus: number | null;
  error: string | null;
  /** When the last attempt ended (ISO 8601). */
  at: string;
  test: boolean;
}

/** How many deliveries each webhook's history keeps. */
export const WEBHOOK_DELIVERY_HISTORY = 50;

/** Key of a webhook's history in `KvBuckets.modelWebhookDeliveries`. */
export function modelWebhookDeliveriesKey(tenant: string, webhook: string): string {
  return `t${tenantKeyToken(tenant)}.${webhook}`;
}

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
