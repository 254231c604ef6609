import { type Alert, resolvedAt } from './alert';
import { type InhibitRuleConfig } from './config';
import { type LabelSet } from './labels';
import { matchesAll } from './matchers';

/**
 * Alertmanager's inhibitor over a tenant's current alerts: a label set is muted when it matches a
 * rule's target side and a firing source alert has the same `equal` labels (an alert matching both
 * sides never inhibits another that does too). Returns the inhibiting fingerprints.
 */
export function inhibitedBy(
  rules: readonly InhibitRuleConfig[],
  alerts: Iterable<Alert>,
  labels: LabelSet,
  now: number,
): string[] {
  // Read only when a rule's target side matches: a flush asks this of every alert it sends, so
  // copying the tenant's alerts each time would make a flush cost grow with all alerts held.
  let list: Alert[] | null = null;
  for (const r of rules) {
    if (!matchesAll(r.targetMatchers, labels)) continue;
    const excludeTwoSided = matchesAll(r.sourceMatchers, labels);
    list ??= [...alerts];
    for (const a of list) {
      if (resolvedAt(a, now) || !matchesAll(r.sourceMatchers, a.labels)) continue;
      if (r.equal.some((n) => (a.labels[n] ?? '') !== (labels[n] ?? ''))) continue;
      if (excludeTwoSided && matchesAll(r.targetMatchers, a.labels)) continue;
      return [a.fingerprint];
    }
  }
  return [];
}
