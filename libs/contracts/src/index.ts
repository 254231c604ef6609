export * from './errors';
export * from './validation';
export * from './subjects';
export * from './nats-permissions';
export * from './control';
export * from './platform';
export * from './query';
export * from './ingest';
