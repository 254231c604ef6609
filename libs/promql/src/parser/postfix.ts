import {
  type Expr,
  type MatrixSelector,
  type PositionRange,
  type SubqueryExpr,
  type TimeModifiers,
} from './ast';
import {
  type DurationNode,
  evaluateDuration,
  parseDurationExpr,
  parseNumberOrDurationLiteral,
  parseOffsetDuration,
} from './duration-expr';
import { formatFloat } from './numbers';
import { type ErrorContext, type TokenStream } from './token-stream';

const RANGE_CTX: ErrorContext = { context: 'subquery selector', expected: 'number or duration' };
const STEP_CTX: ErrorContext = {
  context: 'subquery selector',
  expected: 'number or duration or "]"',
};
const OFFSET_CTX: ErrorContext = { context: 'offset', expected: 'number or duration' };
const AT_CTX: ErrorContext = { context: '@', expected: 'timestamp' };

const INT64_MAX_AS_FLOAT = 2 ** 63;

/** Applies `[range]`, `[range:step]`, `offset` and `@` modifiers, which bind to the nearest primary. */
export function parsePostfix(ts: TokenStream, primary: Expr): Expr {
  let expr = primary;
  for (;;) {
    if (ts.at('LEFT_BRACKET')) expr = parseBracket(ts, expr);
    else if (ts.at('OFFSET')) parseOffset(ts, expr);
    else if (ts.at('AT')) parseAt(ts, expr);
    else return expr;
  }
}

/**
 * Range and step values: a literal converts by rounding to ns, an expression truncates to ms.
 * Expressions are only folded here; like Prometheus, non-positive or failing ones are rejected at
 * evaluation time (see `durationExprError`), so they fold to a negative number or NaN.
 */
function durationMs(node: DurationNode): number {
  if (node.type === 'NumberLiteral') return Math.trunc(Math.round(node.value * 1e9) / 1e6);
  const r = evaluateDuration(node);
  return 'error' in r ? NaN : Math.trunc(r.seconds * 1000);
}

function positiveDuration(ts: TokenStream, ctx: ErrorContext): DurationNode {
  const node = ts.withContext(ctx, () => parseDurationExpr(ts, 0));
  if (node.type === 'NumberLiteral' && node.value <= 0) {
    ts.addError(node.pos, 'duration must be greater than 0');
    return { ...node, value: 0 };
  }
  return node;
}

function parseBracket(ts: TokenStream, expr: Expr): Expr {
  const lb = ts.advance();
  const range = positiveDuration(ts, RANGE_CTX);
  if (ts.at('RIGHT_BRACKET')) {
    const rb = ts.advance();
    return newMatrix(ts, expr, range, { start: lb.pos, end: rb.end });
  }
  if (!ts.at('COLON')) ts.unexpected({ context: 'subquery or range', expected: '":" or "]"' });
  ts.advance();
  let step: DurationNode | null = null;
  if (!ts.at('RIGHT_BRACKET')) {
    step = positiveDuration(ts, STEP_CTX);
    if (!ts.at('RIGHT_BRACKET')) ts.unexpected({ context: 'subquery selector', expected: '"]"' });
  }
  const rb = ts.advance();
  const node: SubqueryExpr = {
    type: 'SubqueryExpr',
    expr,
    rangeMs: durationMs(range),
    stepMs: step === null ? 0 : durationMs(step),
    pos: { start: expr.pos.start, end: rb.end },
    offsetMs: 0,
    timestampMs: null,
    startOrEnd: null,
  };
  if (range.type === 'DurationExpr') node.rangeExpr = range;
  if (step !== null && step.type === 'DurationExpr') node.stepExpr = step;
  return node;
}

