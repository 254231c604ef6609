// Runs the model-registry service alone: one process per service, as deployed in Kubernetes.
import { modelRegistryService } from '@strata/model-registry';
import { loadPlatformConfig, runProcess, startServices } from '@strata/service-kit';

runProcess(() =>
  startServices({
    config: loadPlatformConfig(undefined, { STRATA_TARGET: 'model-registry' }),
    services: [modelRegistryService],
  }),
);
