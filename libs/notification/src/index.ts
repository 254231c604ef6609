export { NotificationModule } from './notification.module';
export { notificationService } from './notification.definition';
export { type NotificationOptions } from './notification.options';
export { parseAlertmanagerConfig, type AlertmanagerConfig } from './alertmanager/config';
export { InvalidAlertmanagerConfigError, type ConfigProblem } from './alertmanager/config-errors';
