import { ParseError, parseExpr } from '@strata/promql';
import { alertTemplateParseError } from '../template/expander';
import { goQuote } from '@strata/gotemplate';
import { type DecodedGroup, type DecodedRule, type Positioned } from './decode';
import { type RuleFileProblem } from './model';
import { type NameValidation, isValidLabelName, isValidMetricName, isValidUtf8 } from './names';

/** Settings of validation beyond Prometheus' own checks. */
export interface ValidateOptions {
  /** Most rules a group may hold; 0 for no limit. */
  maxRulesPerGroup: number;
  nameValidation: NameValidation;
}

function at(p: Positioned): string {
  return `${p.line}:${p.column}: `;
}

/** Validates decoded groups as Prometheus' `RuleGroups.Validate` does, plus the per-group rule limit. */
export function validateGroups(
  groups: readonly DecodedGroup[],
  opts: ValidateOptions,
): RuleFileProblem[] {
  const problems: RuleFileProblem[] = [];
  const seen = new Set<string>();
  for (const g of groups) {
    const where = `${g.line}:${g.column}: `;
    if (g.name === '')
      problems.push({ message: `${where}Groupname must not be empty`, group: g.name });
    if (seen.has(g.name)) {
      // Prometheus writes this name between plain quotes (no escaping), unlike the others.
      problems.push({
        message: `${where}groupname: "${g.name}" is repeated in the same file`,
        group: g.name,
      });
    }
    seen.add(g.name);
    g.rules.forEach((r, i) => {
      const ruleName = r.alert.value !== '' ? r.alert.value : r.record.value;
      for (const { message, node } of validateRule(r, opts.nameValidation)) {
        problems.push({
          message: `${node}group ${goQuote(g.name)}, rule ${i + 1}, ${goQuote(ruleName)}: ${message}`,
          group: g.name,
          rule: i + 1,
          ruleName,
        });
      }
    });
    if (opts.maxRulesPerGroup > 0 && g.rules.length > opts.maxRulesPerGroup) {
      problems.push({
        message: `${where}group ${goQuote(g.name)}: ${g.rules.length} rules, more than the limit of ${opts.maxRulesPerGroup} rules per group`,
        group: g.name,
      });
    }
  }
  return problems;
}

/** One rule's problems, each with the `line:col: ` prefix of the node it is about ('' when none). */
function validateRule(
  r: DecodedRule,
  names: NameValidation,
): Array<{ message: string; node: string }> {
  const out: Array<{ message: string; node: string }> = [];
  const record = r.record.value;
  const alert = r.alert.value;
  if (record !== '' && alert !== '') {
    out.push({
      message: "only one of 'record' and 'alert' must be set",
      node: at(r.record) + at(r.alert),
    });
  }
  if (record === '' && alert === '')
    out.push({ message: "one of 'record' or 'alert' must be set", node: at(r.record) });
  if (r.expr.value === '') {
    out.push({ message: "field 'expr' must be set in rule", node: at(r.expr) });
  } else {
    try {
      parseExpr(r.expr.value);
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      out.push({ message: `could not parse expression: ${e.message}`, node: at(r.expr) });
    }
  }
  if (record !== '') {
    if (r.annotations.size > 0)
      out.push({ message: "invalid field 'annotations' in recording rule", node: at(r.record) });
    if (r.forMs !== 0)
      out.push({ message: "invalid field 'for' in recording rule", node: at(r.record) });
    if (r.keepFiringForMs !== 0)
      out.push({
        message: "invalid field 'keep_firing_for' in recording rule",
        node: at(r.record),
      });
    if (!isValidMetricName(record, names))
      out.push({ message: `invalid recording rule name: ${record}`, node: at(r.record) });
    // Under UTF-8 names a PromQL selector pasted into `record` would be a valid name; Prometheus 3 refuses braces.
    if (names === 'utf8' && (record.includes('{') || record.includes('}'))) {
      out.push({
        message: `braces present in the recording rule name; should it be in expr?: ${record}`,
        node: at(r.record),
      });
    }
  }
  for (const [k, v] of r.labels) {
    if (!isValidLabelName(k, names) || k === '__name__')
      out.push({ message: `invalid label name: ${k}`, node: '' });
    if (!isValidUtf8(v)) out.push({ message: `invalid label value: ${v}`, node: '' });
  }
  for (const k of r.annotations.keys()) {
    if (!isValidLabelName(k, names))
      out.push({ message: `invalid annotation name: ${k}`, node: '' });
  }
  if (alert !== '') {
    for (const [k, v] of r.labels) {
      const err = alertTemplateParseError(alert, v);
      if (err !== null) out.push({ message: `label ${goQuote(k)}: ${err}`, node: '' });
    }
    for (const [k, v] of r.annotations) {
      const err = alertTemplateParseError(alert, v);
      if (err !== null) out.push({ message: `annotation ${goQuote(k)}: ${err}`, node: '' });
    }
  }
  return out;
}
