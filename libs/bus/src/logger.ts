/** Where the bus reports what it cannot throw to a caller (handler failures, reconnects, dead letters). */
export interface BusLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string, error?: unknown): void;
}

/** A logger that writes one line per event to stderr, used when the caller gives none. */
export function consoleBusLogger(name: string): BusLogger {
  const line = (level: string, message: string) =>
    `${new Date().toISOString()} ${level} [bus ${name}] ${message}`;
  return {
    debug: () => undefined,
    info: (m) => console.error(line('info', m)),
    warn: (m) => console.error(line('warn', m)),
    error: (m, e) => console.error(line('error', m), ...(e === undefined ? [] : [e])),
  };
}
