export { NotificationModule } from './notification.module';
export { notificationService } from './notification.definition';
export { type NotificationOptions } from './notification.options';
