export * from './model-artifacts';
