import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import { type BusLogger } from '@strata/bus';
import { type PlatformConfig } from '../config/platform-config';

const LEVELS: Record<PlatformConfig['LOG_LEVEL'], LogLevel[]> = {
  debug: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
  info: ['fatal', 'error', 'warn', 'log'],
  warn: ['fatal', 'error', 'warn'],
  error: ['fatal', 'error'],
};

/** Nest's console logger at the configured `LOG_LEVEL`. */
export function createProcessLogger(level: PlatformConfig['LOG_LEVEL']): ConsoleLogger {
  return new ConsoleLogger('strata', { logLevels: LEVELS[level], timestamp: false });
}

/** Routes the bus's reports into the process logger, under the `Bus` context. */
export function busLoggerFor(logger: ConsoleLogger): BusLogger {
  return {
    debug: (m) => logger.debug(m, 'Bus'),
    info: (m) => logger.log(m, 'Bus'),
    warn: (m) => logger.warn(m, 'Bus'),
    error: (m, e) => logger.error(m, e instanceof Error ? e.stack : undefined, 'Bus'),
  };
}
