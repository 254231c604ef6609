import { z } from 'zod';
import { TenantId } from '../control/ids';

/** The two kinds of records the events service takes: Kubernetes events and audit events. */
export const EVENT_RECORD_KINDS = ['events', 'audit'] as const;
/** One kind of record. */
export const EventRecordKind = z.enum(EVENT_RECORD_KINDS);
export type EventRecordKind = z.infer<typeof EventRecordKind>;

/**
 * Subjects of the events service: the gateway's ingest and search requests (queue group
 * `events`), the batches it stores in `STRATA_EVENTS`, and the alerts it raises.
 */
export const EventsSubjects = {
  /**
   * An accepted batch from the gateway: the request's body as it came, with {@link EventBatchMeta}
   * beside it (binary codec); answered once `STRATA_EVENTS` stored it.
   */
  ingest: 'strata.events.ingest.v2',
  /** Archive search and histogram of one tenant. */
  search: 'strata.events.search.v1',
  /** Batches of one kind in `STRATA_EVENTS`, evaluated and archived by the events service. */
  batches: (kind: EventRecordKind) => `strata.events.batch.v1.${kind}` as const,
  /** Every batch. */
  batchesAll: 'strata.events.batch.v1.>',
  /** Alerts raised by event and audit rules for one tenant (`STRATA_EVENT_ALERTS`), for the notification service. */
  alerts: (tenantId: string) => `strata.alerts.events.v1.${TenantId.parse(tenantId)}` as const,
  /** Every tenant's event alerts. */
  alertsAll: 'strata.alerts.events.v1.>',
} as const;

/** Streams the events service declares at start (the notification service declares `alerts` too). */
export const EventsStreams = {
  /** Accepted batches: the gateway's 2xx means stored here. Limits retention, 2 min duplicate window. */
  batches: { name: 'STRATA_EVENTS', subjects: ['strata.events.batch.v1.>'] },
  /**
   * Alerts raised by rules, kept a day for the notification service's consumer. Both services
   * declare it (whichever starts first creates it), so its retention lives here.
   */
  alerts: {
    name: 'STRATA_EVENT_ALERTS',
    subjects: ['strata.alerts.events.v1.>'],
    maxAgeMs: 86_400_000,
  },
} as const;

/** A cluster name as a label: what kube-events' exporter sends in `cluster`, or the request names. */
export const ClusterName = z
  .string()
  .max(253)
  .regex(/^[A-Za-z0-9]([A-Za-z0-9_.-]*[A-Za-z0-9])?$|^$/, 'letters, digits, `_`, `.` and `-`');

const JsonObject = z.record(z.string(), z.unknown());

/** A batch of one request, validated at the edge and taken whole: what the evaluator reads (and the JSON form of `STRATA_EVENTS` messages stored before {@link EVENT_BATCH_HEADER}). */
export const EventBatch = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('events'),
      tenantId: TenantId,
      /** Deterministic over tenant and body, so a retried request is stored once. */
      batchId: z.string().min(1).max(128),
      receivedAt: z.number().int().nonnegative(),
      items: z.array(z.object({ cluster: ClusterName, event: JsonObject }).strict()).min(1),
    })
    .strict(),
  z
    .object({
      kind: z.literal('audit'),
      tenantId: TenantId,
      batchId: z.string().min(1).max(128),
      receivedAt: z.number().int().nonnegative(),
      cluster: ClusterName,
      items: z.array(JsonObject).min(1),
    })
    .strict(),
]);
export type EventBatch = z.infer<typeof EventBatch>;

/**
 * What travels beside a batch's raw body, validated at the edge: on `EventsSubjects.ingest` as the
 * binary request's metadata, and in `STRATA_EVENTS` as the message's {@link EVENT_BATCH_HEADER}.
 * The body is re-read with the edge's own parser, so it is decoded once per hop, never re-encoded.
 */
