import { defineService } from '@strata/service-kit';
import { NotificationModule } from './notification.module';

/** How processes compose the notification service (its app and the all-in-one `strata`). */
export const notificationService = defineService('notification', NotificationModule);
