import { Controller } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { BusContext, requestRoute, ValidatePayload } from '@strata/bus';
import { QueueGroups, StoreRequest, StrataError, SubjectPatterns } from '@strata/contracts';
import { IngesterService } from '../ingester.service';
import { type StoreResponse } from './store-api.handler';

/**
 * The Store API of the partitions this instance owns: each partition's subject is opened by its
 * runner while the lease is held, so a request reaches the partition's owner.
 */
@Controller()
export class StoreApiController {
  constructor(private readonly ingester: IngesterService) {}

  @MessagePattern(
    SubjectPatterns.storeQuery('ingester'),
    // The monolith's query service reads the partitions it owns without NATS or JSON.
    requestRoute({ queueGroup: QueueGroups.of('ingester'), manual: true, inProcess: true }),
  )
  query(
    @Payload(new ValidatePayload(StoreRequest, 'Store API request')) request: StoreRequest,
    @Ctx() ctx: BusContext,
  ): StoreResponse {
    const partition = Number(ctx.subject.slice(ctx.subject.lastIndexOf('.') + 1));
    const runner = this.ingester.runnerOf(partition);
    // Between a lease's loss and the route's close: the next owner answers a retry.
    if (!runner)
      throw new StrataError('unavailable', `partition ${partition} is not owned here`, undefined, {
        reason: 'moved',
      });
    return runner.query(request);
  }
}
