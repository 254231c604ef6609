import { InvalidMatcherError } from '../errors';
import { type MatchType } from '@strata/contracts';
import { type PromRegex, compilePromRegex } from '@strata/prom-regex';

/** A compiled label matcher with Prometheus semantics: regexes are fully anchored and `.` matches newlines. */
export class Matcher {
  private readonly test: (v: string) => boolean;

  constructor(
    readonly type: MatchType,
    readonly name: string,
    readonly value: string,
  ) {
    this.test = type === '=~' || type === '!~' ? compileRegex(value) : (v) => v === value;
  }

  /** Whether a label value (empty when the series lacks the label) satisfies the matcher. */
  matches(v: string): boolean {
    switch (this.type) {
      case '=':
      case '=~':
        return this.test(v);
      case '!=':
      case '!~':
        return !this.test(v);
    }
  }

  /** The matcher selecting exactly the values this one rejects. */
  inverse(): Matcher {
    return new Matcher(INVERSE[this.type], this.name, this.value);
  }

  /** PromQL text form, e.g. `job=~"api.*"`. */
  toString(): string {
    return `${this.name}${this.type}${JSON.stringify(this.value)}`;
  }
}

const INVERSE: Record<MatchType, MatchType> = { '=': '!=', '!=': '=', '=~': '!~', '!~': '=~' };

/** Shorthand for `new Matcher(type, name, value)`. */
export function matcher(type: MatchType, name: string, value: string): Matcher {
  return new Matcher(type, name, value);
}

function compileRegex(src: string): (v: string) => boolean {
  let re: PromRegex;
  try {
    // Linear-time RE2 with literal shortcuts: a tenant's values and patterns cannot stall the loop.
    re = compilePromRegex(src);
  } catch (e) {
    throw new InvalidMatcherError(
      `invalid regular expression ${JSON.stringify(src)}: ${(e as Error).message}`,
    );
  }
  return (v) => re.test(v);
}
