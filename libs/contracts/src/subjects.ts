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

/** NATS subject matching: `*` is one token, `>` one or more tokens at the end. */
export function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (i >= s.length || (p[i] !== '*' && p[i] !== s[i])) return false;
  }
  return p.length === s.length;
}

/** Subject tokens may not contain dots, spaces or wildcards. */
export function subjectToken(value: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(value))
    throw new Error(`not a valid subject token: ${JSON.stringify(value)}`);
  return value;
}

/** Subjects by domain. */
export const Subjects = {
  /** Health of one service instance (request/reply, every instance answers). */
  serviceHealth: (service: ServiceName) =>
    `strata.service.health.v1.${subjectToken(service)}` as const,
  /** Build and runtime info of one service (request/reply). */
  serviceInfo: (service: ServiceName) => `strata.service.info.v1.${subjectToken(service)}` as const,
  /** Control-plane commands (request/reply, queue group `control-plane`). */
  controlCommand: 'strata.control.command.v1',
  /** Control-plane queries (request/reply, queue group `control-plane`). */
  controlQuery: 'strata.control.query.v1',
  /** Committed control-plane events relayed by the outbox, one subject per aggregate type. */
  controlEvents: (aggregate: string) => `strata.control.events.v1.${subjectToken(aggregate)}`,
  /** All control-plane events. */
  controlEventsAll: 'strata.control.events.v1.>',
  /** Remote writes from the gateway to the router (request/reply, queue group `router`, JSON with a base64 body). */
  routerWrite: 'strata.router.write.v1',
  /**
   * Remote writes from the gateway to the router as bytes (request/reply, queue group `router`): the
   * HTTP body untouched as the payload, a `RouterWriteMeta` as the bus's JSON metadata (`Bus.requestBinary`).
   */
  routerWriteBinary: 'strata.router.write.v2',
  /** Samples of one ingest partition, published by the router (binary, `@strata/remote-write` ingest codec). */
  ingestSamples: (partition: number) => `strata.ingest.samples.v1.${partitionToken(partition)}`,
  /** Samples of every partition. */
  ingestSamplesAll: 'strata.ingest.samples.v1.>',
  /** Store API of one shard of a source (ingest partitions, store gateway shards), request/reply with a `StoreRequest`. */
  storeQuery: (source: 'ingester' | 'store', shard: number) =>
    `strata.store.query.v1.${source}.${partitionToken(shard)}` as const,
  /** Rule groups and alerts of a tenant across every ruler replica (request/reply, queue group `ruler`). */
  rulerStatus: 'strata.ruler.status.v1',
  /** The groups one ruler replica evaluates (request/reply, opened by that replica only). */
  rulerReplicaStatus: (replica: string) =>
    `strata.ruler.replica-status.v1.${subjectToken(replica)}` as const,
  /** Alerts the ruler sent for a tenant, for the notification service (JetStream, `Streams.rulerAlerts`). */
  rulerAlerts: (tenantId: string) => `strata.ruler.alerts.v1.${subjectToken(tenantId)}` as const,
} as const;

/**
 * NATS wildcards of the subjects above that carry a runtime token: handlers are declared for the
 * pattern and opened per service or per owned shard.
 */
export const SubjectPatterns = {
  /** `Subjects.serviceHealth` of any service. */
  serviceHealth: 'strata.service.health.v1.*',
  /** `Subjects.serviceInfo` of any service. */
  serviceInfo: 'strata.service.info.v1.*',
  /** `Subjects.storeQuery` of any shard of `source`. */
  storeQuery: (source: 'ingester' | 'store') => `strata.store.query.v1.${source}.*` as const,
  /** `Subjects.rulerReplicaStatus` of any replica. */
  rulerReplicaStatus: 'strata.ruler.replica-status.v1.*',
} as const;

function partitionToken(partition: number): string {
  if (!Number.isInteger(partition) || partition < 0)
    throw new Error(`not a valid partition: ${partition}`);
  return String(partition);
}

/** JetStream streams and the subjects they capture. */
export const Streams = {
  controlEvents: { name: 'STRATA_CONTROL_EVENTS', subjects: ['strata.control.events.v1.>'] },
  /** The write-ahead log of samples: file storage, limits retention, 2 min duplicate window for retried writes. */
  ingest: { name: 'STRATA_INGEST', subjects: ['strata.ingest.samples.v1.>'] },
  /** Alerts sent by the ruler, per tenant, for the notification service. */
  rulerAlerts: { name: 'STRATA_RULER_ALERTS', subjects: ['strata.ruler.alerts.v1.>'] },
} as const;

