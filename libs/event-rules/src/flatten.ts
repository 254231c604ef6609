import { TypedSlice, type FlatValue } from './go-values';

type Json = FlatValue;
type JsonObject = { readonly [key: string]: Json };

const isObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof TypedSlice);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
const obj = (v: unknown): JsonObject => (isObject(v) ? v : {});
const typedSlice = (v: unknown): TypedSlice =>
  new TypedSlice(Array.isArray(v) ? (v as readonly Json[]) : []);

const OBJECT_REFERENCE = [
  'kind',
  'namespace',
  'name',
  'uid',
  'apiVersion',
  'resourceVersion',
  'fieldPath',
] as const;

/** The string fields at the top of a core/v1 Event (checked at the edge, read by rules). */
export const EVENT_STRING_FIELDS = [
  'reason',
  'message',
  'type',
  'action',
  'reportingComponent',
  'reportingInstance',
] as const;

function objectReference(out: Map<string, FlatValue>, prefix: string, ref: JsonObject): void {
  for (const f of OBJECT_REFERENCE) out.set(`${prefix}.${f}`, str(ref[f]));
}

/** Every key of a flattened core/v1 Event, in kube-events' order. */
function fillKube(out: Map<string, FlatValue>, event: JsonObject): void {
  out.set('TypeMeta.kind', str(event.kind));
  out.set('TypeMeta.apiVersion', str(event.apiVersion));
  const meta = obj(event.metadata);
  for (const f of ['name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion']) {
    out.set(`metadata.${f}`, str(meta[f]));
  }
  out.set('metadata.generation', num(meta.generation));
  if (typeof meta.deletionGracePeriodSeconds === 'number') {
    out.set('metadata.deletionGracePeriodSeconds', meta.deletionGracePeriodSeconds);
  }
  out.set('metadata.labels', obj(meta.labels));
  out.set('metadata.annotations', obj(meta.annotations));
  out.set('metadata.ownerReferences', typedSlice(meta.ownerReferences));
  out.set('metadata.finalizers', typedSlice(meta.finalizers));
  out.set('metadata.managedFields', typedSlice(meta.managedFields));
  objectReference(out, 'involvedObject', obj(event.involvedObject));
  out.set('reason', str(event.reason));
  out.set('message', str(event.message));
  const source = obj(event.source);
  out.set('source.component', str(source.component));
  out.set('source.host', str(source.host));
  out.set('count', num(event.count));
  out.set('type', str(event.type));
  if (isObject(event.series)) out.set('series.count', num(event.series.count));
  out.set('action', str(event.action));
  if (isObject(event.related)) objectReference(out, 'related', event.related);
  out.set('reportingComponent', str(event.reportingComponent));
  out.set('reportingInstance', str(event.reportingInstance));
}

/** How one key of a flattened event is read from the event itself (undefined: absent). */
type FlatRead = (event: JsonObject, cluster: string) => FlatValue | undefined;

/** The reads of every key {@link fillKube} sets. */
const KUBE_READS = ((): ReadonlyMap<string, FlatRead> => {
  const reads = new Map<string, FlatRead>();
  reads.set('TypeMeta.kind', (e) => str(e.kind));
  reads.set('TypeMeta.apiVersion', (e) => str(e.apiVersion));
  for (const f of ['name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion'])
    reads.set(`metadata.${f}`, (e) => str(obj(e.metadata)[f]));
  reads.set('metadata.generation', (e) => num(obj(e.metadata).generation));
  reads.set('metadata.deletionGracePeriodSeconds', (e) => {
    const v = obj(e.metadata).deletionGracePeriodSeconds;
    return typeof v === 'number' ? v : undefined;
  });
  for (const f of ['labels', 'annotations'])
    reads.set(`metadata.${f}`, (e) => obj(obj(e.metadata)[f]));
  for (const f of ['ownerReferences', 'finalizers', 'managedFields'])
    reads.set(`metadata.${f}`, (e) => typedSlice(obj(e.metadata)[f]));
  for (const f of OBJECT_REFERENCE) {
    reads.set(`involvedObject.${f}`, (e) => str(obj(e.involvedObject)[f]));
    reads.set(`related.${f}`, (e) => (isObject(e.related) ? str(e.related[f]) : undefined));
  }
  for (const f of EVENT_STRING_FIELDS) reads.set(f, (e) => str(e[f]));
  for (const f of ['component', 'host']) reads.set(`source.${f}`, (e) => str(obj(e.source)[f]));
  reads.set('count', (e) => num(e.count));
  reads.set('series.count', (e) => (isObject(e.series) ? num(e.series.count) : undefined));
  return reads;
})();