function newMatrix(
  ts: TokenStream,
  expr: Expr,
  range: DurationNode,
  brackets: PositionRange,
): Expr {
  let err = '';
  if (expr.type !== 'VectorSelector') err = 'ranges only allowed for vector selectors';
  else if (expr.offsetMs !== 0 || expr.offsetExpr !== undefined)
    err = 'no offset modifiers allowed before range';
  else if (expr.timestampMs !== null || expr.startOrEnd !== null)
    err = 'no @ modifiers allowed before range';
  if (err !== '') ts.addError(brackets, err);
  if (expr.type !== 'VectorSelector') return expr;
  const node: MatrixSelector = {
    type: 'MatrixSelector',
    vectorSelector: expr,
    rangeMs: durationMs(range),
    pos: { start: expr.pos.start, end: brackets.end },
  };
  if (range.type === 'DurationExpr') node.rangeExpr = range;
  return node;
}

/** The node holding the time modifiers of a selector or subquery, or null with an error recorded. */
function modifierTarget(ts: TokenStream, e: Expr, notAllowed: string): TimeModifiers | null {
  switch (e.type) {
    case 'VectorSelector':
    case 'SubqueryExpr':
      return e;
    case 'MatrixSelector':
      return e.vectorSelector;
    case 'NumberLiteral':
    case 'StringLiteral':
    case 'ParenExpr':
    case 'UnaryExpr':
    case 'BinaryExpr':
    case 'AggregateExpr':
    case 'Call':
      ts.addError(e.pos, notAllowed);
      return null;
  }
}

function parseOffset(ts: TokenStream, e: Expr): void {
  ts.advance();
  const node = ts.withContext(OFFSET_CTX, () => parseOffsetDuration(ts));
  const target = modifierTarget(
    ts,
    e,
    'offset modifier must be preceded by an instant vector selector or range vector selector or a subquery',
  );
  if (target === null) return;
  if (target.offsetMs !== 0 || target.offsetExpr !== undefined) {
    ts.addError(e.pos, 'offset may not be set multiple times');
  } else if (node.type === 'NumberLiteral') {
    target.offsetMs = Math.trunc(Math.round(node.value * 1e9) / 1e6);
  } else {
    target.offsetExpr = node;
    target.offsetMs = durationMs(node);
  }
  e.pos = { start: e.pos.start, end: ts.lastClosing };
}

function formatTimestampArg(ts: number): string {
  if (Number.isNaN(ts)) return 'NaN';
  if (ts === Infinity) return '+Inf';
  if (ts === -Infinity) return '-Inf';
  return Math.abs(ts) < 1e21 ? ts.toFixed(6) : `${formatFloat(ts)}.000000`;
}

function parseAt(ts: TokenStream, e: Expr): void {
  ts.advance();
  let value: number | null = null;
  let preprocessor: 'start' | 'end' | null = null;
  ts.withContext(AT_CTX, () => {
    if (ts.at('START') || ts.at('END')) {
      preprocessor = ts.advance().type === 'START' ? 'start' : 'end';
      ts.expect('LEFT_PAREN');
      ts.expect('RIGHT_PAREN');
      return;
    }
    let sign = 1;
    if (ts.at('ADD') || ts.at('SUB')) {
      sign = ts.advance().type === 'SUB' ? -1 : 1;
      if (!ts.at('NUMBER') && !ts.at('DURATION')) ts.unexpected();
    }
    if (!ts.at('NUMBER') && !ts.at('DURATION')) ts.unexpected();
    value = sign * parseNumberOrDurationLiteral(ts).value;
  });
  if (value !== null) {
    const v: number = value;
    if (!Number.isFinite(v) || v >= INT64_MAX_AS_FLOAT || v <= -INT64_MAX_AS_FLOAT) {
      ts.addError(e.pos, `timestamp out of bounds for @ modifier: ${formatTimestampArg(v)}`);
    }
  }
  const target = modifierTarget(
    ts,
    e,
    '@ modifier must be preceded by an instant vector selector or range vector selector or a subquery',
  );
  if (target === null) return;
  if (target.timestampMs !== null || target.startOrEnd !== null) {
    ts.addError(e.pos, '@ <timestamp> may not be set multiple times');
    return;
  }
  if (value !== null) target.timestampMs = Math.round((value as number) * 1000);
  else target.startOrEnd = preprocessor;
  e.pos = { start: e.pos.start, end: ts.lastClosing };
}
