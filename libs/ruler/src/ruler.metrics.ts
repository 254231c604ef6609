import { type StrataMetrics } from '@strata/service-kit';
import { type AlertSenderObserver } from './alerts/alert-sender';

/** What the ruler reports to `/metrics`, Prometheus' `prometheus_rule_*` under `strata_ruler_*`. */
export interface RulerObserver extends AlertSenderObserver {
  evaluated(
    tenant: string,
    group: string,
    seconds: number,
    failedRules: number,
    missed: number,
  ): void;
  samplesWritten(tenant: string, samples: number): void;
  owned(groups: number): void;
  forget(tenant: string, group: string): void;
}

/** The ruler's metrics on the process registry. */
export function rulerMetrics(metrics: StrataMetrics): RulerObserver {
  const groupLabels = ['tenant', 'rule_group'] as const;
  const evaluations = metrics.counter(
    'ruler_group_evaluations_total',
    'Evaluations of rule groups.',
    groupLabels,
  );
  const failures = metrics.counter(
    'ruler_evaluation_failures_total',
    'Rule evaluations that failed (query or write).',
    groupLabels,
  );
  const missed = metrics.counter(
    'ruler_group_iterations_missed_total',
    'Evaluation slots missed because an evaluation ran long.',
    groupLabels,
  );
  const duration = metrics.gauge(
    'ruler_group_last_duration_seconds',
    'Duration of the last evaluation of the group.',
    groupLabels,
  );
  const last = metrics.gauge(
    'ruler_group_last_evaluation_timestamp_seconds',
    'Wall-clock time of the last evaluation of the group.',
    groupLabels,
  );
  const written = metrics.counter(
    'ruler_samples_written_total',
    'Samples of recording rules and ALERTS written through the router.',
    ['tenant'],
  );
  const owned = metrics.gauge('ruler_groups_owned', 'Rule groups this replica evaluates.');
  const sent = metrics.counter('ruler_notifications_sent_total', 'Alerts sent to Alertmanager.', [
    'alertmanager',
  ]);
  const errors = metrics.counter(
    'ruler_notifications_errors_total',
    'Alerts that could not be sent to Alertmanager.',
    ['alertmanager'],
  );
  const dropped = metrics.counter(
    'ruler_notifications_dropped_total',
    'Alerts dropped because the queue was full.',
  );
  return {
    evaluated(tenant, group, seconds, failedRules, missedSlots) {
      evaluations.inc({ tenant, rule_group: group });
      if (failedRules > 0) failures.inc({ tenant, rule_group: group }, failedRules);
      if (missedSlots > 0) missed.inc({ tenant, rule_group: group }, missedSlots);
      duration.set({ tenant, rule_group: group }, seconds);
      last.set({ tenant, rule_group: group }, Date.now() / 1000);
    },
    samplesWritten: (tenant, n) => written.inc({ tenant }, n),
    owned: (n) => owned.set(n),
    forget(tenant, group) {
      for (const m of [duration, last]) m.remove({ tenant, rule_group: group });
    },
    sent: (url, n) => sent.inc({ alertmanager: url }, n),
    failed: (url, n) => errors.inc({ alertmanager: url }, n),
    dropped: (n) => dropped.inc(n),
  };
}
