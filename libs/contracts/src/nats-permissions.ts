/**
 * Who may do what on NATS: one identity per service, each allowed to publish and subscribe on
 * the subjects it uses and nothing else. This table is the only place permissions are written;
 * the nats-server configs of the dev/test stack and of the kustomize base are rendered from it.
 */
import { EventsStreams, EventsSubjects } from './events/events-api';
import { LogflowStreams, LogflowSubjects } from './logs/logflow-api';
import { LogsStreams, LogsSubjects } from './logs/logs-api';
import { PipelineStatsSubjects } from './logs/pipeline-stats';
import { ModelsSubjects } from './models/models-api';
import { NotificationStreams, NotificationSubjects } from './notification/notification-api';
import { QuerySubjects } from './query/query-api';
import { KvBuckets, SERVICE_NAMES, Streams, Subjects, type ServiceName } from './subjects';

/**
 * The identity of a process that runs several services (the all-in-one app): one trust domain,
 * so one NATS user whose permissions are the union of its services'.
 */
export const NATS_MONOLITH_IDENTITY = 'monolith';

/** A NATS user of the platform: one per service, plus the monolith. */
export type NatsIdentity = ServiceName | typeof NATS_MONOLITH_IDENTITY;

/** Every platform identity, services first. */
export const NATS_IDENTITIES: readonly NatsIdentity[] = [...SERVICE_NAMES, NATS_MONOLITH_IDENTITY];

/** What one identity may do; rendered as a nats-server `permissions` block. */
export interface NatsPermissions {
  /** Subjects it may publish to: requests it sends, JetStream publishes, JetStream API calls, acks. */
  readonly publish: readonly string[];
  /** Subjects it may subscribe to: what it serves, and its own inboxes. */
  readonly subscribe: readonly string[];
  /**
   * It may answer requests it received, on their reply subject only (nats-server's
   * `allow_responses`, one reply per request), without any publish right on other inboxes.
   */
  readonly allowResponses: true;
}

/** What a service does on NATS, before its inboxes are added. */
interface ServiceGrants {
  publish: string[];
  subscribe: string[];
  /**
   * Services whose inboxes it exchanges chunk parts with (libs/bus sends the parts of a payload
   * above max_payload as requests to an inbox the peer names, so the sender publishes there).
   */
  chunksWith: ServiceName[];
}

/** Inbox prefix of an identity: its requests' replies arrive under it, and only it may subscribe there. */
export function natsInboxPrefix(identity: string): string {
  return `_INBOX.${identity}`;
}

const kvStream = (bucket: string) => `KV_${bucket}`;

/** JetStream API calls of anything that uses JetStream: the client's account check. */
const JS_INFO = ['$JS.API.INFO'];

/** Declaring one stream (create-or-update at start, as every owner does). */
function declareStream(stream: string): string[] {
  return ['INFO', 'CREATE', 'UPDATE'].map((op) => `$JS.API.STREAM.${op}.${stream}`);
}

/** Reading one stream's messages by sequence or subject (chunk assembly, last sequence of a partition). */
function readStream(stream: string): string[] {
  return [
    `$JS.API.STREAM.MSG.GET.${stream}`,
    `$JS.API.DIRECT.GET.${stream}`,
    `$JS.API.DIRECT.GET.${stream}.>`,
  ];
}

/** Creating, pulling from, acknowledging and deleting consumers of one stream. */
function consumeStream(stream: string): string[] {
  return [
    `$JS.API.STREAM.INFO.${stream}`,
    ...['CREATE', 'DURABLE.CREATE', 'INFO', 'DELETE', 'MSG.NEXT'].map(
      (op) => `$JS.API.CONSUMER.${op}.${stream}.>`,
    ),
    `$JS.API.CONSUMER.CREATE.${stream}`,
    `$JS.ACK.${stream}.>`,
  ];
}

/** Watching a KV bucket: ordered push consumers with flow control. */
function watchKv(bucket: string): string[] {
  return [...consumeStream(kvStream(bucket)), `$JS.FC.${kvStream(bucket)}.>`];
}

/** Opening (creating when missing), reading and writing a KV bucket. */
function useKv(bucket: string, access: 'read' | 'write'): string[] {
  return [
    ...declareStream(kvStream(bucket)),
    ...readStream(kvStream(bucket)),
    ...watchKv(bucket),
    ...(access === 'write' ? [`$KV.${bucket}.>`] : []),
  ];
}

/** Serving health and info of one service (libs/service-kit): every instance answers. */
function servesHealth(service: ServiceName): string[] {
  return [Subjects.serviceHealth(service), Subjects.serviceInfo(service)];
}

