import { Logger } from '@nestjs/common';
import { type Bus } from '@strata/bus';
import { type NotifiedAlert, type RulerAlertBatch, Subjects } from '@strata/contracts';

/** Prometheus' notifier sends at most this many alerts per request (`--alertmanager.notification-batch-size`... its default). */
const MAX_BATCH = 64;
/** Prometheus' notification queue capacity: older alerts are dropped beyond it. */
const QUEUE_CAPACITY = 10_000;

/** What the sender counts, for `/metrics`. */
export interface AlertSenderObserver {
  sent(url: string, alerts: number): void;
  failed(url: string, alerts: number): void;
  dropped(alerts: number): void;
}

/**
 * Sends alerts as Prometheus' notifier does: queued per tenant, in batches of 64 to every
 * Alertmanager (`POST /api/v2/alerts`, `X-Scope-OrgID` naming the tenant, `{tenant}` in a URL
 * replaced by it), and published on `Subjects.rulerAlerts(tenant)` for Strata's notification service.
 */
export class AlertSender {
  private readonly log = new Logger('RulerAlerts');
  private readonly queues = new Map<string, RulerAlertBatch[]>();
  private draining: Promise<void> | null = null;

  constructor(
    private readonly bus: Pick<Bus, 'publish'>,
    private readonly alertmanagers: readonly string[],
    private readonly observer: AlertSenderObserver,
    private readonly timeoutMs = 10_000,
  ) {}

  /** Queues one rule's alerts and starts sending if idle. */
  enqueue(batch: RulerAlertBatch): void {
    if (batch.alerts.length === 0) return;
    const queue = this.queues.get(batch.tenantId) ?? [];
    queue.push(batch);
    let queued = queue.reduce((n, b) => n + b.alerts.length, 0);
    while (queued > QUEUE_CAPACITY && queue.length > 1) {
      const dropped = queue.shift() as RulerAlertBatch;
      queued -= dropped.alerts.length;
      this.observer.dropped(dropped.alerts.length);
    }
    this.queues.set(batch.tenantId, queue);
    this.draining ??= this.drain().finally(() => {
      this.draining = null;
    });
  }

  /** Resolves once everything queued so far was sent or given up. */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private async drain(): Promise<void> {
    while (this.queues.size > 0) {
      const [tenantId, batches] = this.queues.entries().next().value as [string, RulerAlertBatch[]];
      this.queues.delete(tenantId);
      await Promise.all(batches.map((b) => this.publish(b)));
      const alerts = batches.flatMap((b) => b.alerts);
      for (let i = 0; i < alerts.length; i += MAX_BATCH) {
        const chunk = alerts.slice(i, i + MAX_BATCH);
        await Promise.all(this.alertmanagers.map((url) => this.post(url, tenantId, chunk)));
      }
    }
  }

  private async publish(batch: RulerAlertBatch): Promise<void> {
    try {
      await this.bus.publish(Subjects.rulerAlerts(batch.tenantId), batch);
    } catch (error) {
      this.log.warn(
        `publishing alerts of ${batch.tenantId}/${batch.group} failed: ${String(error)}`,
      );
    }
  }

  private async post(base: string, tenantId: string, alerts: NotifiedAlert[]): Promise<void> {
    const url = `${base.replaceAll('{tenant}', encodeURIComponent(tenantId)).replace(/\/+$/, '')}/api/v2/alerts`;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-scope-orgid': tenantId,
          'user-agent': 'strata-ruler',
        },
        body: JSON.stringify(alerts),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      if (!response.ok)
        throw new Error(`HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`);
      this.observer.sent(base, alerts.length);
    } catch (error) {
      this.observer.failed(base, alerts.length);
      this.log.warn(`sending ${alerts.length} alerts to ${url} failed: ${String(error)}`);
    }
  }
}
