export {
  loadPlatformConfig,
  parsePlatformConfig,
  InvalidConfigError,
  type PlatformConfig,
} from './config/platform-config';
export { natsConnectionOptions, type NatsConnectionOptions } from './config/nats-connection';
export {
  PlatformConfigModule,
  PLATFORM_CONFIG,
  InjectPlatformConfig,
} from './config/platform-config.module';
export { StrataMetrics, createMetricsRegistry, metricName, METRIC_PREFIX } from './metrics/metrics';
export { MetricsModule } from './metrics/metrics.module';
export { busMetricsObserver } from './metrics/bus-metrics';
export { ReadinessRegistry, type ReadinessCheck, type CheckResult } from './health/readiness';
export {
  createInstanceIdentity,
  INSTANCE_IDENTITY,
  type InstanceIdentity,
} from './health/instance';
export {
  ServiceHealthModule,
  ServiceHealthController,
  ServiceHealthReporter,
} from './health/service-health.module';
export {
  HealthHttpModule,
  HealthHttpServer,
  type HealthHttpOptions,
} from './health/health-http.module';
export { registerHealthRoutes } from './health/health-routes';
export {
  defineService,
  selectServices,
  type ServiceDefinition,
  type ServiceModule,
  type ServiceRegistry,
} from './service/define-service';
export {
  startServices,
  composeProcessModule,
  type StartServicesOptions,
  type RunningServices,
} from './service/start-services';
export { createProcessLogger, busLoggerFor } from './service/nest-logging';
export { runProcess } from './service/run-process';
export { TokenBuckets, type TakeResult } from './limits/token-bucket';
export { ReplicaCount, REPLICA_MEMBER_TTL_MS } from './limits/replica-count';
export {
  EventInvalidatedCache,
  type EventInvalidatedCacheOptions,
} from './control-cache/event-invalidated-cache';
export { ControlEventsFeed } from './control-cache/control-events.feed';
export {
  isPrivateAddress,
  literalAddressOf,
  publicOnlyLookup,
  PrivateAddressRefusedError,
} from './net/private-address';
export {
  openStoredSecret,
  SecretKeyring,
  SecretOpenError,
  SEALED_PREFIX,
  secretKeyringFrom,
} from './secrets/secret-keyring';
