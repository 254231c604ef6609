import { Inject, Injectable } from '@nestjs/common';
import { BUS, type Bus } from '@strata/bus';
import { type EventBatch, type EventBatchAccepted, EventsSubjects } from '@strata/contracts';
import { EventsMetrics } from '../events-metrics';

/** Stores accepted batches in `STRATA_EVENTS`, one message per batch (chunked by the bus when large). */
@Injectable()
export class BatchIngest {
  constructor(
    @Inject(BUS) private readonly bus: Bus,
    private readonly metrics: EventsMetrics,
  ) {}

  /** Resolves once JetStream stored the whole batch; a retried batch (same id) is stored once. */
  async store(batch: EventBatch): Promise<EventBatchAccepted> {
    const ack = await this.bus.publish(EventsSubjects.batches(batch.kind), batch, {
      msgId: batch.batchId,
    });
    if (!ack.duplicate) this.metrics.received(batch.tenantId, batch.kind, batch.items.length);
    return { accepted: batch.items.length, duplicate: ack.duplicate };
  }
}
