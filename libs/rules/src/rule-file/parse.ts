import { type DecodedGroup, type DecodedRule, decodeGroupNodes, decodeRuleGroups } from './decode';
import { type Rule, type RuleFileProblem, type RuleGroup, ruleGroupSchema } from './model';
import { type NameValidation } from './names';
import { validateGroups } from './validate';
import { readYaml } from './yaml-node';

/** Whizard's default: at most 40 rules per group. */
export const DEFAULT_MAX_RULES_PER_GROUP = 40;

/** How strictly a rule file is read. */
export interface ParseRuleFileOptions {
  /** Most rules one group may hold (default 40); 0 for no limit. */
  maxRulesPerGroup?: number;
  /** Label and metric name grammar (default `legacy`, Prometheus 2's and Mimir's). */
  nameValidation?: NameValidation;
  /**
   * Whether groups may set `query_offset` (default true, as Prometheus 3); false reads files as
   * Prometheus 2.42 does, which refuses the field.
   */
  queryOffset?: boolean;
}

/** A parsed rule file: its validated groups, or every problem promtool would report. */
export type ParsedRuleFile =
  { ok: true; groups: RuleGroup[] } | { ok: false; problems: RuleFileProblem[] };

/**
 * Parses and validates a Prometheus rule file (YAML with `groups:`) as `promtool check rules` does:
 * yaml.v3's decoding errors, then every group and rule problem with promtool's wording and
 * positions, plus the configurable per-group rule limit.
 */
export function parseRuleFile(text: string, opts: ParseRuleFileOptions = {}): ParsedRuleFile {
  const read = readYaml(text);
  if ('syntaxError' in read) return { ok: false, problems: [{ message: read.syntaxError }] };
  const decoded = decodeRuleGroups(read.root, { queryOffset: opts.queryOffset ?? true });
  if (!decoded.ok) {
    const problems = [...decoded.problems, ...decodeGroupNodes(read.root)];
    return { ok: false, problems: problems.map((message) => ({ message })) };
  }
  const problems = validateGroups(decoded.groups, {
    maxRulesPerGroup: opts.maxRulesPerGroup ?? DEFAULT_MAX_RULES_PER_GROUP,
    nameValidation: opts.nameValidation ?? 'legacy',
  });
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, groups: decoded.groups.map(toRuleGroup) };
}

function toRuleGroup(g: DecodedGroup): RuleGroup {
  return ruleGroupSchema.parse({
    name: g.name,
    ...(g.intervalMs > 0 ? { intervalMs: g.intervalMs } : {}),
    ...(g.queryOffsetMs !== undefined ? { queryOffsetMs: g.queryOffsetMs } : {}),
    limit: g.limit,
    rules: g.rules.map(toRule),
  });
}

function toRule(r: DecodedRule): Rule {
  const labels = Object.fromEntries(r.labels);
  if (r.record.value !== '')
    return { kind: 'recording', record: r.record.value, expr: r.expr.value, labels };
  return {
    kind: 'alerting',
    alert: r.alert.value,
    expr: r.expr.value,
    forMs: r.forMs,
    keepFiringForMs: r.keepFiringForMs,
    labels,
    annotations: Object.fromEntries(r.annotations),
  };
}
