export * from './logs-api';
export * from './pipeline-spec';
export * from './logflow-api';
export * from './pipeline-secrets';
export * from './pipeline-stats';
