export { ModelRegistryModule } from './model-registry.module';
export { modelRegistryService } from './model-registry.definition';
