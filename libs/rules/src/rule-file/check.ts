import { type RuleGroup } from './model';
import { type ParseRuleFileOptions, parseRuleFile } from './parse';

/** What `promtool check rules` prints and exits with for one file. */
export interface CheckReport {
  /** 0 when the file is valid (duplicate-rule lint findings do not fail it), 1 otherwise. */
  exitCode: 0 | 1;
  /** promtool's standard output for the file. */
  stdout: string;
  /** promtool's standard error: `  FAILED:` and one line per problem, prefixed with the file name. */
  stderr: string;
  /** Problems without the file name prefix, as promtool words them. */
  problems: string[];
  /** The duplicate-rules lint finding, if any (promtool prints it but succeeds). */
  lint: string | null;
}

/** Checks one rule file and reports it the way `promtool check rules <file>` does. */
export function checkRuleFile(
  filename: string,
  text: string,
  opts: ParseRuleFileOptions = {},
): CheckReport {
  let stdout = `Checking ${filename}\n`;
  const parsed = parseRuleFile(text, opts);
  if (!parsed.ok) {
    const problems = parsed.problems.map((p) => p.message);
    const stderr = `  FAILED:\n${problems.map((p) => `${filename}: ${p}\n`).join('')}`;
    return { exitCode: 1, stdout: `${stdout}\n`, stderr, problems, lint: null };
  }
  const lint = duplicateRulesLint(parsed.groups);
  if (lint !== null)
    return {
      exitCode: 0,
      stdout: `${stdout}\n`,
      stderr: `  FAILED:\n${lint}\n`,
      problems: [],
      lint,
    };
  const count = parsed.groups.reduce((n, g) => n + g.rules.length, 0);
  stdout += `  SUCCESS: ${count} rules found\n\n`;
  return { exitCode: 0, stdout, stderr: '', problems: [], lint: null };
}

/** promtool's duplicate-rules lint: rules with the same name and labels across the file. */
export function duplicateRulesLint(groups: readonly RuleGroup[]): string | null {
  const keys = groups
    .flatMap((g) => g.rules)
    .map((r) => {
      const metric = r.kind === 'alerting' ? r.alert : r.record;
      const labels = Object.entries(r.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return { metric, labels, key: JSON.stringify([metric, labels]) };
    })
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const dups: typeof keys = [];
  for (let i = 1; i < keys.length; i++) {
    if (keys[i].key === keys[i - 1].key && dups[dups.length - 1]?.key !== keys[i].key)
      dups.push(keys[i]);
  }
  if (dups.length === 0) return null;
  let message = `lint error ${dups.length} duplicate rule(s) found.\n`;
  for (const d of dups)
    message += `Metric: ${d.metric}\nLabel(s):\n${d.labels.map(([k, v]) => `\t${k}: ${v}\n`).join('')}`;
  return `${message}Might cause inconsistency while recording expressions`;
}
