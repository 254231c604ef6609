import { Inject, Injectable } from '@nestjs/common';
import {
  KV,
  type KvBucket,
  KvKeyExistsError,
  type KvProvider,
  KvRevisionConflictError,
} from '@strata/bus';
import {
  KvBuckets,
  modelWebhookDeliveriesKey,
  type RegistryWebhookDelivery,
  WEBHOOK_DELIVERY_HISTORY,
} from '@strata/contracts';

const WRITE_ATTEMPTS = 20;

/**
 * The last deliveries of each registry webhook, newest first, in NATS KV so every replica of the
 * service adds to and reads the same history and a restart keeps it. Each webhook's list is one
 * key written with compare-and-set, so two replicas recording at once both land.
 */
@Injectable()
export class WebhookDeliveryLog {
  private bucket: Promise<KvBucket> | null = null;

  constructor(@Inject(KV) private readonly kv: KvProvider) {}

  /** Adds one delivery to its webhook's history, dropping the oldest beyond the limit. */
  async record(
    tenantId: string,
    webhook: string,
    delivery: RegistryWebhookDelivery,
  ): Promise<void> {
    const bucket = await this.open();
    const key = modelWebhookDeliveriesKey(tenantId, webhook);
    for (let attempt = 1; ; attempt++) {
      const current = await bucket.get(key);
      const next = [delivery, ...(current?.json<RegistryWebhookDelivery[]>() ?? [])].slice(
        0,
        WEBHOOK_DELIVERY_HISTORY,
      );
      try {
        if (current) await bucket.update(key, next, current.revision);
        else await bucket.create(key, next);
        return;
      } catch (error) {
        const raced = error instanceof KvKeyExistsError || error instanceof KvRevisionConflictError;
        if (!raced || attempt >= WRITE_ATTEMPTS) throw error;
      }
    }
  }

  /** A webhook's last deliveries, newest first. */
  async list(tenantId: string, webhook: string): Promise<RegistryWebhookDelivery[]> {
    const value = await (await this.open()).get(modelWebhookDeliveriesKey(tenantId, webhook));
    return value?.json<RegistryWebhookDelivery[]>() ?? [];
  }

  private open(): Promise<KvBucket> {
    this.bucket ??= this.kv.openKv(KvBuckets.modelWebhookDeliveries, { history: 1 });
    // A failed open is tried again on the next call rather than kept.
    this.bucket.catch(() => (this.bucket = null));
    return this.bucket;
  }
}