/**
 * Flattens a core/v1 Event as kube-events' `StructToFlatMap` does over the Go struct: every field
 * of the type is present with its zero value, under its JSON name joined by `.`; the embedded
 * `TypeMeta` keeps its Go name (`TypeMeta.kind`); integers are float64; label and annotation maps
 * stay maps and slices stay typed slices; timestamps (structs without exported fields) and unset
 * pointers (`series`, `related`, `deletionGracePeriodSeconds`) are absent. Keys are read from the
 * event on demand, as {@link flattenAuditEvent}'s are.
 */
export function flattenKubeEvent(event: JsonObject): Map<string, FlatValue> {
  return new OnDemandFlatMap(KUBE_SHAPE, event, '');
}

/** {@link flattenKubeEvent} built whole at once: the reference its on-demand reads must equal. */
export function flattenKubeEventWhole(event: JsonObject): Map<string, FlatValue> {
  const out = new Map<string, FlatValue>();
  fillKube(out, event);
  return out;
}

/** An events.k8s.io/v1 Event in core/v1's shape, field for field as Kubernetes converts between the two. */
export function coreEventFromEventsV1(event: JsonObject): JsonObject {
  const out: Record<string, Json> = {
    kind: 'Event',
    apiVersion: 'v1',
    metadata: obj(event.metadata),
    involvedObject: obj(event.regarding),
    reason: str(event.reason),
    message: str(event.note),
    source: obj(event.deprecatedSource),
    count: num(event.deprecatedCount),
    type: str(event.type),
    action: str(event.action),
    reportingComponent: str(event.reportingController),
    reportingInstance: str(event.reportingInstance),
  };
  for (const [from, to] of [
    ['deprecatedFirstTimestamp', 'firstTimestamp'],
    ['deprecatedLastTimestamp', 'lastTimestamp'],
    ['eventTime', 'eventTime'],
  ] as const) {
    if (typeof event[from] === 'string') out[to] = event[from];
  }
  if (isObject(event.series)) out.series = event.series;
  if (isObject(event.related)) out.related = event.related;
  return out;
}

function flattenJson(out: Map<string, FlatValue>, prefix: string, value: Json): void {
  if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) flattenJson(out, `${prefix}.${k}`, v);
    return;
  }
  out.set(prefix, value);
}

function setIfObject(
  out: Map<string, FlatValue>,
  prefix: string,
  value: unknown,
  fields: ReadonlyArray<readonly [string, string]>,
): void {
  if (!isObject(value)) return;
  for (const [json, key] of keysOf(prefix, fields)) {
    const v = value[json];
    out.set(key, v === undefined ? (json === 'code' ? 0 : '') : v);
  }
}

const KEYS = new Map<string, ReadonlyArray<readonly [string, string]>>();

/** Each field's flat key under `prefix`, built once: each prefix has one field list. */
function keysOf(
  prefix: string,
  fields: ReadonlyArray<readonly [string, string]>,
): ReadonlyArray<readonly [string, string]> {
  let keys = KEYS.get(prefix);
  if (keys === undefined) {
    keys = fields.map(([json, go]) => [json, `${prefix}.${go}`] as const);
    KEYS.set(prefix, keys);
  }
  return keys;
}

