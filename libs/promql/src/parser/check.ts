import {
  type AggregateOp,
  type BinaryExpr,
  type Expr,
  exprType,
  type PositionRange,
  type ValueType,
  type VectorSelector,
} from './ast';
import { type Matcher } from '../storage/labels';
import { compilePromRegex } from '@strata/prom-regex';

/** Where type errors are recorded, plus the query bytes for operator positions. */
export interface CheckSink {
  readonly input: string;
  addError(pos: PositionRange, message: string): void;
}

const COMPARISON_OPS = new Set(['==', '!=', '<=', '<', '>=', '>']);
const SET_OPS = new Set(['and', 'or', 'unless']);
const SCALAR_PARAM_AGGREGATORS = new Set<AggregateOp>([
  'topk',
  'bottomk',
  'quantile',
  'limitk',
  'limit_ratio',
]);

/** The wording Prometheus uses for value types in messages. */
export function documentedType(t: ValueType | 'none'): string {
  switch (t) {
    case 'vector':
      return 'instant vector';
    case 'matrix':
      return 'range vector';
    case 'scalar':
    case 'string':
    case 'none':
      return t;
  }
}

function matchesEmpty(m: Matcher): boolean {
  switch (m.op) {
    case '=':
      return m.value === '';
    case '!=':
      return m.value !== '';
    case '=~':
      return compilePromRegex(m.value).test('');
    case '!~':
      return !compilePromRegex(m.value).test('');
  }
}

function isSpaceByte(b: number | undefined): boolean {
  return b === 32 || b === 9 || b === 10 || b === 13;
}

class Checker {
  private bytesCache: Buffer | null = null;
  private readonly bypassEmptyCheck = new WeakSet<VectorSelector>();

  constructor(private readonly sink: CheckSink) {}

  // Only needed to locate an operator for an error message, so encoded on first use.
  private get bytes(): Buffer {
    this.bytesCache ??= Buffer.from(this.sink.input, 'utf8');
    return this.bytesCache;
  }

  private err(pos: PositionRange, message: string): void {
    this.sink.addError(pos, message);
  }

  private expectType(node: Expr, want: ValueType, context: string): void {
    const t = this.check(node);
    if (t !== want)
      this.err(
        node.pos,
        `expected type ${documentedType(want)} in ${context}, got ${documentedType(t)}`,
      );
  }

  /** The operator's byte range between the operands, as Prometheus derives it for messages. */
  private opRange(n: BinaryExpr): PositionRange {
    let start = n.lhs.pos.end;
    while (isSpaceByte(this.bytes[start])) start++;
    let end = n.rhs.pos.start - 1;
    while (isSpaceByte(this.bytes[end])) end--;
    return { start, end };
  }

  check(node: Expr): ValueType {
    switch (node.type) {
      case 'AggregateExpr':
        this.expectType(node.expr, 'vector', 'aggregation expression');
        if (node.param !== null && SCALAR_PARAM_AGGREGATORS.has(node.op))
          this.expectType(node.param, 'scalar', 'aggregation parameter');
        if (node.param !== null && node.op === 'count_values')
          this.expectType(node.param, 'string', 'aggregation parameter');
        return 'vector';
      case 'BinaryExpr':
        return this.checkBinaryChain(node);
      case 'Call':
        this.checkCall(node);
        return node.func.returnType;
      case 'ParenExpr':
        return this.check(node.expr);
      case 'UnaryExpr': {
        const t = this.check(node.expr);
        if (t !== 'scalar' && t !== 'vector') {
          this.err(
            node.pos,
            `unary expression only allowed on expressions of type scalar or instant vector, got ${JSON.stringify(documentedType(t))}`,
          );
        }
        return t;
      }
      case 'SubqueryExpr': {
        const t = this.check(node.expr);
        if (t !== 'vector')
          this.err(node.pos, `subquery is only allowed on instant vector, got ${t} instead`);
        return 'matrix';
      }
      case 'MatrixSelector':
        this.check(node.vectorSelector);
        return 'matrix';
      case 'VectorSelector':
        this.checkSelector(node);
        return 'vector';
      case 'NumberLiteral':
        return 'scalar';
      case 'StringLiteral':
        return 'string';
    }
  }

  /**
   * Checks a left-deep chain of binary expressions bottom-up without recursing along the left
   * spine, so `a + b + c + ...` with thousands of terms neither overflows the stack nor goes
   * quadratic; errors come out in the same order as a recursive walk.
   */
  private checkBinaryChain(top: BinaryExpr): ValueType {
    const spine: BinaryExpr[] = [];
    let cur: Expr = top;
    while (cur.type === 'BinaryExpr') {
      spine.push(cur);
      cur = cur.lhs;
    }
    let lt = this.check(cur);
    for (let i = spine.length - 1; i >= 0; i--) {
      const n = spine[i];
      const rt = this.check(n.rhs);
      this.checkBinary(n, lt, rt);
      lt = lt === 'scalar' && rt === 'scalar' ? 'scalar' : 'vector';
    }
    return lt;
  }

