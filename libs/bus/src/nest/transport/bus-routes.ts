import { type ConsumeOptions, type ConsumerSpec } from '../../bus';

/** How a request payload travels: JSON, or raw bytes with JSON metadata in a header (hot paths). */
export type BusCodec = 'json' | 'binary';

/**
 * The extras of a `@MessagePattern(subject, extras)` served by `BusTransport`.
 *
 * `queueGroup` is required: a service's group makes each request reach one instance, `null` makes
 * every instance answer (health probes). A forgotten group would answer each request once per
 * replica, so the transport refuses a pattern without one.
 */
export interface RequestRoute {
  queueGroup: string | null;
  codec?: BusCodec;
  /**
   * Bound only while the owner says so, through `BusRoutes.open(pattern, subject)`: for subjects
   * whose serving depends on runtime ownership, such as the Store API of an owned partition. The
   * pattern is then a NATS wildcard subject (`SubjectPatterns.storeQuery('ingester')`).
   */
  manual?: boolean;
  /** Callers in this process get the handler's reply without NATS or JSON (`ServeOptions.inProcess`). */
  inProcess?: boolean;
}

/**
 * The extras of an `@EventPattern(subject, extras)` served by `BusTransport`: the durable JetStream
 * consumer the handler is bound to (its filter is the pattern) and how messages are processed.
 * A handler that returns acks; a `validation_failed`/`bad_request` error terminates the message
 * (it would fail the same way again); any other error asks for redelivery, bounded by `maxDeliver`.
 */
export interface EventRoute {
  consumer: Omit<ConsumerSpec, 'filterSubjects'>;
  consume?: Omit<ConsumeOptions, 'onGiveUp'>;
  codec?: BusCodec;
}

/** Typed extras for `@MessagePattern`, so a misspelt option is a compile error. */
export function requestRoute(route: RequestRoute): RequestRoute & Record<string, unknown> {
  return { ...route };
}

/** Typed extras for `@EventPattern`. */
export function eventRoute(route: EventRoute): EventRoute & Record<string, unknown> {
  return { ...route };
}