/** What each service does on NATS today. A subject a service starts to use must be added here. */
const GRANTS: Record<ServiceName, ServiceGrants> = {
  gateway: {
    publish: [
      // The only identity that may send control-plane commands: the actor it names is the one it authenticated.
      Subjects.controlCommand,
      Subjects.controlQuery,
      Subjects.routerWrite,
      Subjects.routerWriteBinary,
      ...Object.values(QuerySubjects),
      ...Object.values(NotificationSubjects),
      Subjects.rulerStatus,
      // Deleting a model version asks the model-registry service to collect what it freed.
      ModelsSubjects.collectGarbage,
      // A registry webhook's test delivery and its history are the model-registry service's.
      ModelsSubjects.testWebhook,
      ModelsSubjects.webhookDeliveries,
      EventsSubjects.ingest,
      EventsSubjects.search,
      // Pipeline throughput, summed over the logflow replicas that answer.
      PipelineStatsSubjects.stats,
      // The log sources store their batches in the log flow's durable buffer themselves.
      ...JS_INFO,
      '$JS.API.STREAM.NAMES',
      ...declareStream(LogsStreams.batches.name),
      LogsSubjects.batchesAll,
      // Posted alerts are stored in the notification service's stream before the answer.
      ...declareStream(NotificationStreams.alertBatches.name),
      ...NotificationStreams.alertBatches.subjects,
      // A manifest is committed under the tenant's model lock, shared with every replica and the GC.
      ...useKv(KvBuckets.modelLocks, 'write'),
      // The log limits hold across replicas: each counts the others and adds to the shared day total.
      ...useKv(KvBuckets.gatewayMembers, 'write'),
      ...useKv(KvBuckets.logDailyBytes, 'write'),
      // The admission cache forgets revoked keys and suspended tenants as their events arrive.
      ...consumeStream(Streams.controlEvents.name),
      // Readiness and status of the platform behind the edge.
      'strata.service.health.v1.*',
      'strata.service.info.v1.*',
    ],
    subscribe: servesHealth('gateway'),
    chunksWith: ['router', 'query', 'control-plane', 'ruler', 'events'],
  },
  'control-plane': {
    publish: [
      ...JS_INFO,
      ...declareStream(Streams.controlEvents.name),
      '$JS.API.STREAM.NAMES',
      Subjects.controlEventsAll,
    ],
    subscribe: [Subjects.controlCommand, Subjects.controlQuery, ...servesHealth('control-plane')],
    chunksWith: [],
  },
  router: {
    publish: [
      Subjects.controlQuery,
      // Counts its peers to split tenants' rates among them.
      Subjects.serviceHealth('router'),
      ...JS_INFO,
      ...declareStream(Streams.ingest.name),
      '$JS.API.STREAM.NAMES',
      Subjects.ingestSamplesAll,
      ...consumeStream(Streams.controlEvents.name),
      ...useKv(KvBuckets.activeSeries, 'read'),
    ],
    subscribe: [Subjects.routerWrite, Subjects.routerWriteBinary, ...servesHealth('router')],
    chunksWith: [],
  },
  ingester: {
    publish: [
      ...JS_INFO,
      ...declareStream(Streams.ingest.name),
      ...readStream(Streams.ingest.name),
      ...consumeStream(Streams.ingest.name),
      `$JS.API.CONSUMER.LIST.${Streams.ingest.name}`,
      ...useKv(KvBuckets.ingestLeases, 'write'),
      ...useKv(KvBuckets.activeSeries, 'write'),
    ],
    subscribe: ['strata.store.query.v1.ingester.>', ...servesHealth('ingester')],
    chunksWith: [],
  },
  query: {
    publish: ['strata.store.query.v1.>'],
    subscribe: [...Object.values(QuerySubjects), ...servesHealth('query')],
    chunksWith: ['ingester', 'store'],
  },
  compactor: {
    // Asks tenants' quotas (retention) and holds a lease per tenant while it compacts it.
    publish: [Subjects.controlQuery, ...JS_INFO, ...useKv(KvBuckets.compactorLeases, 'write')],
    subscribe: servesHealth('compactor'),
    chunksWith: [],
  },
  store: {
    // Store gateways answer the Store API for their shard; replies go back to the asker's inbox.
    subscribe: ['strata.store.query.v1.store.>', ...servesHealth('store')],
    publish: [],
    chunksWith: [],
  },
  ruler: {
    publish: [
      Subjects.controlQuery,
      QuerySubjects.instant,
      Subjects.routerWriteBinary,
      // Gathers the status of every replica's groups for the gateway.
      'strata.ruler.replica-status.v1.*',
      ...JS_INFO,
      ...declareStream(Streams.rulerAlerts.name),
      ...Streams.rulerAlerts.subjects,
      ...useKv(KvBuckets.rulerLeases, 'write'),
      ...useKv(KvBuckets.rulerReservations, 'write'),
    ],
    subscribe: [Subjects.rulerStatus, 'strata.ruler.replica-status.v1.*', ...servesHealth('ruler')],
    chunksWith: ['router', 'query', 'control-plane', 'ruler'],
  },
  logflow: {
    publish: [
      // Reads every tenant's pipelines, and writes log_to_metric counters in the tenant's name.
      Subjects.controlQuery,
      Subjects.routerWriteBinary,
      ...JS_INFO,
      '$JS.API.STREAM.NAMES',
      ...declareStream(LogsStreams.batches.name),
      ...readStream(LogsStreams.batches.name),
      ...consumeStream(LogsStreams.batches.name),
      // A deleted pipeline's consumer is removed.
      `$JS.API.CONSUMER.LIST.${LogsStreams.batches.name}`,
      ...declareStream(LogflowStreams.deadLetters.name),
      LogflowSubjects.deadLettersAll,
      ...declareStream(LogflowStreams.alerts.name),
      LogflowSubjects.alertsAll,
      ...consumeStream(Streams.controlEvents.name),
      // log_to_metric totals and held unfinished events survive restarts.
      ...useKv(KvBuckets.logflowState, 'write'),
    ],
    // Every replica answers the gateway's throughput question with its own counts.
    subscribe: [...servesHealth('logflow'), PipelineStatsSubjects.stats],
    chunksWith: ['control-plane', 'router'],
  },
  notification: {
    publish: [
      ...JS_INFO,
      ...declareStream(Streams.rulerAlerts.name),
      ...consumeStream(Streams.rulerAlerts.name),
      ...declareStream(EventsStreams.alerts.name),
      ...consumeStream(EventsStreams.alerts.name),
      ...declareStream(LogflowStreams.alerts.name),
      ...consumeStream(LogflowStreams.alerts.name),
      // Accepted alerts: each post is stored here before its reply, and every replica follows it.
      ...declareStream(NotificationStreams.alertBatches.name),
      ...NotificationStreams.alertBatches.subjects,
      ...consumeStream(NotificationStreams.alertBatches.name),
      // A tenant's last sequence: how far to fold before answering a read.
      ...readStream(NotificationStreams.alertBatches.name),
      ...useKv(KvBuckets.notificationState, 'write'),
      ...useKv(KvBuckets.notificationLog, 'write'),
      ...useKv(KvBuckets.notificationAlerts, 'write'),
      ...useKv(KvBuckets.notificationHistory, 'write'),
      // Tenants' configurations: asked of the control plane, changes followed on its events.
      Subjects.controlQuery,
      ...consumeStream(Streams.controlEvents.name),
    ],
    subscribe: [...Object.values(NotificationSubjects), ...servesHealth('notification')],
    chunksWith: [],
  },
  events: {
    publish: [
      ...JS_INFO,
      '$JS.API.STREAM.NAMES',
      ...declareStream(EventsStreams.batches.name),
      ...declareStream(EventsStreams.alerts.name),
      EventsSubjects.batchesAll,
      EventsSubjects.alertsAll,
      ...useKv(KvBuckets.eventsMembers, 'write'),
      // Chunked batches are read back by sequence when their last part arrives.
      ...readStream(EventsStreams.batches.name),
      ...consumeStream(EventsStreams.batches.name),
      // Tenants' rule sets and quotas, loaded once and then followed.
      Subjects.controlQuery,
      ...consumeStream(Streams.controlEvents.name),
    ],
    subscribe: [EventsSubjects.ingest, EventsSubjects.search, ...servesHealth('events')],
    chunksWith: ['control-plane'],
  },
  'model-registry': {
    publish: [
      ...JS_INFO,
      ...useKv(KvBuckets.modelLocks, 'write'),
      // Registry webhooks: model events on a durable consumer, subscriptions asked per event.
      Subjects.controlQuery,
      ...useKv(KvBuckets.modelWebhookDeliveries, 'write'),
      ...consumeStream(Streams.controlEvents.name),
    ],
    subscribe: [
      ...servesHealth('model-registry'),
      ModelsSubjects.collectGarbage,
      ModelsSubjects.testWebhook,
      ModelsSubjects.webhookDeliveries,
    ],
    chunksWith: [],
  },
};

