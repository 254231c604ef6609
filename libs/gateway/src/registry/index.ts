export { RegistryController } from './registry.controller';
export { RegistryWebhooksController } from './registry-webhooks.controller';
export { MlflowController } from './mlflow.controller';
export { RegistryResolver } from './registry.resolver';
export { RegistryService } from './registry.service';
export { REGISTRY_SCHEMA } from './registry.graphql';
export { RegistryWebhooksResolver } from './registry-webhooks.resolver';
export { RegistryWebhooksService } from './registry-webhooks.service';
