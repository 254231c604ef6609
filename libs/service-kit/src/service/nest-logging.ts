import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import { type BusLogger } from '@strata/bus';
import { type PlatformConfig } from '../config/platform-config';

const LEVELS: Record<PlatformConfig['LOG_LEVEL'], LogLevel[]> = {
  debug: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
  info: ['fatal', 'error', 'warn', 'log'],
  warn: ['fatal', 'error', 'warn'],
  error: ['fatal', 'error'],
};

/** Nest's own start-up chatter: one line per module and route, useful only when debugging. */
const BOOT_CONTEXTS = new Set([
  'InstanceLoader',
  'NestFactory',
  'NestApplication',
  'RoutesResolver',
  'RouterExplorer',
  'NestMicroservice',
  'ListenersController',
]);

/** Nest's console logger at the configured `LOG_LEVEL`, keeping start-up to the one line that says what runs. */
class ProcessLogger extends ConsoleLogger {
  override log(message: unknown, ...rest: unknown[]): void {
    const context = rest[rest.length - 1];
    if (typeof context === 'string' && BOOT_CONTEXTS.has(context) && !this.isLevelEnabled('debug'))
      return;
    super.log(message, ...rest);
  }
}

/** The process logger at `level`. */
export function createProcessLogger(level: PlatformConfig['LOG_LEVEL']): ConsoleLogger {
  return new ProcessLogger('strata', { logLevels: LEVELS[level], timestamp: false });
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
