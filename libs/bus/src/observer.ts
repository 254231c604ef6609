import { type ErrorCode } from '@strata/contracts';

/** How a consumed message ended: settled by the handler or the bus, failed and retried, or given up. */
export type DeliveryOutcome = 'ack' | 'nak' | 'term' | 'retry' | 'given_up';

/**
 * Hooks through which the bus reports what it does, so the process can count it (service-kit wires
 * them to Prometheus). Labels are bounded: the subject a handler was registered on, never the
 * subject of each message, and stream plus durable name for consumers.
 */
export interface BusObserver {
  /** A served request was answered with `outcome` after `seconds`. */
  served?(subject: string, outcome: 'ok' | ErrorCode, seconds: number): void;
  /** A consumed message's handler finished with `outcome` after `seconds`. */
  consumed?(stream: string, consumer: string, outcome: DeliveryOutcome, seconds: number): void;
  /** The connection went down or came back. */
  connection?(connected: boolean): void;
}
