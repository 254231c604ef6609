import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { requestRoute, ValidatePayload } from '@strata/bus';
import {
  type CollectModelGarbageReply,
  CollectModelGarbageRequest,
  ModelsSubjects,
  QueueGroups,
  type RegistryWebhookDelivery,
  RegistryWebhookRef,
  type RegistryWebhookTestResult,
} from '@strata/contracts';
import { ModelGarbageCollector } from './model-garbage.collector';
import { RegistryWebhooksDeliverer } from './registry-webhooks.deliverer';

/** The model-registry service's bus API: one replica answers each request. */
@Controller()
export class ModelRegistryController {
  constructor(
    private readonly collector: ModelGarbageCollector,
    private readonly webhooks: RegistryWebhooksDeliverer,
  ) {}

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

  @MessagePattern(
    ModelsSubjects.testWebhook,
    requestRoute({ queueGroup: QueueGroups.of('model-registry') }),
  )
  testWebhook(
    @Payload(new ValidatePayload(RegistryWebhookRef, 'registry webhook test'))
    request: RegistryWebhookRef,
  ): Promise<RegistryWebhookTestResult> {
    return this.webhooks.test(request.tenantId, request.name, request.event);
  }

  @MessagePattern(
    ModelsSubjects.webhookDeliveries,
    requestRoute({ queueGroup: QueueGroups.of('model-registry') }),
  )
  webhookDeliveries(
    @Payload(new ValidatePayload(RegistryWebhookRef, 'registry webhook deliveries request'))
    request: RegistryWebhookRef,
  ): Promise<RegistryWebhookDelivery[]> {
    return this.webhooks.deliveries(request.tenantId, request.name);
  }
}
