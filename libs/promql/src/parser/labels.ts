import { type MatchType } from '@strata/contracts';
import { type Matcher } from '../storage/labels';
import { compilePromRegex } from '@strata/prom-regex';
import { unquote, type Unquoted } from './strings';
import { type ErrorContext, type TokenStream } from './token-stream';
import { type Token, type TokenType } from './tokens';

const MATCH_OPS: Partial<Record<TokenType, MatchType>> = {
  EQL: '=',
  NEQ: '!=',
  EQL_REGEX: '=~',
  NEQ_REGEX: '!~',
};

// Keywords the lexer produces that may still name a label inside by(...)/on(...).
const MAYBE_LABEL: ReadonlySet<TokenType> = new Set<TokenType>([
  'AGGREGATOR',
  'BOOL',
  'BY',
  'GROUP_LEFT',
  'GROUP_RIGHT',
  'IDENTIFIER',
  'IGNORING',
  'LAND',
  'LOR',
  'LUNLESS',
  'METRIC_IDENTIFIER',
  'OFFSET',
  'ON',
  'START',
  'END',
  'ATAN2',
]);

const LM = (expected: string): ErrorContext => ({ context: 'label matching', expected });
const GO = (expected: string): ErrorContext => ({ context: 'grouping opts', expected });

/** Decodes a STRING token, recording Prometheus' error if it cannot be unquoted. */
export function unquoteTokenFull(ts: TokenStream, t: Token): Unquoted {
  try {
    return unquote(t.val);
  } catch (e) {
    ts.addError(
      { start: t.pos, end: t.end },
      `error unquoting string ${JSON.stringify(t.val)}: ${(e as Error).message}`,
    );
    return { value: '', invalidUtf8: false };
  }
}

/** Decodes a STRING token to its text. */
export function unquoteToken(ts: TokenStream, t: Token): string {
  return unquoteTokenFull(ts, t).value;
}

function newMatcher(
  ts: TokenStream,
  name: Token,
  nameValue: string,
  op: MatchType,
  value: Token,
): Matcher {
  const v = unquoteToken(ts, value);
  if (op === '=~' || op === '!~') {
    try {
      compilePromRegex(v);
    } catch (e) {
      ts.addError({ start: name.pos, end: value.end }, (e as Error).message);
    }
  }
  return { name: nameValue, op, value: v };
}

/** Parses `{...}` after the opening brace was seen; returns the matchers and the closing brace. */
export function parseLabelMatchers(ts: TokenStream): {
  matchers: Matcher[];
  open: Token;
  close: Token;
} {
  const open = ts.expect('LEFT_BRACE');
  const matchers: Matcher[] = [];
  for (;;) {
    if (ts.at('RIGHT_BRACE')) break;
    const t = ts.tok;
    if (t.type === 'IDENTIFIER') {
      ts.advance();
      const op = MATCH_OPS[ts.tok.type];
      if (op === undefined) ts.unexpected(LM('label matching operator'));
      ts.advance();
      if (!ts.at('STRING')) ts.unexpected(LM('string'));
      matchers.push(newMatcher(ts, t, t.val, op, ts.advance()));
    } else if (t.type === 'STRING') {
      ts.advance();
      const name = unquoteToken(ts, t);
      const op = MATCH_OPS[ts.tok.type];
      if (op === undefined) {
        matchers.push({ name: '__name__', op: '=', value: name });
      } else {
        ts.advance();
        if (!ts.at('STRING')) ts.unexpected(LM('string'));
        matchers.push(newMatcher(ts, t, name, op, ts.advance()));
      }
    } else {
      ts.unexpected(LM('identifier or "}"'));
    }
    if (ts.at('COMMA')) {
      ts.advance();
      continue;
    }
    if (!ts.at('RIGHT_BRACE')) ts.unexpected(LM('"," or "}"'));
  }
  return { matchers, open, close: ts.advance() };
}

function isValidLabelName(name: string): boolean {
  // Prometheus 3 validates names as UTF-8: anything non-empty is allowed.
  return (
    name.length > 0 && !/[\ud800-\udfff]/.test(name.replace(/[\ud800-\udbff][\udc00-\udfff]/g, ''))
  );
}

/** Parses `(a, b, "c.d")` for by/without/on/ignoring/group_*; returns labels and the closing paren. */
export function parseGroupingLabels(ts: TokenStream): { labels: string[]; close: Token } {
  if (!ts.at('LEFT_PAREN')) ts.unexpected(GO('"("'));
  ts.advance();
  const labels: string[] = [];
  for (;;) {
    if (ts.at('RIGHT_PAREN')) break;
    const t = ts.tok;
    let name: string;
    if (MAYBE_LABEL.has(t.type)) {
      name = t.val;
    } else if (t.type === 'STRING') {
      name = unquoteToken(ts, t);
    } else {
      ts.unexpected(GO('label'));
    }
    ts.advance();
    if (!isValidLabelName(name)) {
      ts.addError(
        { start: t.pos, end: t.end },
        `invalid label name for grouping: ${JSON.stringify(name)}`,
      );
    }
    labels.push(name);
    if (ts.at('COMMA')) {
      ts.advance();
      continue;
    }
    if (!ts.at('RIGHT_PAREN')) ts.unexpected(GO('"," or ")"'));
  }
  return { labels, close: ts.advance() };
}
