import { z } from 'zod';
import { TenantId } from '../control/ids';
import { subjectToken } from '../subjects';

/**
 * Request/reply subjects of the notification service (queue group `notification`); the gateway
 * serves Alertmanager's API v2 over them, one tenant per request (configurations are the control
 * plane's: `ConfigureAlertmanager`).
 */
export const NotificationSubjects = {
  postAlerts: 'strata.notification.post-alerts.v1',
  listAlerts: 'strata.notification.list-alerts.v1',
  alertGroups: 'strata.notification.alert-groups.v1',
  listSilences: 'strata.notification.list-silences.v1',
  getSilence: 'strata.notification.get-silence.v1',
  putSilence: 'strata.notification.put-silence.v1',
  expireSilence: 'strata.notification.expire-silence.v1',
  status: 'strata.notification.status.v1',
  receivers: 'strata.notification.receivers.v1',
  history: 'strata.notification.history.v1',
} as const;

const Labels = z.record(z.string(), z.string());

/** An alert as Alertmanager's API v2 takes it (`postableAlert`). */
export const PostableAlertSchema = z.object({
  labels: Labels,
  annotations: Labels.optional(),
  startsAt: z.string().datetime({ offset: true }).optional(),
  endsAt: z.string().datetime({ offset: true }).optional(),
  generatorURL: z.string().optional(),
});

/**
 * Accepted alert posts, one message each (split above `ALERT_BATCH_LIMIT` alerts): the gateway's
 * 200 means stored here. Every notification replica folds the stream into memory (accepting and
 * merging as Alertmanager does, at the batch's `receivedAt`), and a restart replays it after the
 * last snapshot (`alertsnap.*` in `KvBuckets.notificationAlerts`).
 */
export const NotificationStreams = {
  alertBatches: {
    name: 'STRATA_NOTIFICATION_ALERT_BATCHES',
    subjects: ['strata.notification.alert-batches.v1.>'],
    // Snapshots every few seconds cover what a restart needs; an hour bounds a stream that
    // Prometheus re-posts into every evaluation.
    maxAgeMs: 3_600_000,
    maxBytes: 2 * 1024 ** 3,
    duplicateWindowMs: 120_000,
    storage: 'file',
  },
} as const;

/** Subject of one tenant's accepted alert batches (`NotificationStreams.alertBatches`). */
export const notificationAlertBatchSubject = (tenantId: string) =>
  `strata.notification.alert-batches.v1.${subjectToken(tenantId)}` as const;

/** Most alerts in one message of `NotificationStreams.alertBatches`: far below a message's limit. */
export const ALERT_BATCH_LIMIT = 500;

/** An alert as posted, validated against `PostableAlertSchema`. */
export type PostedAlert = z.infer<typeof PostableAlertSchema>;

/** One message of `NotificationStreams.alertBatches`: the alerts of one post, as posted. */
export interface NotificationAlertBatch {
  readonly tenantId: string;
  /** When the post was accepted (ms): the alerts' receive time on every replica. */
  readonly receivedAt: number;
  readonly alerts: readonly PostedAlert[];
}

/** API v2 `gettableAlert`. */
export interface GettableAlert {
  annotations: Record<string, string>;
  endsAt: string;
  fingerprint: string;
  receivers: { name: string }[];
  startsAt: string;
  status: {
    inhibitedBy: string[];
    silencedBy: string[];
    state: 'active' | 'suppressed' | 'unprocessed';
  };
  updatedAt: string;
  generatorURL?: string;
  labels: Record<string, string>;
}

/** A matcher of API v2 `gettableSilence`. */
export interface SilenceMatcher {
  name: string;
  value: string;
  isRegex: boolean;
  isEqual: boolean;
}

/** API v2 `gettableSilence`. */
export interface GettableSilence {
  id: string;
  status: { state: 'pending' | 'active' | 'expired' };
  updatedAt: string;
  comment: string;
  createdBy: string;
  endsAt: string;
  matchers: SilenceMatcher[];
  startsAt: string;
}

/** A post's alerts as the messages that store them: `ALERT_BATCH_LIMIT` alerts at the most in each. */
export function alertBatchesOf(
  tenantId: string,
  receivedAt: number,
  alerts: readonly PostedAlert[],
): NotificationAlertBatch[] {
  const batches: NotificationAlertBatch[] = [];
  for (let i = 0; i < alerts.length; i += ALERT_BATCH_LIMIT)
    batches.push({ tenantId, receivedAt, alerts: alerts.slice(i, i + ALERT_BATCH_LIMIT) });
  return batches;
}

/**
 * One message of `NotificationStreams.alertBatches` written from the JSON texts of posted alert
 * lists (each a JSON array, as posted and already checked): the same message as
 * `alertBatchesOf` gives for their alerts together, at most `ALERT_BATCH_LIMIT` of them, without
 * encoding the alerts again.
 */
export function alertBatchText(
  tenantId: string,
  receivedAt: number,
  postedArrays: readonly string[],
): string {
  let alerts = '';
  for (const text of postedArrays) {
    const inner = text.slice(text.indexOf('[') + 1, text.lastIndexOf(']')).trim();
    if (inner === '') continue;
    alerts += alerts === '' ? inner : `,${inner}`;
  }
  return `{"tenantId":${JSON.stringify(tenantId)},"receivedAt":${receivedAt},"alerts":[${alerts}]}`;
}

