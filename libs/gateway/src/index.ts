export { GatewayModule } from './gateway.module';
export {
  startGateway,
  createGatewayApp,
  type RunningGateway,
  type StartGatewayOptions,
} from './start-gateway';
export {
  gatewayConfigFrom,
  GATEWAY_OPTIONS,
  type GatewayConfig,
  type GatewayOptions,
} from './gateway.options';
export {
  ControlPlaneClient,
  BusControlPlaneClient,
  asStrataError,
  type QueryOf,
} from './control-plane/control-plane.client';
export { AccessPolicy, hasScope } from './auth/access-policy';
export { type Principal, type Caller } from './auth/principal';
export { GatewayServiceModule, GatewayServer, gatewayService } from './gateway-service.module';
export * from './prometheus-api';
export * from './remote-write';
export {
  QueryFrontend,
  DEFAULT_QUERY_FRONTEND,
  cacheDirectiveOf,
  type QueryFrontendOptions,
  type CacheDirective,
} from './query-frontend/query-frontend';
export { SyslogListeners, LOG_SOURCE_PATHS } from './logs';