export const EventBatchMeta = z
  .object({
    kind: EventRecordKind,
    tenantId: TenantId,
    /** Deterministic over tenant and body, so a retried request is stored once. */
    batchId: z.string().min(1).max(128),
    receivedAt: z.number().int().nonnegative(),
    /** audit: the batch's cluster; events: the cluster of events that name none. */
    cluster: ClusterName,
    /** Records in the body, as the edge counted them (what the rate is charged). */
    count: z.number().int().positive(),
  })
  .strict();
export type EventBatchMeta = z.infer<typeof EventBatchMeta>;

/** The header of a `STRATA_EVENTS` message holding its {@link EventBatchMeta} as JSON; without it the message is a JSON {@link EventBatch}. */
export const EVENT_BATCH_HEADER = 'Strata-Event-Batch';

/** What the events service answers once a batch is durable. */
export interface EventBatchAccepted {
  readonly accepted: number;
  /** The same batch was stored before (a retried request). */
  readonly duplicate: boolean;
}

/** One alert as Alertmanager's API v2 takes it (`postableAlert`). */
export const EventPostableAlert = z
  .object({
    labels: z.record(z.string(), z.string()),
    annotations: z.record(z.string(), z.string()).optional(),
    startsAt: z.string().datetime({ offset: true }).optional(),
    endsAt: z.string().datetime({ offset: true }).optional(),
    generatorURL: z.string().optional(),
  })
  .strict();
export type EventPostableAlert = z.infer<typeof EventPostableAlert>;

/** The alerts of one batch for one tenant, published on `EventsSubjects.alerts(tenant)`. */
export const EventAlerts = z
  .object({ tenantId: TenantId, alerts: z.array(EventPostableAlert).min(1) })
  .strict();
export type EventAlerts = z.infer<typeof EventAlerts>;

const optionalText = z.string().min(1).max(1024).optional();

/** Search of one tenant's archive (`GET /api/v1/events/search`, `/api/v1/audit/search`). */
export const EventSearchRequest = z
  .object({
    tenantId: TenantId,
    kind: EventRecordKind,
    /** Epoch milliseconds, start inclusive, end exclusive. */
    start: z.number().int(),
    end: z.number().int(),
    cluster: optionalText,
    namespace: optionalText,
    /** The object's name (involvedObject.name, objectRef.name). */
    name: optionalText,
    /** The object's kind (events) or resource (audit). */
    resource: optionalText,
    reason: optionalText,
    type: optionalText,
    user: optionalText,
    verb: optionalText,
    responseCode: z.number().int().min(0).max(999).optional(),
    /** Case-insensitive substring of the message (audit: responseStatus.message and requestURI). */
    text: optionalText,
    sort: z.enum(['asc', 'desc']).default('desc'),
    limit: z.number().int().min(0).max(1000).default(100),
    cursor: z.string().max(512).optional(),
    /** Histogram bucket width in seconds; no histogram when absent. */
    intervalSeconds: z.number().int().min(1).optional(),
    /** Count every match; by default the total stops at {@link SEARCH_TOTAL_CAP} (as Elasticsearch's `track_total_hits`). */
    exactTotal: z.boolean().optional(),
  })
  .strict();
export type EventSearchRequest = z.input<typeof EventSearchRequest>;

/** Matches a search counts before it stops (unless `exactTotal`): counting millions costs seconds. */
export const SEARCH_TOTAL_CAP = 10_000;

/** A search's answer: the page, the cursor of the next page, the total and the histogram. */
export interface EventSearchResult {
  /** Every match when `totalExact`; otherwise at least this many ({@link SEARCH_TOTAL_CAP}). */
  readonly total: number;
  readonly totalExact: boolean;
  readonly items: ReadonlyArray<{ time: string; cluster: string; event: Record<string, unknown> }>;
  readonly nextCursor: string | null;
  readonly histogram?: ReadonlyArray<{ time: string; count: number }>;
}
