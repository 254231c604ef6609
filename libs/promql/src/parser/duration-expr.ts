import { type DurationExpr, type DurationOp, type NumberLiteral } from './ast';
import { parseDuration } from './durations';
import { parseNumber } from './numbers';
import { type TokenStream } from './token-stream';
import { type TokenType } from './tokens';

/** A duration as written: a plain literal or an arithmetic expression over literals. */
export type DurationNode = NumberLiteral | DurationExpr;

// time.Duration holds int64 nanoseconds; seconds beyond this overflow it.
const MAX_SECONDS = 2 ** 63 / 1e9;

const BINARY: Partial<Record<TokenType, { op: DurationOp; prec: number; right: boolean }>> = {
  ADD: { op: '+', prec: 1, right: false },
  SUB: { op: '-', prec: 1, right: false },
  MUL: { op: '*', prec: 2, right: false },
  DIV: { op: '/', prec: 2, right: false },
  MOD: { op: '%', prec: 2, right: false },
  POW: { op: '^', prec: 3, right: true },
};

// Unary signs bind like `*`, so only `^` groups inside their operand (`-2^2` is `-(2^2)`).
const UNARY_OPERAND_PREC = 3;

function outOfRange(v: number): boolean {
  return v > MAX_SECONDS || v < -MAX_SECONDS;
}

/** Parses a NUMBER or DURATION token into a literal in seconds, recording Prometheus' errors. */
export function parseNumberOrDurationLiteral(ts: TokenStream): NumberLiteral {
  const t = ts.advance();
  const pos = { start: t.pos, end: t.end };
  if (t.type === 'DURATION') {
    let ms = 0;
    try {
      ms = parseDuration(t.val);
    } catch (e) {
      ts.addError(pos, (e as Error).message);
    }
    return { type: 'NumberLiteral', value: ms / 1000, pos, duration: true };
  }
  let value = 0;
  try {
    value = parseNumber(t.val);
  } catch (e) {
    ts.addError(pos, `error parsing number: ${(e as Error).message}`);
  }
  return { type: 'NumberLiteral', value, pos };
}

function checkedLiteral(ts: TokenStream): NumberLiteral {
  const nl = parseNumberOrDurationLiteral(ts);
  if (outOfRange(nl.value)) {
    ts.addError(nl.pos, 'duration out of range');
    return { ...nl, value: 0 };
  }
  return nl;
}

function experimental(ts: TokenStream, e: DurationNode): void {
  if (!ts.options.enableExperimentalDurationExpr)
    ts.addError(e.pos, 'experimental duration expression is not enabled');
}

function parseUnary(ts: TokenStream): DurationNode {
  if (ts.at('ADD') || ts.at('SUB')) {
    const opTok = ts.advance();
    const operand = parseDurationExpr(ts, UNARY_OPERAND_PREC);
    if (operand.type === 'NumberLiteral') {
      const value = opTok.type === 'SUB' ? -operand.value : operand.value;
      if (outOfRange(value)) {
        ts.addError({ start: opTok.pos, end: opTok.end }, 'duration out of range');
        return { type: 'NumberLiteral', value: 0, pos: operand.pos };
      }
      return { ...operand, value, pos: { start: opTok.pos, end: operand.pos.end } };
    }
    if (opTok.type === 'ADD') return operand;
    return {
      type: 'DurationExpr',
      op: '-',
      lhs: null,
      rhs: operand,
      wrapped: false,
      pos: { start: opTok.pos, end: operand.pos.end },
    };
  }
  return parsePrimary(ts);
}

function parsePrimary(ts: TokenStream): DurationNode {
  if (ts.at('NUMBER') || ts.at('DURATION')) return checkedLiteral(ts);
  if (ts.at('LEFT_PAREN')) {
    ts.advance();
    const inner = parseDurationExpr(ts, 0);
    ts.expect('RIGHT_PAREN');
    experimental(ts, inner);
    // Prometheus keeps the operands' span for wrapped expressions; the parentheses are not included.
    if (inner.type === 'DurationExpr') return { ...inner, wrapped: true };
    return inner;
  }
  return ts.unexpected();
}

/** Parses a duration expression with Prometheus' precedence (`+ -` < `* / %` < `^`, right-assoc). */
export function parseDurationExpr(ts: TokenStream, minPrec: number): DurationNode {
  let lhs = parseUnary(ts);
  for (;;) {
    const info = BINARY[ts.tok.type];
    if (info === undefined || info.prec < minPrec) return lhs;
    const opTok = ts.advance();
    const rhs = parseDurationExpr(ts, info.right ? info.prec : info.prec + 1);
    experimental(ts, lhs);
    const zeroRhs = rhs.type === 'NumberLiteral' && rhs.value === 0;
    if (zeroRhs && (info.op === '/' || info.op === '%')) {
      ts.addError(
        { start: opTok.pos, end: opTok.end },
        info.op === '/' ? 'division by zero' : 'modulo by zero',
      );
      lhs = { type: 'NumberLiteral', value: 0, pos: { start: lhs.pos.start, end: rhs.pos.end } };
      continue;
    }
    lhs = {
      type: 'DurationExpr',
      op: info.op,
      lhs,
      rhs,
      wrapped: false,
      pos: { start: lhs.pos.start, end: rhs.pos.end },
    };
  }
}

/**
 * Parses what may follow `offset`: a signed literal binds alone (`offset -2 ^ 2` is
 * `(x offset -2) ^ 2`), anything else is a full duration expression.
 */
export function parseOffsetDuration(ts: TokenStream): DurationNode {
  const t = ts.tok;
  if (t.type === 'NUMBER' || t.type === 'DURATION') return checkedLiteral(ts);
  if (t.type === 'ADD' || t.type === 'SUB') {
    const next = ts.peek2();
    if (next.type === 'NUMBER' || next.type === 'DURATION') {
      const sign = ts.advance();
      const nl = parseNumberOrDurationLiteral(ts);
      const value = sign.type === 'SUB' ? -nl.value : nl.value;
      if (outOfRange(value)) {
        ts.addError({ start: sign.pos, end: sign.end }, 'duration out of range');
        return { ...nl, value: 0 };
      }
      return { ...nl, value, pos: { start: sign.pos, end: nl.pos.end } };
    }
  }
  if (t.type === 'ADD' || t.type === 'SUB' || t.type === 'LEFT_PAREN')
    return parseDurationExpr(ts, 0);
  return ts.unexpected();
}

/** Evaluates a duration node to seconds, as the engine does before running a query. */
export function evaluateDuration(node: DurationNode): { seconds: number } | { error: string } {
  if (node.type === 'NumberLiteral') return { seconds: node.value };
  const lhs = node.lhs === null ? { seconds: 0 } : evaluateDuration(node.lhs);
  if ('error' in lhs) return lhs;
  const rhs = evaluateDuration(node.rhs);
  if ('error' in rhs) return rhs;
  const a = lhs.seconds;
  const b = rhs.seconds;
  switch (node.op) {
    case '+':
      return { seconds: a + b };
    case '-':
      return { seconds: node.lhs === null ? -b : a - b };
    case '*':
      return { seconds: a * b };
    case '/':
      return b === 0 ? { error: 'division by zero' } : { seconds: a / b };
    case '%':
      return b === 0 ? { error: 'modulo by zero' } : { seconds: a % b };
    case '^':
      return { seconds: Math.pow(a, b) };
  }
}
