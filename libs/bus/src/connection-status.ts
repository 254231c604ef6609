import { type NatsConnection } from '@nats-io/nats-core';
import { describe } from './errors';
import { type BusLogger } from './logger';

/** Follows the connection's status until it closes, reporting each loss and recovery to `changed`. */
export async function watchConnection(
  nc: NatsConnection,
  log: BusLogger,
  changed: (connected: boolean) => void,
): Promise<void> {
  for await (const status of nc.status()) {
    switch (status.type) {
      case 'disconnect':
        changed(false);
        log.warn(`disconnected from ${status.server}`);
        break;
      case 'reconnect':
        changed(true);
        log.info(`reconnected to ${status.server}`);
        break;
      case 'error':
        log.warn(`server error: ${describe(status.error)}`);
        break;
      case 'close':
        changed(false);
        break;
      case 'reconnecting':
      case 'update':
      case 'ldm':
      case 'ping':
      case 'staleConnection':
      case 'slowConsumer':
      case 'forceReconnect':
        break;
    }
  }
}
