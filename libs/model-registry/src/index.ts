export { ModelRegistryModule } from './model-registry.module';
export { modelRegistryService } from './model-registry.definition';
export { ModelGarbageCollector } from './model-garbage.collector';
export {
  DEFAULT_WEBHOOK_DELIVERY,
  MODEL_REGISTRY_OPTIONS,
  type ModelRegistryOptions,
  type WebhookDeliveryOptions,
} from './model-registry.options';
