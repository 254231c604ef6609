import { PromRegexSyntaxError, compileGoRegexp } from '@strata/prom-regex';
import { ConditionSyntaxError, positionAt } from '../errors';
import type { CompareOp, Condition, MatchOp } from './ast';
import { tokenize, type Token, type TokenKind } from './tokens';

// ANTLR numbers the 11 alternatives of `expression` from the top: `AndOr` (first) binds at
// precedence 11 and its right operand is parsed at 12 (left associative); `NOT expression` (second)
// parses its operand at 10, which still lets and/or continue inside it: `not a and b` is
// `not (a and b)`, and `a or b and c` is `(a or b) and c`.
const AND_OR_PRECEDENCE = 11;
const NOT_OPERAND_PRECEDENCE = 10;

const COMPARE_OPS: Partial<Record<TokenKind, CompareOp>> = {
  EQU: '=',
  NEQ: '!=',
  GT: '>',
  LT: '<',
  GTE: '>=',
  LTE: '<=',
};
const MATCH_OPS: Partial<Record<TokenKind, MatchOp>> = {
  REGEX: 'regex',
  NOTREGEX: 'not regex',
  LIKE: 'like',
  NOTLIKE: 'not like',
};

/** The text of a STRING token as the Go engine reads it: every leading and trailing `"` trimmed, escapes kept. */
export function stringValue(token: string): string {
  return token.replace(/^"+/, '').replace(/"+$/, '');
}

/** The regexp a `like` glob runs as: `?` is any character and each run of `*` is `(.*)`, unanchored. */
export function likeToRegexp(glob: string): string {
  return glob.replaceAll('?', '.').replace(/\*+/g, '(.*)');
}

class Parser {
  private at = 0;

  constructor(
    private readonly text: string,
    private readonly tokens: readonly Token[],
  ) {}

  parseStart(): Condition {
    const expr = this.expression(0);
    const next = this.peek();
    if (next.kind !== 'EOF') this.fail(next, `extraneous input '${next.text}' expecting <EOF>`);
    return expr;
  }

  private expression(precedence: number): Condition {
    let left = this.primary();
    for (;;) {
      const t = this.peek();
      if ((t.kind !== 'AND' && t.kind !== 'OR') || AND_OR_PRECEDENCE < precedence) return left;
      this.at++;
      const right = this.expression(AND_OR_PRECEDENCE + 1);
      left = { kind: 'andOr', op: t.kind === 'AND' ? 'and' : 'or', left, right };
    }
  }

  private primary(): Condition {
    const t = this.next();
    // `NOT VAR` (the grammar's last alternative) is ambiguous with `NOT expression`; ANTLR picks
    // the lower-numbered alternative, so it never applies.
    if (t.kind === 'NOT') return { kind: 'not', operand: this.expression(NOT_OPERAND_PRECEDENCE) };
    if (t.kind === 'LPAREN') {
      const inner = this.expression(0);
      this.expect('RPAREN', "')'");
      return inner;
    }
    if (t.kind === 'VAR') return this.predicate(t.text);
    return this.fail(t, `mismatched input '${t.text}' expecting {'(', NOT, VAR}`);
  }

  private predicate(path: string): Condition {
    const op = this.peek();
    const compare = COMPARE_OPS[op.kind];
    if (compare !== undefined) {
      this.at++;
      const v = this.next();
      if (v.kind === 'STRING' || v.kind === 'NUMBER') {
        return {
          kind: 'compare',
          path,
          op: compare,
          value:
            v.kind === 'STRING'
              ? { type: 'string', text: stringValue(v.text) }
              : { type: 'number', text: v.text },
        };
      }
      if (v.kind === 'BOOLEAN' && (compare === '=' || compare === '!=')) {
        return { kind: 'boolCompare', path, op: compare, value: /^t/i.test(v.text) };
      }
      return this.fail(
        v,
        `mismatched input '${v.text}' expecting {NUMBER, STRING${compare === '=' || compare === '!=' ? ', BOOLEAN' : ''}}`,
      );
    }
    if (op.kind === 'CONTAINS' || op.kind === 'NOTCONTAINS') {
      this.at++;
      const v = this.next();
      if (v.kind !== 'STRING' && v.kind !== 'NUMBER')
        return this.fail(v, `mismatched input '${v.text}' expecting {NUMBER, STRING}`);
      return {
        kind: 'contains',
        path,
        negated: op.kind === 'NOTCONTAINS',
        value: v.kind === 'STRING' ? stringValue(v.text) : v.text,
      };
    }
    if (op.kind === 'IN' || op.kind === 'NOTIN') {
      this.at++;
      this.expect('LPAREN', "'('");
      const values: string[] = [];
      for (;;) {
        const v = this.next();
        if (v.kind !== 'STRING' && v.kind !== 'NUMBER')
          return this.fail(v, `mismatched input '${v.text}' expecting {NUMBER, STRING}`);
        values.push(v.kind === 'STRING' ? stringValue(v.text) : v.text);
        const sep = this.next();
        if (sep.kind === 'RPAREN') break;
        if (sep.kind !== 'COMMA')
          return this.fail(sep, `mismatched input '${sep.text}' expecting {',', ')'}`);
      }
      return { kind: 'in', path, negated: op.kind === 'NOTIN', values };
    }
    const match = MATCH_OPS[op.kind];
    if (match !== undefined) {
      this.at++;
      const v = this.next();
      if (v.kind !== 'STRING') return this.fail(v, `mismatched input '${v.text}' expecting STRING`);
      const pattern = stringValue(v.text);
      // The Go engine compiles at evaluation and fails every event; refusing at parse time says so once.
      try {
        compileGoRegexp(match === 'like' || match === 'not like' ? likeToRegexp(pattern) : pattern);
      } catch (e) {
        if (e instanceof PromRegexSyntaxError) this.fail(v, e.message);
        throw e;
      }
      return { kind: 'match', path, op: match, pattern };
    }
    if (op.kind === 'EXISTS' || op.kind === 'NOTEXISTS') {
      this.at++;
      return { kind: 'exists', path, negated: op.kind === 'NOTEXISTS' };
    }
    return { kind: 'variable', path, negated: false };
  }

  private expect(kind: TokenKind, spelled: string): void {
    const t = this.next();
    if (t.kind !== kind) this.fail(t, `mismatched input '${t.text}' expecting ${spelled}`);
  }

  private peek(): Token {
    return this.tokens[this.at];
  }

  private next(): Token {
    const t = this.tokens[this.at];
    if (t.kind !== 'EOF') this.at++;
    return t;
  }

  private fail(t: Token, reason: string): never {
    throw new ConditionSyntaxError(reason, positionAt(this.text, t.offset), this.text);
  }
}

/**
 * Parses a condition with EventRule.g4's grammar and precedence. Unlike the Go engine (whose
 * ANTLR parser prints syntax errors and evaluates what it recovered), every error is thrown as a
 * {@link ConditionSyntaxError} with its position, and an invalid `regex`/`like` pattern is one too.
 */
export function parseCondition(condition: string): Condition {
  return new Parser(condition, tokenize(condition)).parseStart();
}
