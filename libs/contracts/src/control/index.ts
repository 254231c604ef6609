export * from './ids';
export * from './quota';
export * from './commands';
export * from './queries';
export * from './read-models';
export * from './events';
export * from './rule-groups';
export * from './alertmanager-configs';
