export * from './query-api';
export * from './prom-api-error';