const USER_FIELDS = [
  ['username', 'Username'],
  ['uid', 'UID'],
] as const;
const OBJECT_REF_FIELDS = [
  ['resource', 'Resource'],
  ['namespace', 'Namespace'],
  ['name', 'Name'],
  ['uid', 'UID'],
  ['apiGroup', 'APIGroup'],
  ['apiVersion', 'APIVersion'],
  ['resourceVersion', 'ResourceVersion'],
  ['subresource', 'Subresource'],
] as const;
const STATUS_FIELDS = [
  ['status', 'Status'],
  ['message', 'Message'],
  ['reason', 'Reason'],
  ['code', 'Code'],
] as const;

function user(out: Map<string, FlatValue>, prefix: string, value: unknown): void {
  if (!isObject(value)) return;
  setIfObject(out, prefix, value, USER_FIELDS);
  out.set(`${prefix}.Groups`, Array.isArray(value.groups) ? value.groups : []);
  out.set(`${prefix}.Extra`, obj(value.extra));
}

/** Every key of a flattened audit event, in kube-auditing's order, objects flattened too. */
function fillAudit(out: Map<string, FlatValue>, event: JsonObject, cluster: string): void {
  out.set('Workspace', '');
  out.set('Devops', '');
  out.set('Cluster', cluster);
  out.set('Message', '');
  out.set('Level', str(event.level));
  out.set('AuditID', str(event.auditID));
  out.set('Stage', str(event.stage));
  out.set('RequestURI', str(event.requestURI));
  out.set('Verb', str(event.verb));
  user(out, 'User', event.user);
  user(out, 'ImpersonatedUser', event.impersonatedUser);
  out.set('SourceIPs', Array.isArray(event.sourceIPs) ? event.sourceIPs : []);
  out.set('UserAgent', str(event.userAgent));
  setIfObject(out, 'ObjectRef', event.objectRef, OBJECT_REF_FIELDS);
  setIfObject(out, 'ResponseStatus', event.responseStatus, STATUS_FIELDS);
  if (isObject(event.requestObject)) flattenJson(out, 'RequestObject', event.requestObject);
  if (isObject(event.responseObject)) flattenJson(out, 'ResponseObject', event.responseObject);
  out.set('RequestReceivedTimestamp', str(event.requestReceivedTimestamp));
  out.set('StageTimestamp', str(event.stageTimestamp));
  out.set('Annotations', obj(event.annotations));
}

/** The reads of every key {@link fillAudit} sets outside the request and response objects. */
const AUDIT_READS = ((): ReadonlyMap<string, FlatRead> => {
  const reads = new Map<string, FlatRead>();
  for (const key of ['Workspace', 'Devops', 'Message']) reads.set(key, () => '');
  reads.set('Cluster', (_, cluster) => cluster);
  for (const [key, json] of [
    ['Level', 'level'],
    ['AuditID', 'auditID'],
    ['Stage', 'stage'],
    ['RequestURI', 'requestURI'],
    ['Verb', 'verb'],
    ['UserAgent', 'userAgent'],
    ['RequestReceivedTimestamp', 'requestReceivedTimestamp'],
    ['StageTimestamp', 'stageTimestamp'],
  ])
    reads.set(key, (e) => str(e[json]));
  reads.set('SourceIPs', (e) => (Array.isArray(e.sourceIPs) ? e.sourceIPs : []));
  reads.set('Annotations', (e) => obj(e.annotations));
  const under = (
    prefix: string,
    json: string,
    fields: ReadonlyArray<readonly [string, string]>,
  ): void => {
    for (const [field, key] of keysOf(prefix, fields))
      reads.set(key, (e) => {
        const o = e[json];
        if (!isObject(o)) return undefined;
        const v = o[field];
        return v === undefined ? (field === 'code' ? 0 : '') : v;
      });
  };
  for (const [prefix, json] of [
    ['User', 'user'],
    ['ImpersonatedUser', 'impersonatedUser'],
  ]) {
    under(prefix, json, USER_FIELDS);
    reads.set(`${prefix}.Groups`, (e) => {
      const u = e[json];
      return isObject(u) ? (Array.isArray(u.groups) ? u.groups : []) : undefined;
    });
    reads.set(`${prefix}.Extra`, (e) => {
      const u = e[json];
      return isObject(u) ? obj(u.extra) : undefined;
    });
  }
  under('ObjectRef', 'objectRef', OBJECT_REF_FIELDS);
  under('ResponseStatus', 'responseStatus', STATUS_FIELDS);
  return reads;
})();

