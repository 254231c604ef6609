export { SERVICE_REGISTRY, EDGE_AND_CONTROL_SERVICES } from './service-registry';
export {
  startPlatform,
  targetFromArgs,
  resolveServices,
  type StartPlatformOptions,
} from './start-platform';
