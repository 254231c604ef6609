export * from './put-block';
