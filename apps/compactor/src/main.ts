// Runs the compactor service alone: one process per service, as deployed in Kubernetes.
import { compactorService } from '@strata/compactor';
import { loadPlatformConfig, runProcess, startServices } from '@strata/service-kit';

runProcess(() =>
  startServices({
    config: loadPlatformConfig(undefined, { STRATA_TARGET: 'compactor' }),
    services: [compactorService],
  }),
);
