export * from './prometheus-api';
