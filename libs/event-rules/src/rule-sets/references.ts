import type { AuditRule, RuleSet } from '@strata/contracts';
import { RuleExpansionError } from '../errors';

/** A `${name}` or `${<ruleset>.<name>}` reference. */
export const REFERENCE = /\$\{([^}]*)\}/g;

/** The entry a reference names, and the rule set it is in. */
export interface ResolvedReference {
  readonly set: RuleSet;
  readonly entry: AuditRule;
}

function auditRules(set: RuleSet): readonly AuditRule[] {
  return set.spec.kind === 'auditing' ? set.spec.rules : [];
}

/**
 * Finds what `ref` names: an entry of the current set first (names may contain dots), else
 * `<ruleset>.<name>` in another auditing rule set among `sets`.
 */
export function resolveReference(
  ref: string,
  current: RuleSet,
  sets: readonly RuleSet[],
  rule: string,
): ResolvedReference {
  const local = auditRules(current).find((r) => r.name === ref && r.type !== 'rule');
  if (local !== undefined) return { set: current, entry: local };
  const dot = ref.indexOf('.');
  if (dot > 0) {
    const setName = ref.slice(0, dot);
    const name = ref.slice(dot + 1);
    const other = sets.find((s) => s.name === setName && s.spec.kind === 'auditing');
    if (other === undefined) {
      throw new RuleExpansionError(rule, `\${${ref}}: no auditing rule set named ${setName}`);
    }
    const entry = auditRules(other).find((r) => r.name === name && r.type !== 'rule');
    if (entry !== undefined) return { set: other, entry };
    throw new RuleExpansionError(
      rule,
      `\${${ref}}: rule set ${setName} has no macro, list or alias named ${name}`,
    );
  }
  throw new RuleExpansionError(rule, `\${${ref}}: no macro, list or alias named ${ref}`);
}

/**
 * Expands every reference of a condition by text substitution: a list becomes `("a", "b")`, a
 * macro its own expansion in parentheses, an alias the field path it names. Cycles and unknown
 * names throw {@link RuleExpansionError}.
 */
export function expandReferences(
  text: string,
  current: RuleSet,
  sets: readonly RuleSet[],
  rule: string,
  stack: readonly string[] = [],
): string {
  return text.replace(REFERENCE, (_match, ref: string) => {
    const { set, entry } = resolveReference(ref, current, sets, rule);
    const key = `${set.name}.${entry.name}`;
    if (stack.includes(key)) {
      throw new RuleExpansionError(rule, `\${${ref}}: macro cycle ${[...stack, key].join(' -> ')}`);
    }
    switch (entry.type) {
      case 'list': {
        const items = entry.list ?? [];
        const bad = items.find((i) => i.includes('"'));
        if (bad !== undefined) {
          throw new RuleExpansionError(
            rule,
            `\${${ref}}: list item ${bad} has a '"', which a condition cannot quote`,
          );
        }
        if (items.length === 0) throw new RuleExpansionError(rule, `\${${ref}}: the list is empty`);
        return `(${items.map((i) => `"${i}"`).join(', ')})`;
      }
      case 'macro':
        if (entry.macro === undefined || entry.macro.trim() === '') {
          throw new RuleExpansionError(rule, `\${${ref}}: the macro has no text`);
        }
        return `(${expandReferences(entry.macro, set, sets, rule, [...stack, key])})`;
      case 'alias':
        if (entry.alias === undefined || entry.alias.trim() === '') {
          throw new RuleExpansionError(rule, `\${${ref}}: the alias names no field`);
        }
        return entry.alias.trim();
      case 'rule':
        throw new RuleExpansionError(rule, `\${${ref}} names a rule`);
    }
  });
}
