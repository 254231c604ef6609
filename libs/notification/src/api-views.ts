import {
  type Alert,
  type AggregationGroup,
  type Matcher,
  matches,
  parseMatchers,
  type Silence,
  silenceState,
  type AlertWithStatus,
} from '@strata/alertmanager';
import { compilePromRegex } from '@strata/prom-regex';
import {
  type GettableAlert,
  type GettableSilence,
  StrataError,
  type ListAlertsRequest,
} from '@strata/contracts';

/** go-openapi's `strfmt.DateTime`: RFC 3339 with milliseconds. */
function ts(ms: number | null): string {
  return new Date(ms ?? 0).toISOString();
}

/** Parses `filter=` matchers, answering 400 with Alertmanager's reason on a bad one. */
export function filterMatchers(filter: readonly string[]): Matcher[] {
  try {
    return filter.flatMap((f) => parseMatchers(f));
  } catch (e) {
    throw new StrataError('bad_request', (e as Error).message);
  }
}

/** One alert as API v2 shows it. */
export function gettableAlert(a: AlertWithStatus): GettableAlert {
  const suppressed = a.silencedBy.length > 0 || a.inhibitedBy.length > 0;
  return {
    annotations: { ...a.alert.annotations },
    endsAt: ts(a.alert.endsAt),
    fingerprint: a.alert.fingerprint,
    receivers: a.receivers.map((name) => ({ name })),
    startsAt: ts(a.alert.startsAt),
    status: {
      inhibitedBy: a.inhibitedBy,
      silencedBy: a.silencedBy,
      state: suppressed ? 'suppressed' : 'active',
    },
    updatedAt: ts(a.alert.updatedAt),
    ...(a.alert.generatorURL ? { generatorURL: a.alert.generatorURL } : {}),
    labels: { ...a.alert.labels },
  };
}

/** Applies API v2's alert filters (`filter`, `active`, `silenced`, `inhibited`, `receiver`), sorted by fingerprint. */
export function filterAlerts(
  all: readonly AlertWithStatus[],
  q: ListAlertsRequest,
): AlertWithStatus[] {
  const ms = filterMatchers(q.filter);
  const receiver = q.receiver ? compilePromRegex(q.receiver) : null;
  return all
    .filter((a) => {
      if (receiver && !a.receivers.some((r) => receiver.test(r))) return false;
      if (!ms.every((m) => matches(m, a.alert.labels))) return false;
      const suppressed = a.silencedBy.length > 0 || a.inhibitedBy.length > 0;
      if (!q.active && !suppressed) return false;
      if (!q.silenced && a.silencedBy.length > 0) return false;
      if (!q.inhibited && a.inhibitedBy.length > 0) return false;
      return true;
    })
    .sort((x, y) => (x.alert.fingerprint < y.alert.fingerprint ? -1 : 1));
}

/** API v2 `alertGroups`: each aggregation group with its (filtered) alerts. */
export function alertGroupsView(
  groups: readonly AggregationGroup[],
  alerts: readonly AlertWithStatus[],
): unknown[] {
  const byFp = new Map(alerts.map((a) => [a.alert.fingerprint, a]));
  return groups
    .map((g) => ({
      labels: { ...g.labels },
      receiver: { name: g.route.config.receiver },
      alerts: [...g.alerts.values()]
        .map((a: Alert) => byFp.get(a.fingerprint))
        .filter((a): a is AlertWithStatus => a !== undefined)
        .map((a) => ({ ...gettableAlert(a), receivers: [{ name: g.route.config.receiver }] })),
    }))
    .filter((g) => g.alerts.length > 0);
}

/** API v2 `gettableSilence`. */
export function gettableSilence(s: Silence, now: number): GettableSilence {
  return {
    id: s.id,
    status: { state: silenceState(s, now) },
    updatedAt: ts(s.updatedAt),
    comment: s.comment,
    createdBy: s.createdBy,
    endsAt: ts(s.endsAt),
    matchers: s.matchers.map((m) => ({
      isEqual: m.isEqual ?? true,
      isRegex: m.isRegex,
      name: m.name,
      value: m.value,
    })),
    startsAt: ts(s.startsAt),
  };
}

const STATE_ORDER = { active: 0, pending: 1, expired: 2 } as const;

/** Silences matching the filter, in Alertmanager's order: active, pending, expired. */
export function filterSilences(
  all: readonly Silence[],
  filter: readonly string[],
  now: number,
): Silence[] {
  const ms = filterMatchers(filter);
  return all
    .filter((s) =>
      ms.every((m) =>
        s.matchers.some((sm) => sm.name === m.name && matches(m, { [m.name]: sm.value })),
      ),
    )
    .sort((a, b) => {
      const sa = silenceState(a, now);
      const sb = silenceState(b, now);
      if (sa !== sb) return STATE_ORDER[sa] - STATE_ORDER[sb];
      if (sa === 'pending') return a.startsAt - b.startsAt;
      if (sa === 'active') return a.endsAt - b.endsAt;
      return b.endsAt - a.endsAt;
    });
}
