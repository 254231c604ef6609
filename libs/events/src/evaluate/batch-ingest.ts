import { Inject, Injectable } from '@nestjs/common';
import { BUS, type Bus } from '@strata/bus';
import {
  type EventBatch,
  type EventBatchAccepted,
  EventsSubjects,
  StrataError,
} from '@strata/contracts';
import { TokenBuckets } from '@strata/service-kit';
import { TenantDirectory } from '../control/tenant-directory';
import { EventsMetrics } from '../events-metrics';

/**
 * Admits accepted batches under the tenant's events rate, then stores them in `STRATA_EVENTS`,
 * one message per batch (chunked by the bus when large). A batch over the rate is refused whole.
 */
@Injectable()
export class BatchIngest {
  private readonly buckets = new TokenBuckets();

  constructor(
    @Inject(BUS) private readonly bus: Bus,
    private readonly directory: TenantDirectory,
    private readonly metrics: EventsMetrics,
  ) {}

  /** Resolves once JetStream stored the whole batch; a retried batch (same id) is stored once. */
  async store(batch: EventBatch): Promise<EventBatchAccepted> {
    const n = batch.items.length;
    const quota = await this.directory.quota(batch.tenantId);
    const rate = quota.eventsRatePerSecond;
    if (rate > 0) {
      const burst = quota.eventsBurst > 0 ? quota.eventsBurst : Math.ceil(rate);
      const taken = this.buckets.take(batch.tenantId, n, rate, burst);
      if (!taken.ok) {
        this.metrics.throttled(batch.tenantId, batch.kind, n);
        throw new StrataError(
          'rate_limited',
          `tenant ${batch.tenantId} exceeds its events rate of ${rate}/s (burst ${burst}); this batch has ${n}`,
          undefined,
          { reason: 'events_rate', retryAfterSeconds: taken.retryAfterSeconds },
        );
      }
    }
    try {
      const ack = await this.bus.publish(EventsSubjects.batches(batch.kind), batch, {
        msgId: batch.batchId,
      });
      if (!ack.duplicate) this.metrics.received(batch.tenantId, batch.kind, n);
      return { accepted: n, duplicate: ack.duplicate };
    } catch (error) {
      // Nothing was stored: the tenant keeps what it paid for.
      if (rate > 0) this.buckets.refund(batch.tenantId, n);
      throw error;
    }
  }
}
