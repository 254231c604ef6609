import {
  type PromAlertStatus,
  type PromAlertingRuleStatus,
  type PromRecordingRuleStatus,
  type PromRuleGroupStatus,
} from '@strata/contracts';
import {
  type Alert,
  AlertingRuleEvaluator,
  type GroupEvaluator,
  type RuleStatus,
  printedQuery,
} from '@strata/rules';
import { type EvaluationUnit } from '../evaluation/evaluation-unit';

/** Go's zero time, which Prometheus shows before a first evaluation. */
const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

/** RFC 3339 as Go's `time.Time` marshals it: fractional seconds without trailing zeros. */
export function goTime(ms: number | null): string {
  if (ms === null) return GO_ZERO_TIME;
  return new Date(ms).toISOString().replace(/\.?0+Z$/, 'Z');
}

/** A float as Go's `strconv.FormatFloat(v, 'e', -1, 64)`: `1e+00`, `2.5e-03`, `NaN`, `+Inf`. */
export function goExponent(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  const [mantissa, exponent] = v.toExponential().split('e');
  const sign = exponent.startsWith('-') ? '-' : '+';
  const digits = exponent.replace(/^[+-]/, '');
  return `${mantissa}e${sign}${digits.padStart(2, '0')}`;
}

function alertStatus(a: Alert): PromAlertStatus {
  return {
    labels: a.labels.toRecord(),
    annotations: { ...a.annotations },
    state: a.state === 'firing' ? 'firing' : 'pending',
    activeAt: goTime(a.activeAt),
    ...(a.keepFiringSince !== null ? { keepFiringSince: goTime(a.keepFiringSince) } : {}),
    value: goExponent(a.value),
  };
}

function common(name: string, query: string, labels: Record<string, string>, s: RuleStatus) {
  return {
    name,
    query,
    labels,
    health: s.health,
    ...(s.lastError ? { lastError: s.lastError } : {}),
    evaluationTime: s.evaluationTimeMs / 1000,
    lastEvaluation: goTime(s.lastEvaluation),
  };
}

/** A group as Prometheus' `/api/v1/rules` shows it. */
export function groupStatus(unit: EvaluationUnit, g: GroupEvaluator): PromRuleGroupStatus {
  return {
    name: unit.group.name,
    file: unit.file,
    scope: unit.target.scope,
    interval: g.intervalMs / 1000,
    limit: g.limit,
    evaluationTime: g.evaluationTimeMs / 1000,
    lastEvaluation: goTime(g.lastEvaluation),
    rules: g.rules.map((r): PromAlertingRuleStatus | PromRecordingRuleStatus => {
      if (r instanceof AlertingRuleEvaluator) {
        const alerts = r.activeAlerts();
        const state = alerts.some((a) => a.state === 'firing')
          ? 'firing'
          : alerts.length > 0
            ? 'pending'
            : 'inactive';
        return {
          ...common(r.name, r.query, r.rule.labels, r.status),
          type: 'alerting',
          state,
          duration: r.rule.forMs / 1000,
          keepFiringFor: r.rule.keepFiringForMs / 1000,
          annotations: r.rule.annotations,
          alerts: alerts.map(alertStatus),
        };
      }
      return { ...common(r.name, r.query, r.rule.labels, r.status), type: 'recording' };
    }),
  };
}

/** A group nobody evaluated yet (no replica has taken it, or it is being moved). */
export function unevaluatedStatus(
  unit: EvaluationUnit,
  defaultIntervalMs: number,
): PromRuleGroupStatus {
  const status: RuleStatus = {
    health: 'unknown',
    lastError: null,
    lastEvaluation: null,
    evaluationTimeMs: 0,
  };
  return {
    name: unit.group.name,
    file: unit.file,
    scope: unit.target.scope,
    interval: (unit.group.intervalMs ?? defaultIntervalMs) / 1000,
    limit: unit.group.limit,
    evaluationTime: 0,
    lastEvaluation: GO_ZERO_TIME,
    rules: unit.group.rules.map((r) =>
      r.kind === 'recording'
        ? {
            ...common(r.record, printedQuery(r.expr), r.labels, status),
            type: 'recording' as const,
          }
        : {
            ...common(r.alert, printedQuery(r.expr), r.labels, status),
            type: 'alerting' as const,
            state: 'inactive' as const,
            duration: r.forMs / 1000,
            keepFiringFor: r.keepFiringForMs / 1000,
            annotations: r.annotations,
            alerts: [],
          },
    ),
  };
}
