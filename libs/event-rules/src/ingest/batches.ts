import { EventRuleError } from '../errors';
import { coreEventFromEventsV1, EVENT_STRING_FIELDS } from '../flatten';
import type { FlatValue } from '../go-values';

type JsonObject = { readonly [key: string]: FlatValue };

/** JSON nested deeper than this is refused: no Kubernetes object comes near it. */
export const MAX_JSON_DEPTH = 64;

/** A batch refused at the edge; `where` names the line (NDJSON) or item (arrays, EventList). */
export class BatchError extends EventRuleError {
  constructor(
    readonly where: string,
    readonly reason: string,
  ) {
    super('syntax', `${where}: ${reason}`);
  }
}

/** A Kubernetes event as ingested: core/v1 shape, and the cluster it came from ('' when unnamed). */
export interface IngestedKubeEvent {
  readonly cluster: string;
  readonly event: JsonObject;
}

const isObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** True when objects and arrays nest deeper than `limit` below `value` (itself at depth 1). */
function deeperThan(value: unknown, limit: number, depth = 1): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (depth > limit) return true;
  // Recursion stops at the limit, so the stack stays shallow; no per-value allocation.
  if (Array.isArray(value)) {
    for (const child of value) if (deeperThan(child, limit, depth + 1)) return true;
  } else {
    for (const key in value)
      if (deeperThan((value as JsonObject)[key], limit, depth + 1)) return true;
  }
  return false;
}

function parseJson(text: string, where: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new BatchError(where, `malformed JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (deeperThan(value, MAX_JSON_DEPTH)) {
    throw new BatchError(where, `JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  }
  return value;
}

function requireType(
  obj: JsonObject,
  field: string,
  type: 'string' | 'number' | 'object',
  where: string,
): void {
  const v = obj[field];
  if (v === undefined || v === null) return;
  if (type === 'object' ? !isObject(v) : typeof v !== type) {
    throw new BatchError(where, `${field} must be a${type === 'object' ? 'n' : ''} ${type}`);
  }
}

function kubeEvent(item: unknown, where: string, defaultCluster: string): IngestedKubeEvent {
  if (!isObject(item)) throw new BatchError(where, 'an event must be a JSON object');
  // kube-events' exporter marshals `{"Event": {...}, "cluster": "..."}`; other tools send the event itself.
  const wrapped = isObject(item.Event) ? item.Event : item;
  const cluster =
    typeof item.cluster === 'string' && item.cluster !== '' ? item.cluster : defaultCluster;
  if (wrapped.kind !== undefined && wrapped.kind !== 'Event') {
    throw new BatchError(where, `kind must be Event, not ${JSON.stringify(wrapped.kind)}`);
  }
  const apiVersion = wrapped.apiVersion ?? 'v1';
  let event: JsonObject;
  if (apiVersion === 'events.k8s.io/v1') {
    if (!isObject(wrapped.regarding)) throw new BatchError(where, 'regarding must be an object');
    event = coreEventFromEventsV1(wrapped);
  } else if (apiVersion === 'v1') {
    if (!isObject(wrapped.involvedObject))
      throw new BatchError(where, 'involvedObject must be an object');
    event = wrapped;
  } else {
    throw new BatchError(
      where,
      `apiVersion must be v1 or events.k8s.io/v1, not ${JSON.stringify(apiVersion)}`,
    );
  }
  if (!isObject(event.metadata)) throw new BatchError(where, 'metadata must be an object');
  for (const f of EVENT_STRING_FIELDS) {
    requireType(event, f, 'string', where);
  }
  requireType(event, 'count', 'number', where);
  requireType(event, 'source', 'object', where);
  return { cluster, event };
}

/**
 * Reads a kube-events exporter body: newline-delimited JSON (one core/v1 Event per line, wrapped
 * as the exporter marshals it or bare, with a `cluster` field), a JSON array of the same, or an
 * `EventList`; `events.k8s.io/v1` objects are converted to core/v1. The first bad line or item
 * throws a {@link BatchError} naming it, so a batch is taken whole or not at all.
 */
