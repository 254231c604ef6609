import { Inject, Injectable } from '@nestjs/common';
import { BUS, type Bus } from '@strata/bus';
import {
  EVENT_BATCH_HEADER,
  type EventBatchAccepted,
  type EventBatchMeta,
  EventsSubjects,
  StrataError,
} from '@strata/contracts';
import { TokenBuckets } from '@strata/service-kit';
import { EventsReplicas } from '../control/events-replicas';
import { TenantDirectory } from '../control/tenant-directory';
import { EventsMetrics } from '../events-metrics';

/**
 * Admits accepted batches under the tenant's events rate, then stores them in `STRATA_EVENTS`,
 * one message per batch (chunked by the bus when large): the body as the gateway received it,
 * its metadata in a header. A batch over the rate is refused whole; each of N replicas admits
 * 1/N of the tenant's rate and burst ({@link EventsReplicas}).
 */
@Injectable()
export class BatchIngest {
  private readonly buckets = new TokenBuckets();

  constructor(
    @Inject(BUS) private readonly bus: Bus,
    private readonly directory: TenantDirectory,
    private readonly metrics: EventsMetrics,
    private readonly replicas: EventsReplicas,
  ) {}

  /** Resolves once JetStream stored the whole batch; a retried batch (same id) is stored once. */
  async store(meta: EventBatchMeta, body: Uint8Array): Promise<EventBatchAccepted> {
    const n = meta.count;
    const quota = await this.directory.quota(meta.tenantId);
    const rate = quota.eventsRatePerSecond;
    if (rate > 0) {
      const burst = quota.eventsBurst > 0 ? quota.eventsBurst : Math.ceil(rate);
      // This replica's share: requests reach the replicas at random, so N shares make the whole.
      // A batch the tenant's whole burst allows always fits one share, or it could never pass.
      const replicas = this.replicas.count();
      const share = Math.max(Math.ceil(burst / replicas), Math.min(burst, n));
      const taken = this.buckets.take(meta.tenantId, n, rate / replicas, share);
      if (!taken.ok) {
        this.metrics.throttled(meta.tenantId, meta.kind, n);
        throw new StrataError(
          'rate_limited',
          `tenant ${meta.tenantId} exceeds its events rate of ${rate}/s (burst ${burst}); this batch has ${n}`,
          undefined,
          { reason: 'events_rate', retryAfterSeconds: taken.retryAfterSeconds },
        );
      }
    }
    try {
      const ack = await this.bus.publish(EventsSubjects.batches(meta.kind), body, {
        msgId: meta.batchId,
        headers: { [EVENT_BATCH_HEADER]: JSON.stringify(meta) },
      });
      if (!ack.duplicate) this.metrics.received(meta.tenantId, meta.kind, n);
      return { accepted: n, duplicate: ack.duplicate };
    } catch (error) {
      // Nothing was stored: the tenant keeps what it paid for.
      if (rate > 0) this.buckets.refund(meta.tenantId, n);
      throw error;
    }
  }
}
