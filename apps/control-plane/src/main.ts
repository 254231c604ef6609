// Runs the control plane alone: one process per service, as deployed in Kubernetes.
import { controlPlaneService } from '@strata/control-plane';
import { loadPlatformConfig, runProcess, startServices } from '@strata/service-kit';

runProcess(() =>
  startServices({
    config: loadPlatformConfig(undefined, { STRATA_TARGET: 'control-plane' }),
    services: [controlPlaneService],
  }),
);
