import { type BusObserver } from '@strata/bus';
import { type StrataMetrics } from './metrics';

/** Counts and times what the bus does under `strata_bus_*`, labelled by handler subject, stream and consumer. */
export function busMetricsObserver(metrics: StrataMetrics): BusObserver {
  const served = metrics.histogram(
    'bus_request_duration_seconds',
    'Time to answer requests served over NATS.',
    ['subject', 'outcome'],
  );
  const consumed = metrics.histogram(
    'bus_message_duration_seconds',
    'Time to handle JetStream messages.',
    ['stream', 'consumer', 'outcome'],
  );
  const connected = metrics.gauge(
    'bus_connected',
    'Whether the NATS connection is up (1) or not (0).',
  );
  const reconnects = metrics.counter(
    'bus_reconnects_total',
    'Reconnections to NATS after a disconnect.',
  );
  connected.set(1);
  return {
    served: (subject, outcome, seconds) => served.observe({ subject, outcome }, seconds),
    consumed: (stream, consumer, outcome, seconds) =>
      consumed.observe({ stream, consumer, outcome }, seconds),
    connection: (up) => {
      connected.set(up ? 1 : 0);
      if (up) reconnects.inc();
    },
  };
}
