import type { RuleSet } from '@strata/contracts';
import { DEFAULT_RULE_SETS } from './default-rule-sets';

/**
 * A tenant's rule sets in evaluation order: each default pack in its place, or the tenant's own set
 * of the same name that replaces it, then the tenant's other sets by name. Replacing a pack with
 * empty rules (or every rule `enable: false`) turns it off; deleting the replacement brings it back.
 */
export function effectiveRuleSets(tenantId: string, own: readonly RuleSet[]): RuleSet[] {
  const byName = new Map(own.map((s) => [s.name, s]));
  const packs = DEFAULT_RULE_SETS.map(
    (d): RuleSet =>
      byName.get(d.name) ?? { tenantId, name: d.name, cluster: null, spec: d.spec, version: 0 },
  );
  const defaults = new Set(DEFAULT_RULE_SETS.map((d) => d.name));
  const rest = own
    .filter((s) => !defaults.has(s.name))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return [...packs, ...rest];
}

/** True when `name` is one of the default packs a tenant starts with. */
export function isDefaultRuleSet(name: string): boolean {
  return DEFAULT_RULE_SETS.some((d) => d.name === name);
}

/** The sets of `sets` that apply to one cluster: the tenant-wide ones first, then that cluster's. */
export function ruleSetsForCluster(sets: readonly RuleSet[], cluster: string): RuleSet[] {
  return [
    ...sets.filter((s) => s.cluster === null),
    ...sets.filter((s) => s.cluster !== null && s.cluster === cluster),
  ];
}
