// Runs the ruler service alone: one process per service, as deployed in Kubernetes.
import { rulerService } from '@strata/ruler';
import { loadPlatformConfig, runProcess, startServices } from '@strata/service-kit';

runProcess(() =>
  startServices({
    config: loadPlatformConfig(undefined, { STRATA_TARGET: 'ruler' }),
    services: [rulerService],
  }),
);
