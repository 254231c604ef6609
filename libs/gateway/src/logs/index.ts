export { ElasticsearchBulkController } from './elasticsearch-bulk.controller';
export { HttpLogsController, type LogsAccepted } from './http-logs.controller';
export { acceptLogBodies, LOG_SOURCE_PATHS } from './log-bodies';
export { LogIngest } from './log-ingest.service';
export { LogSourceMetrics } from './log-source-metrics';
export { DEFAULT_LOG_SOURCES } from './log-sources.defaults';
export { LokiPushController } from './loki-push.controller';
export { OtlpLogsController } from './otlp-logs.controller';
export { SyslogListeners } from './syslog-listeners.service';
