import { compilePromRegex, type PromRegex } from '@strata/prom-regex';
import { compareStrings, type LabelSet } from './labels';

/** A matcher operator, in Go's enum order (sorting ties break on it). */
export type MatchType = '=' | '!=' | '=~' | '!~';
const TYPE_ORDER: Readonly<Record<MatchType, number>> = { '=': 0, '!=': 1, '=~': 2, '!~': 3 };

/** One label matcher as Alertmanager's `labels.Matcher`; regexes are fully anchored RE2. */
export interface Matcher {
  readonly name: string;
  readonly type: MatchType;
  readonly value: string;
  readonly re?: PromRegex;
}

/** A matcher could not be parsed or its regex compiled; the message is Alertmanager's wording. */
export class MatcherParseError extends Error {}

/** Builds a matcher, compiling its regex; throws {@link MatcherParseError}. */
export function newMatcher(name: string, type: MatchType, value: string): Matcher {
  if (type === '=~' || type === '!~') {
    try {
      return { name, type, value, re: compilePromRegex(value) };
    } catch (e) {
      throw new MatcherParseError(`error parsing regexp: ${(e as Error).message}`);
    }
  }
  return { name, type, value };
}

/** Whether one label set satisfies the matcher (a missing label is the empty string). */
export function matches(m: Matcher, labels: LabelSet): boolean {
  const v = labels[m.name] ?? '';
  switch (m.type) {
    case '=':
      return v === m.value;
    case '!=':
      return v !== m.value;
    case '=~':
      return m.re?.test(v) === true;
    case '!~':
      return m.re?.test(v) !== true;
  }
}

/** Whether every matcher holds. */
export function matchesAll(ms: readonly Matcher[], labels: LabelSet): boolean {
  return ms.every((m) => matches(m, labels));
}

/** `labels.Matcher.String()`: `name="value"` with the value Go-quoted. */
export function matcherString(m: Matcher): string {
  return `${m.name}${m.type}${JSON.stringify(m.value)}`;
}

/** `labels.Matchers` order: name, value, then operator. */
export function compareMatchers(a: Matcher, b: Matcher): number {
  return (
    compareStrings(a.name, b.name) ||
    compareStrings(a.value, b.value) ||
    TYPE_ORDER[a.type] - TYPE_ORDER[b.type]
  );
}

/** `labels.Matchers.String()`: `{a="1",b=~"x"}`. */
export function matchersString(ms: readonly Matcher[]): string {
  return `{${ms.map(matcherString).join(',')}}`;
}

const MATCHER_RE = /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$/s;

/**
 * Parses Alertmanager's matcher list syntax (`{a="b", c=~"d.*"}`, braces optional, values quoted
 * or bare), as `labels.ParseMatchers` does for `matchers:` in routes and inhibit rules.
 */
export function parseMatchers(text: string): Matcher[] {
  let s = text.trim();
  if (s.startsWith('{')) {
    if (!s.endsWith('}')) throw new MatcherParseError(`bad matcher format: ${text}`);
    s = s.slice(1, -1);
  }
  const out: Matcher[] = [];
  for (const part of splitTopLevel(s)) {
    if (part.trim() === '') continue;
    out.push(parseMatcher(part));
  }
  return out;
}

/** Parses one matcher (`a="b"`, `a=~b`). */
export function parseMatcher(text: string): Matcher {
  const m = MATCHER_RE.exec(text);
  if (!m) throw new MatcherParseError(`bad matcher format: ${text}`);
  let raw = m[3];
  if (raw.startsWith('"')) {
    if (raw.length < 2 || !raw.endsWith('"'))
      throw new MatcherParseError(`bad matcher format: ${text}`);
    try {
      raw = JSON.parse(raw) as string;
    } catch {
      throw new MatcherParseError(`bad matcher format: ${text}`);
    }
  }
  return newMatcher(m[1], m[2] as MatchType, raw);
}

/** Splits on commas outside double quotes. */
function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\' && quoted) {
      cur += c + (s[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === ',' && !quoted) {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  return parts;
}
