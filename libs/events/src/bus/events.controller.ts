import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { BusContext, BusMeta, eventRoute, requestRoute, ValidatePayload } from '@strata/bus';
import {
  type EventBatchAccepted,
  EventBatchMeta,
  EventSearchRequest,
  type EventSearchResult,
  EventsStreams,
  EventsSubjects,
  QueueGroups,
} from '@strata/contracts';
import { EventArchive } from '../archive/event-archive';
import { storedBatch } from '../evaluate/batch-codec';
import { BatchEvaluator } from '../evaluate/batch-evaluator';
import { BatchIngest } from '../evaluate/batch-ingest';

const queueGroup = QueueGroups.of('events');
/** Stored batches the events service evaluates and archives at once (see the consumer below). */
const EVENT_BATCHES_IN_HAND = 64;

/** The events service on the bus: batches from the gateway, their evaluation, and archive search. */
@Controller()
export class EventsController {
  constructor(
    private readonly ingest: BatchIngest,
    private readonly evaluator: BatchEvaluator,
    private readonly archive: EventArchive,
  ) {}

  /** A body the gateway validated, as it came: answered once `STRATA_EVENTS` stored it whole. */
  @MessagePattern(EventsSubjects.ingest, requestRoute({ queueGroup, codec: 'binary' }))
  store(
    @Payload() body: Uint8Array,
    @BusMeta(new ValidatePayload(EventBatchMeta, 'event batch metadata')) meta: EventBatchMeta,
  ): Promise<EventBatchAccepted> {
    return this.ingest.store(meta, body);
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
      // Batches in hand at once. Most of a batch's time is spent waiting for, then in, an
      // archive transaction (`EventArchive`: two at a time, each taking what waits), so this
      // bounds the rate by Little's law: 16 in hand at ~167 ms each was ~38k audit events/s.
      // Each holds its body and COPY text (~0.5 MB for 400 audit events). Pulls stay at 32
      // bodies (~290 KB each): pulling twice the handlers' number (128) measured slower and cost
      // nats-server more. Acks stay one per message (explicit), so a later batch archived first
      // never settles an earlier one.
      consume: { concurrency: EVENT_BATCHES_IN_HAND, prefetch: 32 },
      codec: 'binary',
    }),
  )
  async evaluate(@Payload() data: Uint8Array, @Ctx() context: BusContext): Promise<void> {
    const { batch, itemTexts } = storedBatch(data, context.headers);
    await this.evaluator.evaluate(batch, itemTexts);
  }

  /** One page of a tenant's archive. */
  @MessagePattern(EventsSubjects.search, requestRoute({ queueGroup }))
  search(
    @Payload(new ValidatePayload(EventSearchRequest, 'event search')) request: EventSearchRequest,
  ): Promise<EventSearchResult> {
    return this.archive.search(request);
  }
}
