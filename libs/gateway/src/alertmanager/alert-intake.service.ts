import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { checkPostedAlerts, type PostableAlert } from '@strata/alertmanager';
import {
  ALERT_BATCH_LIMIT,
  alertBatchesOf,
  alertBatchText,
  NotificationStreams,
  StrataError,
  notificationAlertBatchSubject,
} from '@strata/contracts';
import { GATEWAY_OPTIONS, type GatewayOptions } from '../gateway.options';
import { AlertGroupCommit } from './alert-group-commit';

/**
 * Stores of one tenant under way at once: a post waits for its own publish (and at most the
 * posts gathered behind a full window), not for the whole store ahead of it as well.
 */
const STORES_IN_FLIGHT = 4;

/** This process, in the ids of the batches it stores (the stream drops a retried one). */
const PUBLISHER = randomUUID();

/**
 * The alert intake: a tenant's posted alerts are checked here and stored in the notification
 * service's stream of accepted alerts before the post is answered; every notification replica
 * folds that stream. So a 200 survives any notification process dying. A tenant's posts are
 * stored with a few publishes under way at once (pipelined on one connection, so in order); posts
 * that arrive while that window is full are stored together (group commit).
 */
@Injectable()
export class AlertIntake {
  private stream: Promise<void> | null = null;
  private published = 0;
  private readonly commits = new AlertGroupCommit(
    (tenantId, alerts, texts) => this.publish(tenantId, alerts, texts),
    STORES_IN_FLIGHT,
  );

  constructor(@Inject(GATEWAY_OPTIONS) private readonly options: GatewayOptions) {}

  /** Checks a posted body as API v2 does; a refusal is a 400 naming each alert's problem. */
  check(body: unknown): PostableAlert[] {
    const checked = checkPostedAlerts(body);
    if ('problems' in checked)
      throw new StrataError(
        'bad_request',
        checked.problems.map((p) => `alerts.${p.path}: ${p.message}`).join('; '),
        checked.problems.map((p) => ({ path: `alerts.${p.path}`, message: p.message })),
      );
    return checked.alerts;
  }

  /**
   * Stores checked alerts; resolves once JetStream acknowledged every part. `text`, the posted
   * JSON the alerts were parsed from, is stored as it came when it can be (not encoded again).
   */
  async store(tenantId: string, alerts: readonly PostableAlert[], text?: string): Promise<void> {
    if (alerts.length === 0) return;
    await this.commits.store(tenantId, alerts, text);
  }

  private async publish(
    tenantId: string,
    alerts: readonly PostableAlert[],
    texts: string[] | null,
  ): Promise<void> {
    // Declared on first use, not at boot, so the edge starts while JetStream is still coming up.
    const spec = NotificationStreams.alertBatches;
    this.stream ??= this.options.bus
      .ensureStream({ ...spec, subjects: [...spec.subjects] })
      .catch((error: unknown) => {
        this.stream = null;
        throw error;
      });
    const receivedAt = Date.now();
    try {
      await this.stream;
      const subject = notificationAlertBatchSubject(tenantId);
      // The posts' own text when they fit one message: parsed once to be checked, not encoded again.
      const messages =
        texts !== null && alerts.length <= ALERT_BATCH_LIMIT
          ? [Buffer.from(alertBatchText(tenantId, receivedAt, texts))]
          : alertBatchesOf(tenantId, receivedAt, alerts);
      await Promise.all(
        messages.map((message) =>
          this.options.bus.publish(subject, message, {
            msgId: `${PUBLISHER}-${++this.published}`,
          }),
        ),
      );
    } catch (error) {
      throw new StrataError('unavailable', `the alerts were not stored: ${String(error)}`);
    }
  }
}
