import { type LogSourcesConfig } from '../gateway.options';

/** The log sources' configuration when the gateway is given none (tests, embedded use). */
export const DEFAULT_LOG_SOURCES: LogSourcesConfig = {
  maxBodyBytes: 16 * 1024 * 1024,
  maxLineBytes: 256 * 1024,
  syslog: [],
  syslogHost: '127.0.0.1',
  syslogFlushLines: 1000,
  syslogFlushMs: 200,
};
