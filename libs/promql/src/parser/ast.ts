/**
 * The PromQL syntax tree, shaped like Prometheus' `promql/parser/ast.go` so that a tree printed
 * from here reads the same as one printed by Prometheus. Positions are byte offsets into the query.
 */
import { type Matcher } from '../storage/labels';

/** A half-open byte range `[start, end)` in the query text. */
export interface PositionRange {
  start: number;
  end: number;
}

/** The four value types an expression can evaluate to (plus `string`). */
export type ValueType = 'scalar' | 'vector' | 'matrix' | 'string';

/** Binary operators, by their token text. */
export type BinaryOp =
  | '+'
  | '-'
  | '*'
  | '/'
  | '%'
  | '^'
  | 'atan2'
  | '=='
  | '!='
  | '>'
  | '<'
  | '>='
  | '<='
  | 'and'
  | 'or'
  | 'unless';

/** Aggregation operators. */
export type AggregateOp =
  | 'sum'
  | 'avg'
  | 'count'
  | 'min'
  | 'max'
  | 'group'
  | 'stddev'
  | 'stdvar'
  | 'topk'
  | 'bottomk'
  | 'count_values'
  | 'quantile'
  | 'limitk'
  | 'limit_ratio';

/** `@ start()` / `@ end()` preprocessors, resolved by the engine to the query's start or end. */
export type AtModifierPreprocessor = 'start' | 'end';

/** How the two sides of a vector/vector binary operation are matched. */
export interface VectorMatching {
  card: 'one-to-one' | 'many-to-one' | 'one-to-many' | 'many-to-many';
  /** Label names of `on(...)` (when `on` is true) or `ignoring(...)`. */
  matchingLabels: string[];
  /** True for `on(...)`, false for `ignoring(...)` or no clause. */
  on: boolean;
  /** Labels from `group_left(...)` / `group_right(...)` to copy from the "one" side. */
  include: string[];
}

/** Timestamp and offset modifiers shared by selectors and subqueries. */
export interface TimeModifiers {
  /** Offset in milliseconds; negative for `offset -5m`. */
  offsetMs: number;
  /** Fixed evaluation time in milliseconds from `@ <ts>`, or null. */
  timestampMs: number | null;
  /** `@ start()` or `@ end()`, or null. */
  startOrEnd: AtModifierPreprocessor | null;
  /** The offset as written when it was a duration expression such as `offset (1h/2)`. */
  offsetExpr?: DurationExpr;
}

/** A number literal; a leading sign is folded into it, as Prometheus does. */
export interface NumberLiteral {
  type: 'NumberLiteral';
  value: number;
  pos: PositionRange;
  /** True when written as a duration (`5m`), so the printer renders it back as one. */
  duration?: boolean;
}

/** Binary operators allowed inside duration expressions (`foo[5m+30s]`, `offset (1h/2)`). */
export type DurationOp = '+' | '-' | '*' | '/' | '%' | '^';

/**
 * A constant duration expression as written, kept only so the printer can reproduce it; the engine
 * reads the already folded `rangeMs` / `stepMs` / `offsetMs` instead. Not part of the `Expr` union.
 */
export interface DurationExpr {
  type: 'DurationExpr';
  op: DurationOp;
  /** Null for a unary minus. */
  lhs: DurationExpr | NumberLiteral | null;
  rhs: DurationExpr | NumberLiteral;
  /** True when written in parentheses. */
  wrapped: boolean;
  pos: PositionRange;
}

/** A string literal after unquoting. */
export interface StringLiteral {
  type: 'StringLiteral';
  value: string;
  pos: PositionRange;
  /** True when escapes produced bytes that are not valid UTF-8 (JS replaced them with U+FFFD). */
  invalidUtf8?: boolean;
}

/** An instant vector selector such as `foo{a="b"}`. */
export interface VectorSelector extends TimeModifiers {
  type: 'VectorSelector';
  /** The metric name written before the braces, or '' when only matchers were given. */
  name: string;
  /** Every matcher, including the `__name__="..."` one implied by `name`. */
  matchers: Matcher[];
  pos: PositionRange;
}

