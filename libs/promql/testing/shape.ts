import { type Expr } from '../src/parser/ast';
import { formatExpr } from '../src/parser/printer';

/** Renders a tree with every operator node fully parenthesised, to assert grouping in tests. */
export function shape(e: Expr): string {
  switch (e.type) {
    case 'BinaryExpr':
      return `(${shape(e.lhs)} ${e.op} ${shape(e.rhs)})`;
    case 'UnaryExpr':
      return `(${e.op}${shape(e.expr)})`;
    case 'ParenExpr':
      return shape(e.expr);
    case 'SubqueryExpr':
    case 'MatrixSelector':
    case 'VectorSelector':
      return `<${formatExpr(e)}>`;
    case 'AggregateExpr':
      return `${e.op}(${e.param === null ? '' : `${shape(e.param)}, `}${shape(e.expr)})`;
    case 'Call':
      return `${e.func.name}(${e.args.map(shape).join(', ')})`;
    case 'NumberLiteral':
    case 'StringLiteral':
      return formatExpr(e);
  }
}
