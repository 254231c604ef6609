// Runs the logflow service alone: one process per service, as deployed in Kubernetes.
import { logflowService } from '@strata/logflow';
import { loadPlatformConfig, runProcess, startServices } from '@strata/service-kit';

runProcess(() =>
  startServices({
    config: loadPlatformConfig(undefined, { STRATA_TARGET: 'logflow' }),
    services: [logflowService],
  }),
);
