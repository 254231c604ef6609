export * from './logs-api';
