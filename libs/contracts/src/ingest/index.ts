export * from './write';
export * from './store-api';
