export * from './remote-write';
