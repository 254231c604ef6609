import { RE2JS, RE2JSException } from 're2js';
import { PromRegexSyntaxError } from './prom-regex';

const CACHE_LIMIT = 256;
const cache = new Map<string, GoRegexp>();

/**
 * A regex with Go's `regexp.MatchString` semantics: RE2 syntax with Perl flags, unanchored search,
 * `.` not matching `\n`; linear-time like every pattern of this library.
 */
export class GoRegexp {
  private constructor(
    readonly source: string,
    private readonly compiled: RE2JS,
  ) {}

  /** Compiles `pattern`; throws {@link PromRegexSyntaxError} with Go's message when RE2 refuses it. */
  static compile(pattern: string): GoRegexp {
    try {
      return new GoRegexp(pattern, RE2JS.compile(pattern));
    } catch (e) {
      if (!(e instanceof RE2JSException)) throw e;
      throw new PromRegexSyntaxError(e.message, pattern);
    }
  }

  /** Whether the pattern matches anywhere in `value`, as Go's `regexp.MatchString`. */
  test(value: string): boolean {
    return this.compiled.test(value);
  }
}

/** Compiles a Go `regexp` pattern (shared per pattern); throws {@link PromRegexSyntaxError}. */
export function compileGoRegexp(pattern: string): GoRegexp {
  let re = cache.get(pattern);
  if (re === undefined) {
    re = GoRegexp.compile(pattern);
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    cache.set(pattern, re);
  }
  return re;
}
