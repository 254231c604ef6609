import { type Bucket } from '@strata/objstore';

/** How registry webhooks are retried. */
export interface WebhookDeliveryOptions {
  /** POSTs of one event to one subscription before it is given up. */
  attempts: number;
  /** Wait after the first failure; each next one doubles, up to `maxRetryMs`. */
  firstRetryMs: number;
  maxRetryMs: number;
  /** One POST's limit, response included. */
  timeoutMs: number;
  /** Whether webhooks may reach loopback, private and link-local addresses (MLflow refuses them). */
  allowPrivateAddresses: boolean;
}

/** Six attempts over about a minute, as long as a receiver's restart usually takes. */
export const DEFAULT_WEBHOOK_DELIVERY: WebhookDeliveryOptions = {
  attempts: 6,
  firstRetryMs: 2_000,
  maxRetryMs: 30_000,
  timeoutMs: 10_000,
  allowPrivateAddresses: false,
};

/** What the model-registry service works on. */
export interface ModelRegistryOptions {
  /** The bucket model artifacts live in (the platform's). */
  bucket: Bucket;
  /** Unreferenced blobs younger than this are kept: a push in flight may be about to name them. */
  gcGraceMs: number;
  /** Direct uploads nothing was written to for this long are aborted (a day when absent). */
  uploadGraceMs?: number;
  /** Time between sweeps over every tenant with model artifacts. */
  sweepEveryMs: number;
  /** Whether the service closes the bucket when it stops (it opened it). */
  ownsBucket: boolean;
  /** Retries of registry webhooks. */
  webhooks: WebhookDeliveryOptions;
}

/** Injection token of the service's `ModelRegistryOptions`. */
export const MODEL_REGISTRY_OPTIONS = Symbol('MODEL_REGISTRY_OPTIONS');