/** What an on-demand map reads: each fixed key's reader, the whole map, and the keys only it has. */
interface FlatShape {
  readonly reads: ReadonlyMap<string, FlatRead>;
  readonly fill: (out: Map<string, FlatValue>, event: JsonObject, cluster: string) => void;
  /** True for a key no reader answers that the whole map may hold (under a flattened object). */
  readonly onlyWhole: (key: string) => boolean;
}

const KUBE_SHAPE: FlatShape = {
  reads: KUBE_READS,
  fill: (out, event) => fillKube(out, event),
  onlyWhole: () => false,
};

const AUDIT_SHAPE: FlatShape = {
  reads: AUDIT_READS,
  fill: fillAudit,
  onlyWhole: (key) => key.startsWith('RequestObject.') || key.startsWith('ResponseObject.'),
};

/**
 * A flattened event that reads each key from the event when asked, instead of building ~30
 * entries a rule set reads a handful of: a read of a fixed key is one lookup of its reader, and
 * the map is filled whole on the first read of a key only the whole map has (under an audit
 * event's `RequestObject.` or `ResponseObject.`), any walk over the entries, or any write. What
 * is read equals the whole map's, entry order included.
 */
class OnDemandFlatMap extends Map<string, FlatValue> {
  private whole = false;

  constructor(
    private readonly shape: FlatShape,
    private readonly event: JsonObject,
    private readonly cluster: string,
  ) {
    super();
  }

  override get(key: string): FlatValue | undefined {
    if (this.whole) return super.get(key);
    const read = this.shape.reads.get(key);
    if (read !== undefined) return read(this.event, this.cluster);
    if (!this.shape.onlyWhole(key)) return undefined;
    this.settle();
    return super.get(key);
  }

  override has(key: string): boolean {
    // No key is ever set to undefined.
    return this.get(key) !== undefined;
  }

  override set(key: string, value: FlatValue): this {
    this.settle();
    return super.set(key, value);
  }

  override delete(key: string): boolean {
    this.settle();
    return super.delete(key);
  }

  override get size(): number {
    this.settle();
    return super.size;
  }

  override entries(): MapIterator<[string, FlatValue]> {
    this.settle();
    return super.entries();
  }

  override keys(): MapIterator<string> {
    this.settle();
    return super.keys();
  }

  override values(): MapIterator<FlatValue> {
    this.settle();
    return super.values();
  }

  override forEach(
    f: (value: FlatValue, key: string, map: Map<string, FlatValue>) => void,
    thisArg?: unknown,
  ): void {
    this.settle();
    super.forEach(f, thisArg);
  }

  override [Symbol.iterator](): MapIterator<[string, FlatValue]> {
    this.settle();
    return super[Symbol.iterator]();
  }

  private settle(): void {
    if (this.whole) return;
    // First, so the writes below pass straight through `set`.
    this.whole = true;
    this.shape.fill(this, this.event, this.cluster);
  }
}

/**
 * Flattens an audit.k8s.io/v1 Event with kube-auditing's Go field names (`Verb`,
 * `User.Username`, `ObjectRef.Resource`, `ResponseStatus.Code`, ...), plus its `Workspace`,
 * `Devops`, `Cluster` and `Message`; `RequestObject` and `ResponseObject` are flattened by their
 * JSON keys with arrays kept whole, so `ResponseObject.status.images[*].names[0]` walks them.
 * Keys are read from the event on demand (see {@link flattenAuditEventWhole} for the whole map).
 */
export function flattenAuditEvent(event: JsonObject, cluster: string): Map<string, FlatValue> {
  return new OnDemandFlatMap(AUDIT_SHAPE, event, cluster);
}

/** {@link flattenAuditEvent} built whole at once: the reference its on-demand reads must equal. */
export function flattenAuditEventWhole(event: JsonObject, cluster: string): Map<string, FlatValue> {
  const out = new Map<string, FlatValue>();
  fillAudit(out, event, cluster);
  return out;
}
