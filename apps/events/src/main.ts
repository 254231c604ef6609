// Runs the events service alone: one process per service, as deployed in Kubernetes.
import { eventsService } from '@strata/events';
import { loadPlatformConfig, runProcess, startServices } from '@strata/service-kit';

runProcess(() =>
  startServices({
    config: loadPlatformConfig(undefined, { STRATA_TARGET: 'events' }),
    services: [eventsService],
  }),
);