  private checkSelector(n: VectorSelector): void {
    if (n.name !== '') {
      for (const m of n.matchers.slice(0, -1)) {
        if (m.name === '__name__')
          this.err(
            n.pos,
            `metric name must not be set twice: ${JSON.stringify(n.name)} or ${JSON.stringify(m.value)}`,
          );
      }
      return;
    }
    if (this.bypassEmptyCheck.has(n)) return;
    if (!n.matchers.some((m) => !matchesEmpty(m)))
      this.err(n.pos, 'vector selector must contain at least one non-empty matcher');
  }

  private checkBinary(n: BinaryExpr, lt: ValueType, rt: ValueType): void {
    const isComparison = COMPARISON_OPS.has(n.op);
    const isSet = SET_OPS.has(n.op);
    if (n.returnBool && !isComparison)
      this.err(this.opRange(n), 'bool modifier can only be used on comparison operators');
    if (isComparison && !n.returnBool && rt === 'scalar' && lt === 'scalar') {
      this.err(this.opRange(n), 'comparisons between scalars must use BOOL modifier');
    }
    const vm = n.matching;
    if (vm !== null && isSet && vm.card === 'one-to-one') vm.card = 'many-to-many';
    if (vm !== null && vm.on) {
      for (const l1 of vm.matchingLabels) {
        if (vm.include.includes(l1))
          this.err(
            this.opRange(n),
            `label ${JSON.stringify(l1)} must not occur in ON and GROUP clause at once`,
          );
      }
    }
    if (lt !== 'scalar' && lt !== 'vector')
      this.err(n.lhs.pos, 'binary expression must contain only scalar and instant vector types');
    if (rt !== 'scalar' && rt !== 'vector')
      this.err(n.rhs.pos, 'binary expression must contain only scalar and instant vector types');
    if ((lt !== 'vector' || rt !== 'vector') && vm !== null) {
      if (vm.matchingLabels.length > 0)
        this.err(n.pos, 'vector matching only allowed between instant vectors');
      n.matching = null;
    } else if (isSet && vm !== null) {
      if (vm.card === 'one-to-many' || vm.card === 'many-to-one')
        this.err(n.pos, `no grouping allowed for ${JSON.stringify(n.op)} operation`);
      if (vm.card !== 'many-to-many') this.err(n.pos, 'set operations must always be many-to-many');
    }
    if ((lt === 'scalar' || rt === 'scalar') && isSet)
      this.err(
        n.pos,
        `set operator ${JSON.stringify(n.op)} not allowed in binary scalar expression`,
      );
  }

  private checkCall(n: Extract<Expr, { type: 'Call' }>): void {
    const f = n.func;
    const nargs = f.argTypes.length;
    if (f.variadic === 0) {
      if (nargs !== n.args.length)
        this.err(
          n.pos,
          `expected ${nargs} argument(s) in call to ${JSON.stringify(f.name)}, got ${n.args.length}`,
        );
    } else {
      const na = nargs - 1;
      if (na > n.args.length) {
        this.err(
          n.pos,
          `expected at least ${na} argument(s) in call to ${JSON.stringify(f.name)}, got ${n.args.length}`,
        );
      } else if (f.variadic > 0 && na + f.variadic < n.args.length) {
        this.err(
          n.pos,
          `expected at most ${na + f.variadic} argument(s) in call to ${JSON.stringify(f.name)}, got ${n.args.length}`,
        );
      }
    }
    if (f.name === 'info' && n.args.length > 1) {
      const second = n.args[1];
      const t = exprType(second);
      if (t !== 'vector')
        this.err(
          n.pos,
          `expected type instant vector in call to function "info", got ${documentedType(t)}`,
        );
      if (second.type === 'VectorSelector') {
        if (second.name !== '')
          this.err(second.pos, 'expected label selectors only, got vector selector instead');
        this.bypassEmptyCheck.add(second);
      }
    }
    for (let i = 0; i < n.args.length; i++) {
      let idx = i;
      if (i >= nargs) {
        if (f.variadic === 0) break;
        idx = nargs - 1;
      }
      this.expectType(n.args[i], f.argTypes[idx], `call to function ${JSON.stringify(f.name)}`);
    }
  }
}

/** Runs Prometheus' `checkAST` type checks, recording errors in order; also finalises vector matching. */
export function checkAST(expr: Expr, sink: CheckSink): void {
  new Checker(sink).check(expr);
}
