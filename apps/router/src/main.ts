// Runs the router service alone: one process per service, as deployed in Kubernetes.
import { routerService } from '@strata/router';
import { loadPlatformConfig, runProcess, startServices } from '@strata/service-kit';

runProcess(() =>
  startServices({
    config: loadPlatformConfig(undefined, { STRATA_TARGET: 'router' }),
    services: [routerService],
  }),
);
