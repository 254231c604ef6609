import { Inject, Injectable, Logger } from '@nestjs/common';
import { BUS, type Bus } from '@strata/bus';
import { type EventAlerts, EventsSubjects } from '@strata/contracts';
import { InjectPlatformConfig, type PlatformConfig } from '@strata/service-kit';
import { EventsMetrics } from '../events-metrics';

/**
 * Sends a batch's alerts: to `STRATA_EVENT_ALERTS` for the notification service (deduplicated by
 * the batch's id, so a redelivered batch alerts once), then to any configured Alertmanager.
 */
@Injectable()
export class AlertPublisher {
  private readonly log = new Logger('EventAlerts');
  private readonly alertmanagers: string[];

  constructor(
    @Inject(BUS) private readonly bus: Bus,
    @InjectPlatformConfig() config: PlatformConfig,
    private readonly metrics: EventsMetrics,
  ) {
    this.alertmanagers = config.STRATA_EVENTS_ALERTMANAGER_URLS.split(',')
      .map((u) => u.trim().replace(/\/+$/, ''))
      .filter(Boolean);
  }

  /** Publishes the alerts; an Alertmanager that fails is logged and counted, never retried by redelivery. */
  async publish(batch: EventAlerts, msgId: string): Promise<void> {
    await this.bus.publish(EventsSubjects.alerts(batch.tenantId), batch, { msgId });
    await Promise.all(this.alertmanagers.map((url) => this.post(url, batch)));
  }

  private async post(url: string, batch: EventAlerts): Promise<void> {
    try {
      const res = await fetch(`${url}/api/v2/alerts`, {
        method: 'POST',
        // Mimir's multi-tenant Alertmanager reads the tenant from this header; a plain one ignores it.
        headers: { 'content-type': 'application/json', 'x-scope-orgid': batch.tenantId },
        body: JSON.stringify(batch.alerts),
        signal: AbortSignal.timeout(10_000),
      });
      if (!res.ok) throw new Error(`HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`);
    } catch (error) {
      this.metrics.alertmanagerError(url);
      this.log.warn(
        `Alertmanager ${url} did not take ${batch.alerts.length} alerts of ${batch.tenantId}: ${String(error)}`,
      );
    }
  }
}
