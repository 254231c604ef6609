export * from './notification-api';
