import { defineService, secretKeyringFrom } from '@strata/service-kit';
import { NotificationModule } from './notification.module';

/** How processes compose the notification service (its app and the all-in-one `strata`). */
export const notificationService = defineService('notification', (config) =>
  NotificationModule.forRoot({
    externalUrl: `http://127.0.0.1:${config.HTTP_PORT}/alertmanager`,
    historyRetentionMs: 7 * 24 * 3_600_000,
    alertSnapshotEveryMs: config.STRATA_NOTIFICATION_SNAPSHOT_SECONDS * 1000,
    deliveryLeaseMs: config.STRATA_NOTIFICATION_LEASE_SECONDS * 1000,
    notificationLogRetentionMs: config.STRATA_NOTIFICATION_LOG_RETENTION_HOURS * 3_600_000,
    secretKeyring: secretKeyringFrom(config),
  }),
);
