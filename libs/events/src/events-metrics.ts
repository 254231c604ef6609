import { Injectable } from '@nestjs/common';
import { type EventRecordKind } from '@strata/contracts';
import { StrataMetrics } from '@strata/service-kit';
import { type Counter } from 'prom-client';

/** The events service's per-tenant counters, on the process registry. */
@Injectable()
export class EventsMetrics {
  private readonly receivedTotal: Counter<'tenant' | 'kind'>;
  private readonly archivedTotal: Counter<'tenant' | 'kind'>;
  private readonly matchedTotal: Counter<'tenant' | 'kind' | 'rule_set' | 'rule'>;
  private readonly alertsTotal: Counter<'tenant' | 'kind'>;
  private readonly notificationsTotal: Counter<'tenant'>;
  private readonly failuresTotal: Counter<'tenant' | 'kind' | 'rule_set' | 'rule'>;
  private readonly alertmanagerErrors: Counter<'url'>;
  private readonly throttledTotal: Counter<'tenant' | 'kind'>;
  private readonly expiredTotal: Counter<'tenant' | 'kind'>;

  constructor(metrics: StrataMetrics) {
    this.receivedTotal = metrics.counter(
      'events_received_total',
      'Kubernetes events and audit events stored in STRATA_EVENTS.',
      ['tenant', 'kind'],
    );
    this.archivedTotal = metrics.counter(
      'events_archived_total',
      'Records newly written to the archive.',
      ['tenant', 'kind'],
    );
    this.matchedTotal = metrics.counter(
      'events_rule_matches_total',
      'Records a rule matched (kube-events: the rule that won its type).',
      ['tenant', 'kind', 'rule_set', 'rule'],
    );
    this.alertsTotal = metrics.counter(
      'events_alerts_sent_total',
      'Alerts published for the notification service.',
      ['tenant', 'kind'],
    );
    this.notificationsTotal = metrics.counter(
      'events_notifications_sent_total',
      'kube-events notifications (matches of notification rules) published for the notification service.',
      ['tenant'],
    );
    this.failuresTotal = metrics.counter(
      'events_rule_failures_total',
      'Rules that failed on a record (the Go engine panics there).',
      ['tenant', 'kind', 'rule_set', 'rule'],
    );
    this.alertmanagerErrors = metrics.counter(
      'events_alertmanager_errors_total',
      'Alert posts an Alertmanager refused or did not answer.',
      ['url'],
    );
    this.throttledTotal = metrics.counter(
      'events_throttled_total',
      "Records refused (429) for being over the tenant's events rate.",
      ['tenant', 'kind'],
    );
    this.expiredTotal = metrics.counter(
      'events_expired_total',
      "Archived records deleted for being older than the tenant's retention.",
      ['tenant', 'kind'],
    );
  }

  /** Records stored durably by the ingest handler. */
  received(tenant: string, kind: EventRecordKind, n: number): void {
    this.receivedTotal.inc({ tenant, kind }, n);
  }

  /** Records newly archived. */
  archived(tenant: string, kind: EventRecordKind, n: number): void {
    if (n > 0) this.archivedTotal.inc({ tenant, kind }, n);
  }

  /** `n` records (one by default) matched by one rule. */
  matched(tenant: string, kind: EventRecordKind, ruleSet: string, rule: string, n = 1): void {
    this.matchedTotal.inc({ tenant, kind, rule_set: ruleSet, rule }, n);
  }

  /** One rule failed on one record. */
  failed(tenant: string, kind: EventRecordKind, ruleSet: string, rule: string): void {
    this.failuresTotal.inc({ tenant, kind, rule_set: ruleSet, rule });
  }

  /** Alerts published. */
  alerts(tenant: string, kind: EventRecordKind, n: number): void {
    if (n > 0) this.alertsTotal.inc({ tenant, kind }, n);
  }

  /** kube-events notifications published. */
  notifications(tenant: string, n: number): void {
    if (n > 0) this.notificationsTotal.inc({ tenant }, n);
  }

  /** Records refused for the tenant's rate. */
  throttled(tenant: string, kind: EventRecordKind, n: number): void {
    this.throttledTotal.inc({ tenant, kind }, n);
  }

  /** Records deleted by the tenant's retention. */
  expired(tenant: string, kind: EventRecordKind, n: number): void {
    if (n > 0) this.expiredTotal.inc({ tenant, kind }, n);
  }

  /** A post to an Alertmanager failed. */
  alertmanagerError(url: string): void {
    this.alertmanagerErrors.inc({ url });
  }
}
