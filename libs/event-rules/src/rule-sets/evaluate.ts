import { AUDIT_PRIORITIES, type AuditPriority } from '@strata/contracts';
import { evaluateCondition } from '../condition/evaluate';
import { EventRuleError } from '../errors';
import { goSprint, type FlatEvent } from '../go-values';
import { formatPercentTemplate } from '../templates';
import type { CompiledAuditRule, CompiledEventsRule, CompiledRules } from './compile';
import { ruleIndexOf } from './rule-index';

/** An alert in Alertmanager's shape: labels and annotations. */
export interface RuleAlert {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
}

/** A rule that failed on an event (the Go engine's panic), for counting and logging. */
export interface RuleFailure {
  readonly ruleSet: string;
  readonly rule: string;
  readonly message: string;
}

/** What the rules decided for one Kubernetes event. */
export interface KubeEventDecision {
  readonly notification: {
    readonly rule: CompiledEventsRule;
    readonly alert: RuleAlert;
  } | null;
  readonly alert: { readonly rule: CompiledEventsRule; readonly alert: RuleAlert } | null;
  readonly failures: readonly RuleFailure[];
}

function tryEvaluate(
  rule: {
    readonly ruleSet: string;
    readonly name: string;
    readonly parsed: CompiledEventsRule['parsed'];
  },
  flat: FlatEvent,
  failures: RuleFailure[],
): boolean | null {
  try {
    return evaluateCondition(rule.parsed, flat);
  } catch (e) {
    if (!(e instanceof EventRuleError)) throw e;
    failures.push({ ruleSet: rule.ruleSet, rule: rule.name, message: e.message });
    return null;
  }
}

/** Runs a ruled-out rule's probe: false, or null with the failure its evaluation would have had. */
function tryProbe(
  rule: { readonly ruleSet: string; readonly name: string },
  probe: ((event: FlatEvent) => void) | null,
  flat: FlatEvent,
  failures: RuleFailure[],
): false | null {
  if (probe === null) return false;
  try {
    probe(flat);
    return false;
  } catch (e) {
    if (!(e instanceof EventRuleError)) throw e;
    failures.push({ ruleSet: rule.ruleSet, rule: rule.name, message: e.message });
    return null;
  }
}

function str(flat: FlatEvent, key: string): string {
  const v = flat.get(key);
  return typeof v === 'string' ? v : '';
}

/** kube-events' alert for a rule and event: its labels, then the rule's, and `%field` annotations. */
export function kubeEventAlert(
  rule: CompiledEventsRule,
  flat: FlatEvent,
  cluster: string,
): RuleAlert {
  const labels: Record<string, string> = { alertname: rule.name, alerttype: 'event' };
  const kind = str(flat, 'involvedObject.kind');
  // Go writes the label even for an empty kind; an empty label name is invalid in Alertmanager.
  if (kind !== '') labels[kind.toLowerCase()] = str(flat, 'involvedObject.name');
  const ns = str(flat, 'involvedObject.namespace');
  if (ns !== '') labels.namespace = ns;
  const fp = str(flat, 'involvedObject.fieldPath');
  if (fp.startsWith('spec.containers')) {
    labels.container = fp.replace(/^spec\.containers\{/, '').replace(/\}$/, '');
  } else if (fp.startsWith('spec.initContainers{')) {
    labels.container = fp.slice('spec.initContainers{'.length).replace(/\}$/, '');
  }
  if (cluster !== '') labels.cluster = cluster;
  Object.assign(labels, rule.labels ?? {});
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(rule.annotations ?? {})) {
    annotations[k] = formatPercentTemplate(v, flat);
  }
  return { labels, annotations };
}

/** The event's own fields a notification carries when its rule names no annotation of that key. */
const NOTIFICATION_FIELDS = [
  ['message', 'message'],
  ['reason', 'reason'],
  ['type', 'type'],
  ['count', 'count'],
  ['source', 'source.component'],
  ['host', 'source.host'],
  ['firstTimestamp', 'firstTimestamp'],
  ['lastTimestamp', 'lastTimestamp'],
] as const;

/**
 * A kube-events notification as an alert for the notification service: kube-events' notification
 * sink posts the matched Event itself, so the alert is labelled as its alerts are (plus
 * `ruletype="notification"`, so routes can tell the two apart) and carries the Event's fields
 * (message, reason, type, count, source, timestamps) as annotations, after the rule's own.
 */
export function kubeEventNotification(
  rule: CompiledEventsRule,
  flat: FlatEvent,
  cluster: string,
): RuleAlert {
  const { labels, annotations } = kubeEventAlert(rule, flat, cluster);
  labels.ruletype = 'notification';
  for (const [name, key] of NOTIFICATION_FIELDS) {
    const v = flat.get(key);
    if (annotations[name] === undefined && v !== undefined && v !== null && v !== '')
      annotations[name] = goSprint(v);
  }
  return { labels, annotations };
}

