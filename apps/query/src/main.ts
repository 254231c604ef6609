// Runs the query service alone: one process per service, as deployed in Kubernetes.
import { queryService } from '@strata/query';
import { loadPlatformConfig, runProcess, startServices } from '@strata/service-kit';

runProcess(() =>
  startServices({
    config: loadPlatformConfig(undefined, { STRATA_TARGET: 'query' }),
    services: [queryService],
  }),
);
