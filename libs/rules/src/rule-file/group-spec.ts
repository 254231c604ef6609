import { stringify } from 'yaml';
import { type RuleFileProblem, type RuleGroup } from './model';
import { type ParseRuleFileOptions, parseRuleFile } from './parse';

/** One group read from its JSON form (a rule file's group as an object), or its problems. */
export type ParsedRuleGroup =
  { ok: true; group: RuleGroup } | { ok: false; problems: RuleFileProblem[] };

/**
 * Validates one rule group given as the object a rule file holds (`{ name, interval, rules }`),
 * with the same checks and wording as {@link parseRuleFile}. Positions are dropped from the
 * messages: they would point into a document the caller never wrote.
 */
export function parseRuleGroupSpec(spec: object, opts: ParseRuleFileOptions = {}): ParsedRuleGroup {
  const parsed = parseRuleFile(stringify({ groups: [spec] }), opts);
  if (!parsed.ok) {
    return {
      ok: false,
      problems: parsed.problems.map((p) => ({
        ...p,
        message: p.message.replace(/^\d+:\d+: /, ''),
      })),
    };
  }
  return { ok: true, group: parsed.groups[0] };
}
