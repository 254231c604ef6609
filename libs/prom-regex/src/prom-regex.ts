import { RE2JS, RE2JSException } from 're2js';
import { literalShapeMatcher } from './literal-shapes';

/** A pattern RE2 (and so Prometheus) refuses; the message has Go's `error parsing regexp: ...` shape. */
export class PromRegexSyntaxError extends Error {
  constructor(
    message: string,
    readonly pattern: string,
  ) {
    super(message);
    this.name = 'PromRegexSyntaxError';
  }
}

/** The capture groups of a full match, shaped as JavaScript's `RegExpExecArray` (unmatched groups `undefined`). */
export interface PromRegexMatch {
  readonly [group: number]: string | undefined;
  readonly length: number;
  readonly groups?: Readonly<Record<string, string | undefined>>;
}

// Values remembered per pattern: per-series filters see a value once per series, and dashboards
// rerun the same selector over the same values every refresh, while the RE2 automaton costs a few
// hundred ns per value. Once full the memo stops growing rather than thrashing on large label sets.
// Long values are not kept: the memo may outlive their series, and 128 patterns × 2,048 values ×
// 128 characters bounds what it can hold on to (~32 MB) whatever tenants write.
const MEMO_LIMIT = 2048;
const MEMO_MAX_VALUE_LENGTH = 128;
// Compiled patterns kept (each with its memo), so repeated queries share both.
const CACHE_LIMIT = 128;
const cache = new Map<string, PromRegex>();

/**
 * A label regex with Prometheus semantics (fully anchored, `.` matching newlines, RE2 syntax), run
 * on a linear-time RE2 engine so no pattern/value pair can backtrack; common literal shapes skip
 * the automaton the way Prometheus' `FastRegexMatcher` does.
 */
export class PromRegex {
  private compiled: RE2JS | null;
  private anchored: RE2JS | null = null;
  private readonly shortcut: ((value: string) => boolean) | null;
  private readonly memo = new Map<string, boolean>();

  /** Use {@link compilePromRegex}, which reports syntax errors. */
  private constructor(
    readonly source: string,
    compiled: RE2JS | null,
    shortcut: ((value: string) => boolean) | null,
  ) {
    this.compiled = compiled;
    this.shortcut = shortcut;
  }

  /** Compiles `pattern`; throws {@link PromRegexSyntaxError} with Go's message when RE2 refuses it. */
  static compile(pattern: string): PromRegex {
    const shortcut = literalShapeMatcher(pattern);
    // Literal shapes are valid RE2 by construction, so a long Grafana alternation is not parsed.
    return new PromRegex(pattern, shortcut === null ? compileRe2(pattern) : null, shortcut);
  }

  /** Whether the whole value matches, as Prometheus' `FastRegexMatcher.MatchString`. */
  test(value: string): boolean {
    if (this.shortcut !== null) return this.shortcut(value);
    const known = this.memo.get(value);
    if (known !== undefined) return known;
    const matched = this.automaton().testExact(value);
    if (this.memo.size < MEMO_LIMIT && value.length <= MEMO_MAX_VALUE_LENGTH)
      this.memo.set(value, matched);
    return matched;
  }

  /** The capture groups when the whole value matches (what `label_replace` expands), else null. */
  exec(value: string): PromRegexMatch | null {
    // Go anchors with `^(?s:...)$`; the group is non-capturing, so group numbers are the pattern's.
    this.anchored ??= compileRe2(`^(?s:${this.source})$`);
    return this.anchored.exec(value) as PromRegexMatch | null;
  }

  private automaton(): RE2JS {
    this.compiled ??= compileRe2(this.source);
    return this.compiled;
  }
}

function compileRe2(pattern: string): RE2JS {
  try {
    // Prometheus parses with Perl flags plus DotNL: `.` matches `\n`.
    return RE2JS.compile(pattern, RE2JS.DOTALL);
  } catch (e) {
    if (!(e instanceof RE2JSException)) throw e;
    throw new PromRegexSyntaxError(goMessage(pattern, e), pattern);
  }
}

/** Go quotes the pattern as given; the engine implements DOTALL as a `(?s)` prefix and quotes that. */
function goMessage(pattern: string, dotAllError: RE2JSException): string {
  try {
    RE2JS.compile(pattern);
  } catch (e) {
    if (e instanceof RE2JSException) return e.message;
  }
  return dotAllError.message.replace('`(?s)', '`');
}

/**
 * Compiles a PromQL label regex the way Prometheus matches label values: fully anchored, `.`
 * matching newlines, RE2 syntax and linear-time matching; instances are shared per pattern.
 * Throws {@link PromRegexSyntaxError}.
 */
export function compilePromRegex(pattern: string): PromRegex {
  let re = cache.get(pattern);
  if (re === undefined) {
    re = PromRegex.compile(pattern);
    // Least recently compiled first out: a Map iterates in insertion order.
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    cache.set(pattern, re);
  }
  return re;
}
