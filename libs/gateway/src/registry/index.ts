export { RegistryController } from './registry.controller';
export { MlflowController } from './mlflow.controller';
export { RegistryResolver } from './registry.resolver';
export { RegistryService } from './registry.service';
export { REGISTRY_SCHEMA } from './registry.graphql';
