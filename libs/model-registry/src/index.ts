export { ModelRegistryModule } from './model-registry.module';
export { modelRegistryService } from './model-registry.definition';
export { ModelGarbageCollector } from './model-garbage.collector';
export { MODEL_REGISTRY_OPTIONS, type ModelRegistryOptions } from './model-registry.options';