/** The identity a process connects as: its service's when it runs one, the monolith's otherwise. */
export function natsIdentityFor(services: readonly ServiceName[]): NatsIdentity {
  return services.length === 1 ? services[0] : NATS_MONOLITH_IDENTITY;
}

/** The permissions of one identity, inboxes included; the monolith gets the union of every service's. */
export function natsPermissionsOf(identity: NatsIdentity): NatsPermissions {
  const services = identity === NATS_MONOLITH_IDENTITY ? [...SERVICE_NAMES] : [identity];
  const publish = new Set<string>();
  const subscribe = new Set<string>([`${natsInboxPrefix(identity)}.>`]);
  for (const service of services) {
    const grants = GRANTS[service];
    grants.publish.forEach((s) => publish.add(s));
    grants.subscribe.forEach((s) => subscribe.add(s));
    // A peer inside the monolith uses the monolith's inbox; one outside uses its own.
    for (const peer of grants.chunksWith) publish.add(`${natsInboxPrefix(peer)}.>`);
    if (grants.chunksWith.length > 0 && identity === NATS_MONOLITH_IDENTITY)
      publish.add(`${natsInboxPrefix(identity)}.>`);
  }
  return { publish: [...publish], subscribe: [...subscribe], allowResponses: true };
}

/** Name of the file, in a credentials directory, that holds an identity's password. */
export function natsPasswordFile(identity: string): string {
  return `${identity}.password`;
}
