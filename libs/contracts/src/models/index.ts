export * from './model-artifacts';
export * from './models-api';
