import { defineService } from '@strata/service-kit';
import { ModelRegistryModule } from './model-registry.module';

/** How processes compose the model-registry service (its app and the all-in-one `strata`). */
export const modelRegistryService = defineService('model-registry', () =>
  ModelRegistryModule.forRoot(),
);