export function parseKubeEventsBody(body: string, defaultCluster = ''): IngestedKubeEvent[] {
  const trimmed = body.trim();
  if (trimmed === '') throw new BatchError('body', 'no events');
  if (trimmed.startsWith('[')) {
    const items = parseJson(trimmed, 'body');
    if (!Array.isArray(items)) throw new BatchError('body', 'malformed JSON array');
    return items.map((item, i) => kubeEvent(item, `item ${i}`, defaultCluster));
  }
  const lines = body.split('\n');
  const events: IngestedKubeEvent[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    const value = parseJson(line, `line ${i + 1}`);
    if (
      isObject(value) &&
      Array.isArray(value.items) &&
      (value.kind === 'EventList' || value.kind === undefined)
    ) {
      value.items.forEach((item, j) =>
        events.push(kubeEvent(item, `line ${i + 1} item ${j}`, defaultCluster)),
      );
    } else {
      events.push(kubeEvent(value, `line ${i + 1}`, defaultCluster));
    }
  }
  return events;
}

const LEVELS = ['None', 'Metadata', 'Request', 'RequestResponse'];
const STAGES = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'];

function auditEvent(item: unknown, where: string): JsonObject {
  if (!isObject(item)) throw new BatchError(where, 'an audit event must be a JSON object');
  if (item.kind !== undefined && item.kind !== 'Event') {
    throw new BatchError(where, `kind must be Event, not ${JSON.stringify(item.kind)}`);
  }
  if (item.apiVersion !== undefined && item.apiVersion !== 'audit.k8s.io/v1') {
    throw new BatchError(
      where,
      `apiVersion must be audit.k8s.io/v1, not ${JSON.stringify(item.apiVersion)}`,
    );
  }
  for (const f of ['auditID', 'requestURI', 'verb']) {
    if (typeof item[f] !== 'string' || item[f] === '')
      throw new BatchError(where, `${f} must be a non-empty string`);
  }
  if (!LEVELS.includes(item.level as string))
    throw new BatchError(where, `level must be one of ${LEVELS.join(', ')}`);
  if (!STAGES.includes(item.stage as string))
    throw new BatchError(where, `stage must be one of ${STAGES.join(', ')}`);
  if (!isObject(item.user)) throw new BatchError(where, 'user must be an object');
  for (const f of [
    'objectRef',
    'responseStatus',
    'impersonatedUser',
    'requestObject',
    'responseObject',
    'annotations',
  ]) {
    requireType(item, f, 'object', where);
  }
  for (const f of ['requestReceivedTimestamp', 'stageTimestamp']) {
    if (typeof item[f] !== 'string' || Number.isNaN(Date.parse(item[f]))) {
      throw new BatchError(where, `${f} must be an RFC 3339 time`);
    }
  }
  return item;
}

/**
 * Reads an `audit.k8s.io/v1` `EventList` as kube-apiserver's webhook backend posts it (batch and
 * blocking modes alike); the first bad item throws a {@link BatchError} naming it.
 */
export function parseAuditEventList(body: string): JsonObject[] {
  const value = parseJson(body, 'body');
  if (!isObject(value)) throw new BatchError('body', 'an EventList must be a JSON object');
  if (value.kind !== 'EventList') {
    throw new BatchError(
      'body',
      `kind must be EventList, not ${JSON.stringify(value.kind ?? null)}`,
    );
  }
  if (value.apiVersion !== 'audit.k8s.io/v1') {
    throw new BatchError(
      'body',
      `apiVersion must be audit.k8s.io/v1, not ${JSON.stringify(value.apiVersion ?? null)}`,
    );
  }
  if (!Array.isArray(value.items)) throw new BatchError('body', 'items must be an array');
  return value.items.map((item, i) => auditEvent(item, `items[${i}]`));
}
