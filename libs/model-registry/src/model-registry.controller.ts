import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { requestRoute, ValidatePayload } from '@strata/bus';
import {
  type CollectModelGarbageReply,
  CollectModelGarbageRequest,
  ModelsSubjects,
  QueueGroups,
} from '@strata/contracts';
import { ModelGarbageCollector } from './model-garbage.collector';

/** The model-registry service's bus API: one replica answers each request. */
@Controller()
export class ModelRegistryController {
  constructor(private readonly collector: ModelGarbageCollector) {}

  @MessagePattern(
    ModelsSubjects.collectGarbage,
    requestRoute({ queueGroup: QueueGroups.of('model-registry') }),
  )
  collectGarbage(
    @Payload(new ValidatePayload(CollectModelGarbageRequest, 'model garbage collection request'))
    request: CollectModelGarbageRequest,
  ): Promise<CollectModelGarbageReply> {
    return this.collector.collect(request.tenant);
  }
}