/**
 * kube-events' evaluation of one event: the first enabled rule of each type that matches wins
 * (one notification, one alert at most); a rule that fails ends that type's evaluation for the
 * event, as the Go ruler returns the error there.
 */
export function evaluateKubeEvent(
  rules: CompiledRules,
  flat: FlatEvent,
  cluster: string,
): KubeEventDecision {
  const failures: RuleFailure[] = [];
  const index = ruleIndexOf(rules.events);
  const candidates = index.candidates(flat);
  const first = (type: 'notification' | 'alert'): CompiledEventsRule | null => {
    for (let i = 0; i < rules.events.length; i++) {
      const rule = rules.events[i];
      if (!rule.enable || rule.type !== type) continue;
      const matched =
        candidates[i] === 1
          ? tryEvaluate(rule, flat, failures)
          : tryProbe(rule, index.probe(i), flat, failures);
      if (matched === null) return null;
      if (matched) return rule;
    }
    return null;
  };
  const notificationRule = first('notification');
  const alertRule = first('alert');
  return {
    notification:
      notificationRule === null
        ? null
        : {
            rule: notificationRule,
            alert: kubeEventNotification(notificationRule, flat, cluster),
          },
    alert:
      alertRule === null
        ? null
        : { rule: alertRule, alert: kubeEventAlert(alertRule, flat, cluster) },
    failures,
  };
}

/** What the rules decided for one audit event. */
export interface AuditDecision {
  readonly archive: boolean;
  /** Every enabled rule that matched, `<ruleset>/<rule>`. */
  readonly matched: readonly CompiledAuditRule[];
  readonly alerts: ReadonlyArray<{ readonly rule: CompiledAuditRule; readonly alert: RuleAlert }>;
  readonly failures: readonly RuleFailure[];
}

const rank = (p: AuditPriority): number => AUDIT_PRIORITIES.indexOf(p);

/** A rule's `output` with each `${alias}` replaced by the aliased field (empty when absent). */
export function renderOutput(rule: CompiledAuditRule, flat: FlatEvent): string {
  if (rule.output === null) return rule.desc;
  return rule.output
    .map((p) => {
      if ('text' in p) return p.text;
      const v = flat.get(p.field);
      return v === undefined || v === null ? '' : goSprint(v);
    })
    .join('');
}

function auditAlert(rule: CompiledAuditRule, flat: FlatEvent): RuleAlert {
  const labels: Record<string, string> = {
    alertname: rule.name,
    alerttype: 'auditing',
    priority: rule.priority,
  };
  for (const [label, key] of [
    ['cluster', 'Cluster'],
    ['namespace', 'ObjectRef.Namespace'],
    ['resource', 'ObjectRef.Resource'],
    ['name', 'ObjectRef.Name'],
    ['user', 'User.Username'],
    ['verb', 'Verb'],
  ] as const) {
    const v = str(flat, key);
    if (v !== '') labels[label] = v;
  }
  const annotations: Record<string, string> = { message: renderOutput(rule, flat) };
  if (rule.desc !== '') annotations.summary = rule.desc;
  return { labels, annotations };
}

/**
 * kube-auditing's decision for one audit event: archived when an archiving rule at or above its
 * group's threshold matches, or an alerting rule below the alerting threshold does (kept rather
 * than alerted); one alert per alerting rule at or above the threshold that matches.
 */
export function evaluateAuditEvent(rules: CompiledRules, flat: FlatEvent): AuditDecision {
  const failures: RuleFailure[] = [];
  const matched: CompiledAuditRule[] = [];
  const alerts: Array<{ rule: CompiledAuditRule; alert: RuleAlert }> = [];
  let archive = false;
  for (const group of rules.auditing) {
    const index = ruleIndexOf(group.rules);
    const candidates = index.candidates(flat);
    for (let i = 0; i < group.rules.length; i++) {
      const rule = group.rules[i];
      if (candidates[i] !== 1) {
        tryProbe(rule, index.probe(i), flat, failures);
        continue;
      }
      if (tryEvaluate(rule, flat, failures) !== true) continue;
      matched.push(rule);
      const atThreshold = rank(rule.priority) >= rank(group.threshold);
      if (group.group === 'archiving') {
        if (atThreshold) archive = true;
      } else if (atThreshold) {
        alerts.push({ rule, alert: auditAlert(rule, flat) });
      } else {
        archive = true;
      }
    }
  }
  return { archive, matched, alerts, failures };
}
