import { createHash } from 'node:crypto';
import { type EventRecordKind } from '@strata/contracts';

/** One archived record with the columns search filters on. */
export interface ArchiveRow {
  readonly time: Date;
  readonly id: string;
  readonly cluster: string;
  readonly namespace: string;
  readonly resource: string;
  readonly name: string;
  readonly message: string;
  /** events: reason and type; audit: verb, username, response code and stage. */
  readonly reason?: string;
  readonly type?: string;
  readonly verb?: string;
  readonly username?: string;
  readonly responseCode?: number | null;
  readonly stage?: string;
  readonly event: Record<string, unknown>;
  /**
   * `event` as the JSON text it arrived in, when known: archived as it is instead of serialising
   * `event` again (the `jsonb` column normalises both alike). Settable, as the text may be looked
   * up only once a batch's rows are known to be worth it.
   */
  eventText?: string;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {};
const text = (v: unknown): string => (typeof v === 'string' ? v : '');

function firstTime(values: unknown[], fallback: number): Date {
  for (const v of values) {
    if (typeof v !== 'string' || v === '') continue;
    const t = Date.parse(v);
    // Go's zero time (0001-01-01) is how an unset timestamp marshals; it is no time at all.
    if (!Number.isNaN(t) && t > 0) return new Date(t);
  }
  return new Date(fallback);
}

/**
 * A core/v1 Event as archived: its time is the last occurrence (kube-events' order of
 * preference), its id the object's uid and resource version, so a resent event is stored once.
 */
export function kubeEventRow(cluster: string, event: Obj, receivedAt: number): ArchiveRow {
  const meta = obj(event.metadata);
  const involved = obj(event.involvedObject);
  const uid = text(meta.uid);
  const version = text(meta.resourceVersion) || String(event.count ?? '');
  const id = uid !== '' ? `${uid}/${version}` : digest(event);
  return {
    time: firstTime(
      [event.lastTimestamp, event.eventTime, event.firstTimestamp, meta.creationTimestamp],
      receivedAt,
    ),
    id,
    cluster,
    namespace: text(involved.namespace) || text(meta.namespace),
    resource: text(involved.kind),
    name: text(involved.name),
    reason: text(event.reason),
    type: text(event.type),
    message: text(event.message),
    event,
  };
}

/**
 * An audit event as archived: its time is the stage's, its id the audit id and stage (one row per
 * stage); `eventText`, when given, is the event's own JSON text from the body it came in.
 */
export function auditEventRow(
  cluster: string,
  event: Obj,
  receivedAt: number,
  eventText?: string,
): ArchiveRow {
  const ref = obj(event.objectRef);
  const status = obj(event.responseStatus);
  return {
    time: firstTime([event.stageTimestamp, event.requestReceivedTimestamp], receivedAt),
    id: `${text(event.auditID)}/${text(event.stage)}`,
    cluster,
    namespace: text(ref.namespace),
    resource: text(ref.resource),
    name: text(ref.name),
    verb: text(event.verb),
    username: text(obj(event.user).username),
    responseCode: typeof status.code === 'number' ? status.code : null,
    stage: text(event.stage),
    message: text(status.message),
    event,
    eventText,
  };
}

/** The archive table of a kind. */
export function archiveTable(kind: EventRecordKind): 'kube_events' | 'audit_events' {
  return kind === 'events' ? 'kube_events' : 'audit_events';
}

function digest(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 32);
}
