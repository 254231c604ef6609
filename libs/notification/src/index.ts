export { NotificationModule } from './notification.module';
export { notificationService } from './notification.definition';
