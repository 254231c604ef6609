import { Controller } from '@nestjs/common';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { eventRoute, requestRoute, ValidatePayload } from '@strata/bus';
import {
  EventBatch,
  type EventBatchAccepted,
  EventSearchRequest,
  type EventSearchResult,
  EventsStreams,
  EventsSubjects,
  QueueGroups,
} from '@strata/contracts';
import { EventArchive } from '../archive/event-archive';
import { BatchEvaluator } from '../evaluate/batch-evaluator';
import { BatchIngest } from '../evaluate/batch-ingest';

const queueGroup = QueueGroups.of('events');

/** The events service on the bus: batches from the gateway, their evaluation, and archive search. */
@Controller()
export class EventsController {
  constructor(
    private readonly ingest: BatchIngest,
    private readonly evaluator: BatchEvaluator,
    private readonly archive: EventArchive,
  ) {}

  /** A batch the gateway validated: answered once `STRATA_EVENTS` stored it whole. */
  @MessagePattern(EventsSubjects.ingest, requestRoute({ queueGroup }))
  store(
    @Payload(new ValidatePayload(EventBatch, 'event batch')) batch: EventBatch,
  ): Promise<EventBatchAccepted> {
    return this.ingest.store(batch);
  }

  /** Each stored batch, once per service (one durable consumer shared by every instance). */
  @EventPattern(
    EventsSubjects.batchesAll,
    eventRoute({
      consumer: {
        stream: EventsStreams.batches.name,
        durableName: 'events-evaluate',
        maxDeliver: 10,
        ackWaitMs: 60_000,
      },
    }),
  )
  async evaluate(
    @Payload(new ValidatePayload(EventBatch, 'event batch')) batch: EventBatch,
  ): Promise<void> {
    await this.evaluator.evaluate(batch);
  }

  /** One page of a tenant's archive. */
  @MessagePattern(EventsSubjects.search, requestRoute({ queueGroup }))
  search(
    @Payload(new ValidatePayload(EventSearchRequest, 'event search')) request: EventSearchRequest,
  ): Promise<EventSearchResult> {
    return this.archive.search(request);
  }
}
