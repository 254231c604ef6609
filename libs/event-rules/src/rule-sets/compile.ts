import type { AuditPriority, EventsRule, RuleSet } from '@strata/contracts';
import type { Condition } from '../condition/ast';
import { parseCondition } from '../condition/parse';
import { ConditionSyntaxError, EventRuleError, RuleExpansionError } from '../errors';
import { REFERENCE, expandReferences, resolveReference } from './references';

/** A rule that cannot be used, and why; the API refuses a rule set that has any. */
export interface RuleProblem {
  readonly ruleSet: string;
  readonly rule: string;
  readonly reason: string;
}

/** A kube-events rule ready to evaluate. */
export interface CompiledEventsRule extends EventsRule {
  readonly ruleSet: string;
  readonly parsed: Condition;
}

/** An output piece: literal text, or the field an alias names. */
export type OutputPart = { readonly text: string } | { readonly field: string };

/** A kube-auditing `rule` entry ready to evaluate. */
export interface CompiledAuditRule {
  readonly ruleSet: string;
  readonly name: string;
  readonly desc: string;
  readonly priority: AuditPriority;
  readonly expanded: string;
  readonly parsed: Condition;
  readonly output: readonly OutputPart[] | null;
}

/** One archiving or alerting rule set with its threshold. */
export interface CompiledAuditGroup {
  readonly ruleSet: string;
  readonly group: 'archiving' | 'alerting';
  readonly threshold: AuditPriority;
  readonly rules: readonly CompiledAuditRule[];
}

/** The rules of one scope (a tenant's, or a tenant's for one cluster), in evaluation order. */
export interface CompiledRules {
  readonly events: readonly CompiledEventsRule[];
  readonly auditing: readonly CompiledAuditGroup[];
  readonly problems: readonly RuleProblem[];
}

/** kube-auditing's defaults when a group names no threshold. */
export const DEFAULT_THRESHOLDS = { archiving: 'DEBUG', alerting: 'WARNING' } as const;

function reasonOf(e: unknown): string {
  if (e instanceof RuleExpansionError) return e.reason;
  if (e instanceof ConditionSyntaxError) return `${e.message} in ${JSON.stringify(e.condition)}`;
  if (e instanceof EventRuleError) return e.message;
  throw e;
}

function parseExpansion(rule: string, expanded: string, original: string | null): Condition {
  try {
    return parseCondition(expanded);
  } catch (e) {
    if (!(e instanceof ConditionSyntaxError) || expanded === original) throw e;
    throw new RuleExpansionError(
      rule,
      `${e.message} in the expansion ${JSON.stringify(expanded)}`,
      {
        cause: e,
      },
    );
  }
}

function compileOutput(
  output: string,
  set: RuleSet,
  sets: readonly RuleSet[],
  rule: string,
): OutputPart[] {
  const parts: OutputPart[] = [];
  let last = 0;
  for (const m of output.matchAll(REFERENCE)) {
    if (m.index > last) parts.push({ text: output.slice(last, m.index) });
    const { entry } = resolveReference(m[1], set, sets, rule);
    if (entry.type !== 'alias' || entry.alias === undefined) {
      throw new RuleExpansionError(rule, `output \${${m[1]}} names a ${entry.type}, not an alias`);
    }
    parts.push({ field: entry.alias.trim() });
    last = m.index + m[0].length;
  }
  if (last < output.length) parts.push({ text: output.slice(last) });
  return parts;
}

/**
 * Compiles rule sets in order (kube-events evaluates its cluster rules before namespaced ones;
 * callers pass tenant-wide sets before cluster ones): conditions are parsed, auditing references
 * expanded against `sets`, and every rule that fails is listed in `problems` and left out.
 */
export function compileRuleSets(
  sets: readonly RuleSet[],
  referable: readonly RuleSet[] = sets,
): CompiledRules {
  const events: CompiledEventsRule[] = [];
  const auditing: CompiledAuditGroup[] = [];
  const problems: RuleProblem[] = [];
  for (const set of sets) {
    const seen = new Set<string>();
    for (const rule of set.spec.rules) {
      if (seen.has(rule.name))
        problems.push({ ruleSet: set.name, rule: rule.name, reason: 'duplicate rule name' });
      seen.add(rule.name);
    }
    if (set.spec.kind === 'events') {
      for (const rule of set.spec.rules) {
        try {
          events.push({ ...rule, ruleSet: set.name, parsed: parseCondition(rule.condition) });
        } catch (e) {
          problems.push({ ruleSet: set.name, rule: rule.name, reason: reasonOf(e) });
        }
      }
      continue;
    }
    const rules: CompiledAuditRule[] = [];
    for (const rule of set.spec.rules) {
      try {
        if (rule.type !== 'rule') {
          // Checked once here so a broken macro is reported even while nothing uses it.
          if (rule.type === 'macro') {
            parseExpansion(
              rule.name,
              expandReferences(`\${${rule.name}}`, set, referable, rule.name),
              null,
            );
          }
          if (rule.type === 'list' && (rule.list ?? []).length === 0) {
            throw new RuleExpansionError(rule.name, 'a list needs items');
          }
          continue;
        }
        if (rule.condition === undefined || rule.condition.trim() === '') {
          throw new RuleExpansionError(rule.name, 'a rule needs a condition');
        }
        const expanded = expandReferences(rule.condition, set, referable, rule.name);
        const parsed = parseExpansion(rule.name, expanded, rule.condition);
        const output =
          rule.output === undefined ? null : compileOutput(rule.output, set, referable, rule.name);
        if (!rule.enable) continue;
        rules.push({
          ruleSet: set.name,
          name: rule.name,
          desc: rule.desc ?? '',
          priority: rule.priority ?? 'DEBUG',
          expanded,
          parsed,
          output,
        });
      } catch (e) {
        problems.push({ ruleSet: set.name, rule: rule.name, reason: reasonOf(e) });
      }
    }
    auditing.push({
      ruleSet: set.name,
      group: set.spec.group,
      threshold: set.spec.threshold ?? DEFAULT_THRESHOLDS[set.spec.group],
      rules,
    });
  }
  return { events, auditing, problems };
}

/** The problems of one rule set among the tenant's others (what a create or update is refused for). */
export function checkRuleSet(set: RuleSet, others: readonly RuleSet[]): readonly RuleProblem[] {
  const referable = [set, ...others.filter((o) => o.name !== set.name)];
  return compileRuleSets([set], referable).problems;
}