/** JetStream KV buckets. */
export const KvBuckets = {
  /** Partition leases of ingesters: key `p<partition>` → `PartitionLease`, expiring when not renewed. */
  ingestLeases: 'STRATA_INGEST_LEASES',
  /** Active series per tenant: key `p<partition>` → `ActiveSeriesReport`, put by the partition's owner. */
  activeSeries: 'STRATA_ACTIVE_SERIES',
  /**
   * Notification: Alertmanager configs (`config.<tenant>`), silences, each tenant's delivery
   * lease (`lease.<tenant>` → `NotificationLease`) and each replica sharing them out
   * (`member.<owner>` → `NotificationMember`, live until the expiry in its value), shared by
   * replicas; the notification log's keys of earlier builds (`nflog.<tenant>.<id>`), read only.
   */
  notificationState: 'STRATA_NOTIFICATION',
  /**
   * Notification: the notification log (`nflog.<tenant>.<batch>` → the entries of notifications
   * sent together), written by the holder of the tenant's delivery lease, expiring after the
   * log's retention.
   */
  notificationLog: 'STRATA_NOTIFICATION_LOG',
  /**
   * Notification: snapshots of each tenant's alerts, in parts by the fingerprint's first two hex
   * digits (`alertsnap.<tenant>.<xx>` → `AlertSnapshotPart`), and `alertsnap-head` → the stream
   * sequence of `NotificationStreams.alertBatches` every part holds (replayed from the next one).
   */
  notificationAlerts: 'STRATA_NOTIFICATION_ALERTS',
  /** Notification: delivery attempts (`history.<tenant>.<id>`), expiring after the history retention. */
  notificationHistory: 'STRATA_NOTIFICATION_HISTORY',
  /** Compactor leases: key `t<hex of tenant>` → the compactor instance working on that tenant now. */
  compactorLeases: 'STRATA_COMPACTOR_LEASES',
  /** Ruler replicas (`m.<replica>`) and the rule groups each evaluates (`g.<group hash>`), expiring when not renewed. */
  rulerLeases: 'STRATA_RULER_LEASES',
  /** Tenants reserved by their dedicated ruler replicas (`t.<tenant hash>`), each held as long as its value says. */
  rulerReservations: 'STRATA_RULER_RESERVATIONS',
  /**
   * logflow's state per pipeline (`counters.<tenant>.<pipeline>` → `LogCounterState`):
   * `log_to_metric` totals with the batches counted, and the unfinished events merging transforms
   * hold between batches (kept apart at `held.<tenant>.<pipeline>` by older builds).
   */
  logflowState: 'STRATA_LOGFLOW_STATE',
  /** Events service replicas (`m.<replica>`), expiring when not renewed: each admits its share of a tenant's events rate. */
  eventsMembers: 'STRATA_EVENTS_MEMBERS',
  /** Gateway replicas (`m.<replica>`), expiring when not renewed: each admits its share of a tenant's log rate. */
  gatewayMembers: 'STRATA_GATEWAY_MEMBERS',
  /**
   * Log line bytes each tenant stored per UTC day (`logDailyBytesKey` → `LogDailyBytes`), counted
   * by every gateway replica with compare-and-set so `logBytesPerDay` holds across them.
   */
  logDailyBytes: 'STRATA_LOG_DAILY_BYTES',
  /**
   * Model registry: per-tenant locks (`t<hex of tenant>` → holder) taken by every gateway replica
   * to commit a manifest and by the model-registry service to collect garbage, expiring when not renewed.
   */
  modelLocks: 'STRATA_MODEL_LOCKS',
  /**
   * Model registry: the last deliveries of each registry webhook (`modelWebhookDeliveriesKey` →
   * `RegistryWebhookDelivery[]`, newest first), written by the model-registry service.
   */
  modelWebhookDeliveries: 'STRATA_MODEL_WEBHOOK_DELIVERIES',
  /** Key of a partition in the buckets above. */
  partitionKey: (partition: number) => `p${partitionToken(partition)}`,
} as const;

/** Hex of a tenant id for KV keys, since tenant ids may hold characters KV keys refuse. */
export function tenantKeyToken(tenant: string): string {
  // TextEncoder, not Buffer: contracts are also compiled for the browser console.
  return Array.from(new TextEncoder().encode(tenant), (b) => b.toString(16).padStart(2, '0')).join(
    '',
  );
}

/** Key of a tenant's bytes of one UTC day (days since the epoch) in `KvBuckets.logDailyBytes`. */
export function logDailyBytesKey(tenant: string, day: number): string {
  return `d${day}.t${tenantKeyToken(tenant)}`;
}

/** Value of a key in `KvBuckets.logDailyBytes`. */
export interface LogDailyBytes {
  bytes: number;
}

/** Queue groups: one per service, so each request is handled by one instance. */
export const QueueGroups = {
  of: (service: ServiceName) => subjectToken(service),
} as const;
