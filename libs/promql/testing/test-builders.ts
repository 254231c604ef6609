import {
  type AggregateExpr,
  type AggregateOp,
  type BinaryExpr,
  type BinaryOp,
  type Call,
  type Expr,
  type MatrixSelector,
  type NumberLiteral,
  type SubqueryExpr,
  type ValueType,
  type VectorMatching,
  type VectorSelector,
} from '../src/parser/ast';
import { type Matcher } from '../src/storage/labels';

const pos = { start: 0, end: 0 };

/** Builds a vector selector `name{matchers}` for specs that run without the parser. */
export function sel(
  name: string,
  matchers: Matcher[] = [],
  offsetMs = 0,
  timestampMs: number | null = null,
): VectorSelector {
  const all =
    name === '' ? matchers : [{ name: '__name__', op: '=' as const, value: name }, ...matchers];
  return {
    type: 'VectorSelector',
    name,
    matchers: all,
    offsetMs,
    timestampMs,
    startOrEnd: null,
    pos,
  };
}

/** Builds `vs[rangeMs]`. */
export function range(vs: VectorSelector, rangeMs: number): MatrixSelector {
  return { type: 'MatrixSelector', vectorSelector: vs, rangeMs, pos };
}

/** Builds a number literal. */
export function num(value: number): NumberLiteral {
  return { type: 'NumberLiteral', value, pos };
}

/** Builds a function call; argument types are inferred for the signature. */
export function call(name: string, args: Expr[], returnType: ValueType = 'vector'): Call {
  return { type: 'Call', func: { name, argTypes: [], variadic: 0, returnType }, args, pos };
}

/** Builds an aggregation. */
export function agg(
  op: AggregateOp,
  expr: Expr,
  grouping: string[] = [],
  without = false,
  param: Expr | null = null,
): AggregateExpr {
  return { type: 'AggregateExpr', op, expr, param, grouping, without, pos };
}

/** Builds a binary expression; pass `matching` for vector/vector operations. */
export function bin(
  op: BinaryOp,
  lhs: Expr,
  rhs: Expr,
  matching: Partial<VectorMatching> | null = null,
  returnBool = false,
): BinaryExpr {
  const m: VectorMatching | null =
    matching === null
      ? null
      : { card: 'one-to-one', matchingLabels: [], on: false, include: [], ...matching };
  return { type: 'BinaryExpr', op, lhs, rhs, matching: m, returnBool, pos };
}

/** Builds `expr[rangeMs:stepMs]`. */
export function subquery(expr: Expr, rangeMs: number, stepMs: number): SubqueryExpr {
  return {
    type: 'SubqueryExpr',
    expr,
    rangeMs,
    stepMs,
    offsetMs: 0,
    timestampMs: null,
    startOrEnd: null,
    pos,
  };
}
