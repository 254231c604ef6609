import { formatExpr, type Expr } from '@strata/promql';

/** Prometheus splits a node over lines once its one-line form is longer than this (in bytes). */
const MAX_CHARACTERS_PER_LINE = 100;

const indent = (level: number): string => '  '.repeat(level);
const needsSplit = (e: Expr): boolean => Buffer.byteLength(formatExpr(e)) > MAX_CHARACTERS_PER_LINE;

/**
 * Formats an expression as Prometheus' `format_query` does (`parser.Prettify`): the one-line form
 * while it fits in 100 characters, otherwise one operand or argument per line, indented by depth.
 */
export function prettyExpr(e: Expr, level = 0): string {
  switch (e.type) {
    case 'AggregateExpr': {
      const full = formatExpr(e);
      if (!needsSplit(e)) return indent(level) + full;
      const body = `${e.param !== null ? `${formatExpr(e.param)}, ` : ''}${formatExpr(e.expr)})`;
      // The one-line form is `<op and grouping>(<param>, <expr>)`; its head is Go's getAggOpStr.
      const head = full.slice(0, full.length - body.length - 1);
      const param = e.param !== null ? `${prettyExpr(e.param, level + 1)},\n` : '';
      return `${indent(level)}${head}(\n${param}${prettyExpr(e.expr, level + 1)}\n${indent(level)})`;
    }
    case 'BinaryExpr': {
      if (!needsSplit(e)) return indent(level) + formatExpr(e);
      const full = formatExpr(e);
      const lhs = formatExpr(e.lhs);
      const rhs = formatExpr(e.rhs);
      const bool = e.returnBool ? ' bool' : '';
      const matching = full.slice(
        lhs.length + 1 + e.op.length + bool.length,
        full.length - rhs.length - 1,
      );
      return `${prettyExpr(e.lhs, level + 1)}\n${indent(level)}${e.op}${bool}${matching}\n${prettyExpr(e.rhs, level + 1)}`;
    }
    case 'Call':
      if (!needsSplit(e)) return indent(level) + formatExpr(e);
      return `${indent(level)}${e.func.name}(\n${e.args.map((a) => prettyExpr(a, level + 1)).join(',\n')}\n${indent(level)})`;
    case 'ParenExpr':
      if (!needsSplit(e)) return indent(level) + formatExpr(e);
      return `${indent(level)}(\n${prettyExpr(e.expr, level + 1)}\n${indent(level)})`;
    case 'SubqueryExpr': {
      // Like Prometheus, an unsplit subquery carries no indent of its own.
      if (!needsSplit(e)) return formatExpr(e);
      const suffix = formatExpr(e).slice(formatExpr(e.expr).length);
      return prettyExpr(e.expr, level) + suffix;
    }
    case 'UnaryExpr':
      return `${indent(level)}${e.op}${prettyExpr(e.expr, level).trim()}`;
    case 'VectorSelector':
    case 'MatrixSelector':
    case 'NumberLiteral':
    case 'StringLiteral':
      return indent(level) + formatExpr(e);
  }
}