/** A range vector selector such as `foo[5m]`. */
export interface MatrixSelector {
  type: 'MatrixSelector';
  /** Always a VectorSelector; its time modifiers apply to the range. */
  vectorSelector: VectorSelector;
  rangeMs: number;
  /** The range as written when it was a duration expression such as `[5m+30s]`. */
  rangeExpr?: DurationExpr;
  /** End of the `[...]` token; offset/@ may extend the node past this. */
  pos: PositionRange;
}

/** A subquery such as `rate(foo[1m])[1h:5m]`. */
export interface SubqueryExpr extends TimeModifiers {
  type: 'SubqueryExpr';
  expr: Expr;
  rangeMs: number;
  /** Resolution step in ms; 0 means "use the engine's default evaluation interval". */
  stepMs: number;
  /** The range as written when it was a duration expression. */
  rangeExpr?: DurationExpr;
  /** The step as written when it was a duration expression. */
  stepExpr?: DurationExpr;
  pos: PositionRange;
}

/** A parenthesised expression, kept so printing preserves the parentheses. */
export interface ParenExpr {
  type: 'ParenExpr';
  expr: Expr;
  pos: PositionRange;
}

/** A unary plus or minus over a non-literal expression. */
export interface UnaryExpr {
  type: 'UnaryExpr';
  op: '+' | '-';
  expr: Expr;
  pos: PositionRange;
}

/** A binary operation with its vector-matching modifiers. */
export interface BinaryExpr {
  type: 'BinaryExpr';
  op: BinaryOp;
  lhs: Expr;
  rhs: Expr;
  /** Set when both sides are vectors (and for set operators, always many-to-many). */
  matching: VectorMatching | null;
  /** The `bool` modifier of comparison operators. */
  returnBool: boolean;
  pos: PositionRange;
}

/** An aggregation such as `sum by (job) (foo)` or `topk(3, foo)`. */
export interface AggregateExpr {
  type: 'AggregateExpr';
  op: AggregateOp;
  expr: Expr;
  /** The parameter of topk, bottomk, quantile, count_values, limitk, limit_ratio. */
  param: Expr | null;
  grouping: string[];
  /** True for `without(...)`. */
  without: boolean;
  pos: PositionRange;
}

/** A function call. */
export interface Call {
  type: 'Call';
  func: FunctionSignature;
  args: Expr[];
  pos: PositionRange;
}

/** Static description of a PromQL function, as in Prometheus' `parser/functions.go`. */
export interface FunctionSignature {
  name: string;
  argTypes: ValueType[];
  /** -1: the last argument type repeats without limit; n > 0: up to n optional trailing args. */
  variadic: number;
  returnType: ValueType;
  experimental?: boolean;
}

/** `step()` and friends are not in Prometheus 3.5's stable grammar; duration expressions arrive as NumberLiterals. */
export type Expr =
  | NumberLiteral
  | StringLiteral
  | VectorSelector
  | MatrixSelector
  | SubqueryExpr
  | ParenExpr
  | UnaryExpr
  | BinaryExpr
  | AggregateExpr
  | Call;

/** The value type an expression evaluates to, as Prometheus' `Expr.Type()`. */
export function exprType(e: Expr): ValueType {
  switch (e.type) {
    case 'NumberLiteral':
      return 'scalar';
    case 'StringLiteral':
      return 'string';
    case 'VectorSelector':
      return 'vector';
    case 'MatrixSelector':
    case 'SubqueryExpr':
      return 'matrix';
    case 'ParenExpr':
    case 'UnaryExpr':
      return exprType(e.expr);
    case 'BinaryExpr':
      return exprType(e.lhs) === 'scalar' && exprType(e.rhs) === 'scalar' ? 'scalar' : 'vector';
    case 'AggregateExpr':
      return 'vector';
    case 'Call':
      return e.func.returnType;
  }
}

/** Strips any number of parentheses around an expression (Prometheus' `unwrapParenExpr`). */
export function unwrapParens(e: Expr): Expr {
  while (e.type === 'ParenExpr') e = e.expr;
  return e;
}
