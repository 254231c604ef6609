export {
  ensurePrograms,
  which,
  postgresBinDir,
  NATS_SERVER,
  POSTGRES,
  type RequiredProgram,
} from './debian-packages';
export { freePort, isListening, waitForPort } from './ports';
export { spawnManaged, type ManagedProcess, type SpawnOptions } from './managed-process';
export {
  startNatsServer,
  natsTlsConfig,
  type NatsServerOptions,
  type NatsServerTls,
  type RunningNatsServer,
} from './nats-server';
export {
  natsAuthConfig,
  platformNatsUsers,
  deployNatsAuthConfig,
  natsPasswordEnvName,
  ensureNatsCredentials,
  NATS_DEV_ADMIN,
  type NatsAuthUser,
  type NatsPasswordSource,
  type NatsLogin,
} from './nats-auth-config';
export {
  startNatsCluster,
  type NatsClusterOptions,
  type NatsClusterNode,
  type RunningNatsCluster,
} from './nats-cluster';
export {
  startPostgresServer,
  createDatabaseIfMissing,
  type PostgresServerOptions,
  type RunningPostgresServer,
} from './postgres-server';
export { startLocalStack, type LocalStack, type LocalStackOptions } from './local-stack';
export { reapStaleStacks } from './reap-stale-stacks';
export {
  startPrometheus,
  type PrometheusOptions,
  type RunningPrometheus,
} from './prometheus-server';
export { startS3Server, type S3ServerOptions, type RunningS3Server } from './s3-server';
export {
  startAlertmanagerWithWebhook,
  type AlertmanagerWithWebhook,
  type WebhookMessage,
} from './alertmanager-server';
export {
  startAlertmanager,
  type AlertmanagerOptions,
  type RunningAlertmanager,
} from './alertmanager-differential-peer';
