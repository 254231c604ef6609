/**
 * NATS subjects and JetStream stream names. Every subject the platform uses is built here:
 * `strata.<domain>.<verb>.v<N>[.<tenant>][.<partition>]`.
 */

/** Services of the platform, as named in subjects, queue groups and `--target`. */
export const SERVICE_NAMES = [
  'gateway',
  'control-plane',
  'router',
  'ingester',
  'compactor',
  'store',
  'query',
  'ruler',
  'logflow',
  'notification',
  'events',
  'model-registry',
] as const;

/** One service name. */
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** Subject tokens may not contain dots, spaces or wildcards. */
export function subjectToken(value: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(value)) throw new Error(`not a valid subject token: ${JSON.stringify(value)}`);
  return value;
}

/** Subjects by domain. */
export const Subjects = {
  /** Health of one service instance (request/reply, every instance answers). */
  serviceHealth: (service: ServiceName) => `strata.service.health.v1.${subjectToken(service)}`,
  /** Build and runtime info of one service (request/reply). */
  serviceInfo: (service: ServiceName) => `strata.service.info.v1.${subjectToken(service)}`,
  /** Control-plane commands (request/reply, queue group `control-plane`). */
  controlCommand: 'strata.control.command.v1',
  /** Control-plane queries (request/reply, queue group `control-plane`). */
  controlQuery: 'strata.control.query.v1',
  /** Committed control-plane events relayed by the outbox, one subject per aggregate type. */
  controlEvents: (aggregate: string) => `strata.control.events.v1.${subjectToken(aggregate)}`,
  /** All control-plane events. */
  controlEventsAll: 'strata.control.events.v1.>',
} as const;

/** JetStream streams and the subjects they capture. */
export const Streams = {
  controlEvents: { name: 'STRATA_CONTROL_EVENTS', subjects: ['strata.control.events.v1.>'] },
} as const;

/** Queue groups: one per service, so each request is handled by one instance. */
export const QueueGroups = {
  of: (service: ServiceName) => subjectToken(service),
} as const;