/** An alert as the notification service keeps it (Alertmanager's `types.Alert`, times in ms). */
export interface StoredAlert {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly startsAt: number;
  readonly endsAt: number | null;
  readonly generatorURL: string;
  readonly updatedAt: number;
  readonly timeout: boolean;
  readonly fingerprint: string;
}

/** A snapshot part of one tenant's alerts (`alertsnap.<tenant>.<xx>`), complete up to `seq`. */
export interface AlertSnapshotPart {
  readonly seq: number;
  readonly alerts: readonly StoredAlert[];
}

/**
 * A tenant's delivery lease in `KvBuckets.notificationState` (`notificationLeaseKey`): the one
 * replica that sends the tenant's notifications, until `until` (ms since the epoch) unless it
 * renews; once that passes, another replica may take it.
 */
export interface NotificationLease {
  readonly owner: string;
  readonly until: number;
}

/** Key of a tenant's delivery lease in `KvBuckets.notificationState`. */
export const notificationLeaseKey = (tenantId: string) => `lease.${tenantId}`;

/**
 * A notification replica in `KvBuckets.notificationState` (`notificationMemberKey`), written again
 * whenever it renews its delivery leases: it counts in every replica's fair share of the leases
 * until `until` (ms since the epoch); `holds` and `wants` are its leases and its tenants then.
 */
export interface NotificationMember {
  readonly owner: string;
  readonly until: number;
  readonly holds: number;
  readonly wants: number;
}

/** Key of a notification replica's membership in `KvBuckets.notificationState`. */
export const notificationMemberKey = (owner: string) => `member.${owner}`;

/** Filter of every replica's `notificationMemberKey`. */
export const notificationMemberKeys = 'member.>';

/** `POST /api/v2/alerts` for one tenant. */
export const PostAlertsRequest = z.object({
  tenantId: TenantId,
  alerts: z.array(PostableAlertSchema),
});
/** Parsed alert post. */
export type PostAlertsRequest = z.infer<typeof PostAlertsRequest>;

/** Filters of `GET /api/v2/alerts` and `/alerts/groups`. */
export const ListAlertsRequest = z.object({
  tenantId: TenantId,
  filter: z.array(z.string()).default([]),
  active: z.boolean().default(true),
  silenced: z.boolean().default(true),
  inhibited: z.boolean().default(true),
  unprocessed: z.boolean().default(true),
  receiver: z.string().optional(),
});
/** Parsed alert filters. */
export type ListAlertsRequest = z.infer<typeof ListAlertsRequest>;

/** A silence matcher as API v2 carries it. */
export const SilenceMatcherSchema = z.object({
  name: z.string(),
  value: z.string(),
  isRegex: z.boolean(),
  isEqual: z.boolean().default(true),
});

/** `POST /api/v2/silences` (an `id` updates that silence). */
export const PutSilenceRequest = z.object({
  tenantId: TenantId,
  silence: z.object({
    id: z.string().optional(),
    matchers: z.array(SilenceMatcherSchema).min(1),
    startsAt: z.string().datetime({ offset: true }),
    endsAt: z.string().datetime({ offset: true }),
    createdBy: z.string().min(1),
    comment: z.string().min(1),
  }),
});
/** Parsed silence upsert. */
export type PutSilenceRequest = z.infer<typeof PutSilenceRequest>;

/** A request naming one tenant only. */
export const TenantRequest = z.object({ tenantId: TenantId });
/** Parsed tenant-only request. */
export type TenantRequest = z.infer<typeof TenantRequest>;

/** A request naming one silence of a tenant. */
export const SilenceIdRequest = z.object({ tenantId: TenantId, id: z.string().min(1) });
/** Parsed silence id request. */
export type SilenceIdRequest = z.infer<typeof SilenceIdRequest>;

/** `GET /api/v2/silences` with its matcher filter. */
export const ListSilencesRequest = z.object({
  tenantId: TenantId,
  filter: z.array(z.string()).default([]),
});
/** Parsed silence list request. */
export type ListSilencesRequest = z.infer<typeof ListSilencesRequest>;

/** `GET /api/v1/notifications/history` filters and cursor. */
export const HistoryRequest = z.object({
  tenantId: TenantId,
  receiver: z.string().optional(),
  status: z.enum(['sent', 'failed']).optional(),
  integration: z.string().optional(),
  since: z.string().datetime({ offset: true }).optional(),
  limit: z.number().int().min(1).max(1000).default(100),
  cursor: z.string().optional(),
});
/** Parsed history query. */
export type HistoryRequest = z.infer<typeof HistoryRequest>;

/** One delivery attempt in the history. */
export interface HistoryEntry {
  readonly id: string;
  readonly tenantId: string;
  readonly receiver: string;
  readonly integration: string;
  readonly groupKey: string;
  readonly status: 'sent' | 'failed';
  readonly alerts: readonly {
    fingerprint: string;
    status: string;
    labels: Record<string, string>;
  }[];
  readonly error?: string;
  readonly attempts: number;
  readonly durationMs: number;
  readonly at: string;
}

/** A page of history, newest first; `nextCursor` continues it. */
export interface HistoryPage {
  readonly items: readonly HistoryEntry[];
  readonly nextCursor: string | null;
}
