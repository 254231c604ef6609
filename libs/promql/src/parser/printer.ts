import {
  type DurationExpr,
  type Expr,
  type NumberLiteral,
  type TimeModifiers,
  type VectorSelector,
} from './ast';
import { type Matcher } from '../storage/labels';
import { formatDuration } from './durations';
import { formatFloat } from './numbers';
import { goQuote } from './strings';

function isLegacyName(s: string): boolean {
  return /^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(s);
}

function shouldQuoteLabelName(name: string): boolean {
  return !/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name);
}

/** Renders a matcher like Prometheus' `labels.Matcher.String()`. */
export function formatMatcher(m: Matcher): string {
  const name = shouldQuoteLabelName(m.name) ? goQuote(m.name) : m.name;
  return `${name}${m.op}${goQuote(m.value)}`;
}

function joinLabels(labels: string[]): string {
  return labels.map((l) => (isLegacyName(l) ? l : goQuote(l))).join(', ');
}

function formatNumberLiteral(n: NumberLiteral): string {
  if (n.duration === true) {
    return n.value < 0 ? `-${formatDuration(-n.value * 1000)}` : formatDuration(n.value * 1000);
  }
  return formatFloat(n.value);
}

/** Renders a duration expression the way Prometheus prints `DurationExpr`. */
export function formatDurationExpr(d: DurationExpr | NumberLiteral): string {
  if (d.type === 'NumberLiteral') return formatNumberLiteral(d);
  const rhs = formatDurationExpr(d.rhs);
  const body = d.lhs === null ? `${d.op}${rhs}` : `${formatDurationExpr(d.lhs)} ${d.op} ${rhs}`;
  return d.wrapped ? `(${body})` : body;
}

function atAndOffset(m: TimeModifiers): string {
  let at = '';
  if (m.timestampMs !== null) at = ` @ ${(m.timestampMs / 1000).toFixed(3)}`;
  else if (m.startOrEnd !== null) at = ` @ ${m.startOrEnd}()`;
  let offset = '';
  if (m.offsetExpr !== undefined) offset = ` offset ${formatDurationExpr(m.offsetExpr)}`;
  else if (m.offsetMs > 0) offset = ` offset ${formatDuration(m.offsetMs)}`;
  else if (m.offsetMs < 0) offset = ` offset -${formatDuration(-m.offsetMs)}`;
  return at + offset;
}

function formatSelectorBody(vs: VectorSelector): string {
  const parts: string[] = [];
  for (const m of vs.matchers) {
    if (m.name === '__name__' && m.op === '=' && m.value === vs.name && m.value !== '') continue;
    parts.push(formatMatcher(m));
  }
  if (parts.length === 0) return vs.name;
  // Go sorts by byte order; Buffer comparison gives the same order for any UTF-8 text.
  parts.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return `${vs.name}{${parts.join(',')}}`;
}

/** Renders an expression exactly like Prometheus' `Expr.String()` (used by `/api/v1/format_query`). */
export function formatExpr(e: Expr): string {
  switch (e.type) {
    case 'NumberLiteral':
      return formatNumberLiteral(e);
    case 'StringLiteral':
      return goQuote(e.value);
    case 'VectorSelector':
      return formatSelectorBody(e) + atAndOffset(e);
    case 'MatrixSelector': {
      const range =
        e.rangeExpr !== undefined ? formatDurationExpr(e.rangeExpr) : formatDuration(e.rangeMs);
      return `${formatSelectorBody(e.vectorSelector)}[${range}]${atAndOffset(e.vectorSelector)}`;
    }
    case 'SubqueryExpr': {
      const range =
        e.rangeExpr !== undefined ? formatDurationExpr(e.rangeExpr) : formatDuration(e.rangeMs);
      // Prometheus keeps Step at 0 while a step expression is unevaluated, so the expression wins.
      let step = '';
      if (e.stepExpr !== undefined) step = formatDurationExpr(e.stepExpr);
      else if (e.stepMs !== 0) step = formatDuration(e.stepMs);
      return `${formatExpr(e.expr)}[${range}:${step}]${atAndOffset(e)}`;
    }
    case 'ParenExpr':
      return `(${formatExpr(e.expr)})`;
    case 'UnaryExpr':
      return `${e.op}${formatExpr(e.expr)}`;
    case 'BinaryExpr': {
      let matching = '';
      const vm = e.matching;
      if (vm !== null && (vm.matchingLabels.length > 0 || vm.on)) {
        matching = ` ${vm.on ? 'on' : 'ignoring'} (${vm.matchingLabels.join(', ')})`;
        if (vm.card === 'many-to-one' || vm.card === 'one-to-many') {
          matching += ` group_${vm.card === 'many-to-one' ? 'left' : 'right'} (${vm.include.join(', ')})`;
        }
      }
      return `${formatExpr(e.lhs)} ${e.op}${e.returnBool ? ' bool' : ''}${matching} ${formatExpr(e.rhs)}`;
    }
    case 'AggregateExpr': {
      let s: string = e.op;
      if (e.without) s += ` without (${joinLabels(e.grouping)}) `;
      else if (e.grouping.length > 0) s += ` by (${joinLabels(e.grouping)}) `;
      s += '(';
      if (e.param !== null) s += `${formatExpr(e.param)}, `;
      return `${s}${formatExpr(e.expr)})`;
    }
    case 'Call':
      return `${e.func.name}(${e.args.map(formatExpr).join(', ')})`;
  }
}
