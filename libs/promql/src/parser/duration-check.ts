import { type Expr } from './ast';
import { type DurationNode, evaluateDuration } from './duration-expr';

function durationError(node: DurationNode, allowNegative: boolean): string | null {
  const r = evaluateDuration(node);
  const where = `${node.pos.start}:${node.pos.end}`;
  if ('error' in r) return `${where}: ${r.error}`;
  if (r.seconds <= 0 && !allowNegative) return `${where}: duration must be greater than 0`;
  if (!Number.isFinite(r.seconds) || Math.abs(r.seconds) >= 2 ** 63 / 1e9)
    return `${where}: duration is out of range`;
  return null;
}

/**
 * Reports the first duration expression the engine must refuse before evaluation (a range or step
 * that is not positive, a division by zero), with Prometheus' message, or null when all are valid.
 * Prometheus' parser accepts these and its engine rejects them, so evaluators call this first.
 */
export function durationExprError(expr: Expr): string | null {
  switch (expr.type) {
    case 'VectorSelector':
      return expr.offsetExpr === undefined ? null : durationError(expr.offsetExpr, true);
    case 'MatrixSelector':
      return (
        (expr.rangeExpr === undefined ? null : durationError(expr.rangeExpr, false)) ??
        durationExprError(expr.vectorSelector)
      );
    case 'SubqueryExpr':
      return (
        (expr.offsetExpr === undefined ? null : durationError(expr.offsetExpr, true)) ??
        (expr.stepExpr === undefined ? null : durationError(expr.stepExpr, false)) ??
        (expr.rangeExpr === undefined ? null : durationError(expr.rangeExpr, false)) ??
        durationExprError(expr.expr)
      );
    case 'ParenExpr':
    case 'UnaryExpr':
      return durationExprError(expr.expr);
    case 'BinaryExpr':
      return durationExprError(expr.lhs) ?? durationExprError(expr.rhs);
    case 'AggregateExpr':
      return (
        (expr.param === null ? null : durationExprError(expr.param)) ?? durationExprError(expr.expr)
      );
    case 'Call':
      for (const a of expr.args) {
        const e = durationExprError(a);
        if (e !== null) return e;
      }
      return null;
    case 'NumberLiteral':
    case 'StringLiteral':
      return null;
  }
}
