export * from './query-api';
