import { type PositionRange } from './ast';
import { Lexer } from './lexer';
import { ParseError } from './parse-error';
import { describeToken, type Token, type TokenType } from './tokens';

const CLOSING: ReadonlySet<TokenType> = new Set<TokenType>([
  'RIGHT_PAREN',
  'RIGHT_BRACE',
  'RIGHT_BRACKET',
  'DURATION',
  'NUMBER',
]);

/** Thrown internally to unwind after a syntax error; the recorded errors carry the message. */
export class Abort extends Error {}

/** The context an enclosing grammar rule gives to "unexpected ..." messages (Prometheus' error productions). */
export interface ErrorContext {
  context: string;
  expected: string;
}

/** A recorded parse or type error. */
export interface RecordedError {
  pos: PositionRange;
  message: string;
}

/** Options that change what the parser accepts. */
export interface ParseOptions {
  /** Accept functions and aggregations Prometheus marks experimental (`info`, `limitk`, ...). */
  enableExperimentalFunctions?: boolean;
  /**
   * Accept arithmetic in durations (`foo[5m+30s]`, `offset (1h/2)`). On by default here because
   * the PromQL conformance suite relies on it; Prometheus 3.5 gates it behind a feature flag.
   */
  enableExperimentalDurationExpr?: boolean;
}

/**
 * Token access, one-token lookahead and error bookkeeping shared by the expression, label and
 * duration sub-parsers. Syntax errors unwind with `Abort`; semantic ones are recorded and parsing
 * goes on, so the first recorded error is what Prometheus would report.
 */
export class TokenStream {
  readonly lexer: Lexer;
  readonly errors: RecordedError[] = [];
  /** End of the last consumed `)`, `}`, `]`, number or duration: Prometheus extends nodes to it. */
  lastClosing = 0;
  private current: Token;
  private buffered: Token | null = null;
  private readonly contexts: ErrorContext[] = [];

  constructor(
    readonly input: string,
    readonly options: Required<ParseOptions>,
  ) {
    this.lexer = new Lexer(input);
    this.current = this.lexer.next();
  }

  /** The lookahead token. */
  get tok(): Token {
    return this.current;
  }

  /** The token after the lookahead. */
  peek2(): Token {
    this.buffered ??= this.lexer.next();
    return this.buffered;
  }

  /** Consumes and returns the lookahead token. */
  advance(): Token {
    const t = this.current;
    if (CLOSING.has(t.type)) this.lastClosing = t.end;
    if (this.buffered !== null) {
      this.current = this.buffered;
      this.buffered = null;
    } else {
      this.current = this.lexer.next();
    }
    return t;
  }

  /** Whether the lookahead has the given type. */
  at(type: TokenType): boolean {
    return this.current.type === type;
  }

  /** Consumes a token of the given type or fails with an "unexpected" error in the current context. */
  expect(type: TokenType, ctx?: ErrorContext): Token {
    if (this.current.type !== type) this.unexpected(ctx);
    return this.advance();
  }

  /** Records an error and keeps parsing. */
  addError(pos: PositionRange, message: string): void {
    this.errors.push({ pos: { start: pos.start, end: pos.end }, message });
  }

  /** Runs `fn` with an error context that catches syntax errors nested inside it. */
  withContext<T>(ctx: ErrorContext, fn: () => T): T {
    this.contexts.push(ctx);
    try {
      return fn();
    } finally {
      this.contexts.pop();
    }
  }

  /** Reports the lookahead as unexpected, in `ctx` or the innermost enclosing context, and unwinds. */
  unexpected(ctx?: ErrorContext | null): never {
    const t = this.current;
    if (t.type === 'ERROR') {
      this.addError({ start: t.pos, end: t.end }, t.val);
      throw new Abort();
    }
    const c = ctx === undefined ? this.contexts[this.contexts.length - 1] : ctx;
    let msg = `unexpected ${describeToken(t)}`;
    if (c && c.context !== '') msg += ` in ${c.context}`;
    if (c && c.expected !== '') msg += `, expected ${c.expected}`;
    this.addError({ start: t.pos, end: t.end }, msg);
    throw new Abort();
  }

  /** Builds the ParseError for the first recorded error. */
  firstError(): ParseError {
    const e = this.errors[0];
    return new ParseError(e.pos, e.message, this.input);
  }
}
