export * from './ruler-api';
