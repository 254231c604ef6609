// Runs the ingester service alone: one process per service, as deployed in Kubernetes.
import { ingesterService } from '@strata/ingester';
import { loadPlatformConfig, runProcess, startServices } from '@strata/service-kit';

runProcess(() =>
  startServices({
    config: loadPlatformConfig(undefined, { STRATA_TARGET: 'ingester' }),
    services: [ingesterService],
  }),
);
