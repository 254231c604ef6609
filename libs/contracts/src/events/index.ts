export * from './rule-sets';
export * from './events-api';
