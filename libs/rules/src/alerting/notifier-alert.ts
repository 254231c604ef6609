import { queryEscape } from '@strata/gotemplate';
import { type Alert } from './alert-state';

/** An alert as Prometheus hands it to Alertmanager (the body of `POST /api/v2/alerts`). */
export interface NotifierAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
}

/**
 * Prometheus' `SendAlerts` conversion: starts at the firing time, ends at the resolution or at
 * `validUntil`, and links to the rule's expression in the table view under the external URL.
 */
export function toNotifierAlert(alert: Alert, expr: string, externalURL: string): NotifierAlert {
  const iso = (ms: number | null): string =>
    ms === null ? '0001-01-01T00:00:00Z' : new Date(ms).toISOString();
  return {
    labels: alert.labels.toRecord(),
    annotations: { ...alert.annotations },
    startsAt: iso(alert.firedAt),
    endsAt: iso(alert.resolvedAt ?? alert.validUntil),
    generatorURL: `${externalURL}/graph?g0.expr=${queryEscape(expr)}&g0.tab=1`,
  };
}
