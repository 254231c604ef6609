// Runs the store service alone: one process per service, as deployed in Kubernetes.
import { storeService } from '@strata/store';
import { loadPlatformConfig, runProcess, startServices } from '@strata/service-kit';

runProcess(() =>
  startServices({
    config: loadPlatformConfig(undefined, { STRATA_TARGET: 'store' }),
    services: [storeService],
  }),
);
