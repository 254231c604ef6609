import { type SecretKeyring } from '@strata/service-kit';
/** Token of the notification module's options. */
export const NOTIFICATION_OPTIONS = Symbol.for('@strata/notification:options');

/** What the notification service is configured with. */
export interface NotificationOptions {
  /** `.ExternalURL` of templates and webhook bodies: where users reach Strata's Alertmanager API. */
  readonly externalUrl: string;
  /** How long delivery attempts stay in the history. */
  readonly historyRetentionMs: number;
  /** Time between snapshots of the alerts held (a restart replays the stream after the last). */
  readonly alertSnapshotEveryMs: number;
  /**
   * How long a tenant's delivery lease lasts unrenewed (renewed every third of it): a replica that
   * dies stops sending, and another takes the tenant's notifications over this long after its
   * last renewal at most.
   */
  readonly deliveryLeaseMs: number;
  /** How long the notification log keeps an entry (Alertmanager's `--data.retention`). */
  readonly notificationLogRetentionMs: number;
  /** First retry delay of a failed delivery. */
  readonly retryBaseMs?: number;
  /** Opens receivers' sealed credentials (`STRATA_SECRET_KEY`). */
  readonly secretKeyring?: SecretKeyring | null;
}
