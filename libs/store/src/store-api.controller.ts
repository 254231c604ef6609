import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { requestRoute, ValidatePayload } from '@strata/bus';
import { QueueGroups, StoreRequest, SubjectPatterns } from '@strata/contracts';
import { type StoreGatewayResponse } from './query/block-store-answer';
import { StoreGatewayService } from './store-gateway.service';

/**
 * The Store API over the bucket's blocks: the gateway opens its shard's subject once it has
 * listed the bucket, and the replicas of a shard share the `store` queue group.
 */
@Controller()
export class StoreApiController {
  constructor(private readonly gateway: StoreGatewayService) {}

  @MessagePattern(
    SubjectPatterns.storeQuery('store'),
    // A query service in the same process reads the shard without NATS or JSON.
    requestRoute({ queueGroup: QueueGroups.of('store'), manual: true, inProcess: true }),
  )
  query(
    @Payload(new ValidatePayload(StoreRequest, 'Store API request')) request: StoreRequest,
  ): Promise<StoreGatewayResponse> {
    return this.gateway.query(request);
  }
}
