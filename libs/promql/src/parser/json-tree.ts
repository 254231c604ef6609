import { type Matcher } from '../storage/labels';
import { type Expr, type TimeModifiers } from './ast';
import { formatFloat } from './numbers';

/** A JSON value as produced for `/api/v1/parse_query`. */
export type JsonTree = null | boolean | number | string | JsonTree[] | { [key: string]: JsonTree };

function matchers(ms: Matcher[]): JsonTree {
  return ms.map((m) => ({ name: m.name, value: m.value, type: m.op }));
}

// Prometheus' parser leaves a written duration expression unevaluated (0) until the engine runs.
function offsetOf(m: TimeModifiers): number {
  return m.offsetExpr === undefined ? m.offsetMs : 0;
}

/** Converts a tree to the JSON shape of Prometheus' `/api/v1/parse_query` (`translateAST`). */
export function exprToJson(e: Expr): JsonTree {
  switch (e.type) {
    case 'AggregateExpr':
      return {
        type: 'aggregation',
        op: e.op,
        expr: exprToJson(e.expr),
        param: e.param === null ? null : exprToJson(e.param),
        grouping: [...e.grouping],
        without: e.without,
      };
    case 'BinaryExpr':
      return {
        type: 'binaryExpr',
        op: e.op,
        lhs: exprToJson(e.lhs),
        rhs: exprToJson(e.rhs),
        matching:
          e.matching === null
            ? null
            : {
                card: e.matching.card,
                labels: [...e.matching.matchingLabels],
                on: e.matching.on,
                include: [...e.matching.include],
              },
        bool: e.returnBool,
      };
    case 'Call':
      return {
        type: 'call',
        func: {
          name: e.func.name,
          argTypes: [...e.func.argTypes],
          variadic: e.func.variadic,
          returnType: e.func.returnType,
        },
        args: e.args.map(exprToJson),
      };
    case 'MatrixSelector': {
      const vs = e.vectorSelector;
      return {
        type: 'matrixSelector',
        name: vs.name,
        range: e.rangeExpr === undefined ? e.rangeMs : 0,
        offset: offsetOf(vs),
        matchers: matchers(vs.matchers),
        timestamp: vs.timestampMs,
        startOrEnd: vs.startOrEnd,
      };
    }
    case 'SubqueryExpr':
      return {
        type: 'subquery',
        expr: exprToJson(e.expr),
        range: e.rangeExpr === undefined ? e.rangeMs : 0,
        offset: offsetOf(e),
        step: e.stepExpr === undefined ? e.stepMs : 0,
        timestamp: e.timestampMs,
        startOrEnd: e.startOrEnd,
      };
    case 'NumberLiteral':
      return { type: 'numberLiteral', val: formatFloat(e.value) };
    case 'ParenExpr':
      return { type: 'parenExpr', expr: exprToJson(e.expr) };
    case 'StringLiteral':
      return { type: 'stringLiteral', val: e.value };
    case 'UnaryExpr':
      return { type: 'unaryExpr', op: e.op, expr: exprToJson(e.expr) };
    case 'VectorSelector':
      return {
        type: 'vectorSelector',
        name: e.name,
        offset: offsetOf(e),
        matchers: matchers(e.matchers),
        timestamp: e.timestampMs,
        startOrEnd: e.startOrEnd,
      };
  }
}
