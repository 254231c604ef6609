export { SERVICE_REGISTRY, EDGE_AND_CONTROL_SERVICES } from './service-registry';
export {
  startPlatform,
  targetFromArgs,
  resolveServices,
  childProcessRuns,
  CHILD_PROCESS_SERVICE,
  type StartPlatformOptions,
} from './start-platform';
export {
  SupervisedChild,
  SUPERVISED_CHILD_ENV,
  stopWithParent,
  type SupervisedChildOptions,
} from './supervised-child';
