export * from './write';
export * from './store-api';
export * from './store-sharding';
export * from './tenancy';
export * from './stale-nan';
