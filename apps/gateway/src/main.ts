// Runs the gateway alone: the HTTP edge in front of the services, as deployed in Kubernetes.
import { gatewayService } from '@strata/gateway';
import { loadPlatformConfig, runProcess, startServices } from '@strata/service-kit';

runProcess(() =>
  startServices({
    config: loadPlatformConfig(undefined, { STRATA_TARGET: 'gateway' }),
    services: [gatewayService],
  }),
);
