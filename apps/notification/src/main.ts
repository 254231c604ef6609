// Runs the notification service alone: one process per service, as deployed in Kubernetes.
import { notificationService } from '@strata/notification';
import { loadPlatformConfig, runProcess, startServices } from '@strata/service-kit';

runProcess(() =>
  startServices({
    config: loadPlatformConfig(undefined, { STRATA_TARGET: 'notification' }),
    services: [notificationService],
  }),
);
