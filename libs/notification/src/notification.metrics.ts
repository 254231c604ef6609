import { Injectable } from '@nestjs/common';
import { type NotificationAttempt } from '@strata/alertmanager';
import { StrataMetrics } from '@strata/service-kit';
import { type Counter, type Histogram } from 'prom-client';

/** Alertmanager's latency buckets for `alertmanager_notification_latency_seconds`. */
const LATENCY_BUCKETS = [1, 5, 10, 15, 20];

/**
 * Delivery metrics per tenant and integration, Alertmanager's `alertmanager_notifications_total`,
 * `alertmanager_notifications_failed_total` and `alertmanager_notification_latency_seconds` under
 * `strata_notification_*`: every attempt counts, as Alertmanager counts each try.
 */
@Injectable()
export class NotificationMetrics {
  private readonly total: Counter<'tenant' | 'integration'>;
  private readonly failed: Counter<'tenant' | 'integration'>;
  private readonly latency: Histogram<'tenant' | 'integration'>;

  constructor(metrics: StrataMetrics) {
    const labels = ['tenant', 'integration'] as const;
    this.total = metrics.counter(
      'notification_notifications_total',
      'Notification attempts, retries included.',
      labels,
    );
    this.failed = metrics.counter(
      'notification_notifications_failed_total',
      'Notification attempts that failed.',
      labels,
    );
    this.latency = metrics.histogram(
      'notification_latency_seconds',
      'Time from the first attempt of a notification to its delivery or its giving up.',
      labels,
      LATENCY_BUCKETS,
    );
  }

  /** Counts one delivery and its attempts. */
  attempted(a: NotificationAttempt): void {
    const labels = { tenant: a.tenantId, integration: a.integration };
    this.total.inc(labels, a.attempts);
    const failures = a.status === 'sent' ? a.attempts - 1 : a.attempts;
    // Incremented by 0 too, so the series exists before its first failure and rate() sees that one.
    this.failed.inc(labels, failures);
    this.latency.observe(labels, a.durationMs / 1000);
  }
}
