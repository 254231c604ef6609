import {
  type AggregateExpr,
  type AggregateOp,
  type BinaryExpr,
  type BinaryOp,
  type Call,
  type Expr,
  type FunctionSignature,
  type PositionRange,
  type VectorSelector,
} from './ast';
import { checkAST } from './check';
import { parseNumberOrDurationLiteral } from './duration-expr';
import { AGGREGATORS_WITH_PARAM, EXPERIMENTAL_AGGREGATORS, getFunction } from './functions';
import { parseGroupingLabels, parseLabelMatchers, unquoteTokenFull } from './labels';
import { ParseError } from './parse-error';
import { parsePostfix } from './postfix';
import { Abort, type ErrorContext, type ParseOptions, TokenStream } from './token-stream';
import { type Token, type TokenType } from './tokens';

interface BinaryInfo {
  op: BinaryOp;
  prec: number;
  right: boolean;
}

const BINARY_OPS: Partial<Record<TokenType, BinaryInfo>> = {
  LOR: { op: 'or', prec: 1, right: false },
  LAND: { op: 'and', prec: 2, right: false },
  LUNLESS: { op: 'unless', prec: 2, right: false },
  EQLC: { op: '==', prec: 3, right: false },
  NEQ: { op: '!=', prec: 3, right: false },
  LTE: { op: '<=', prec: 3, right: false },
  LSS: { op: '<', prec: 3, right: false },
  GTE: { op: '>=', prec: 3, right: false },
  GTR: { op: '>', prec: 3, right: false },
  ADD: { op: '+', prec: 4, right: false },
  SUB: { op: '-', prec: 4, right: false },
  MUL: { op: '*', prec: 5, right: false },
  DIV: { op: '/', prec: 5, right: false },
  MOD: { op: '%', prec: 5, right: false },
  ATAN2: { op: 'atan2', prec: 5, right: false },
  POW: { op: '^', prec: 6, right: true },
};

// A unary sign has the precedence of `*`, so only `^` (and postfix modifiers) bind inside it.
const UNARY_OPERAND_PREC = 6;

// Keywords Prometheus also accepts as a metric name in expression position.
const METRIC_IDENTIFIERS: ReadonlySet<TokenType> = new Set<TokenType>([
  'AGGREGATOR',
  'BY',
  'IDENTIFIER',
  'LAND',
  'LOR',
  'LUNLESS',
  'METRIC_IDENTIFIER',
  'OFFSET',
  'WITHOUT',
  'START',
  'END',
]);

const AGGREGATION_CTX: ErrorContext = { context: 'aggregation', expected: '' };

function span(a: PositionRange, b: PositionRange): PositionRange {
  return { start: a.start, end: b.end };
}

/** Recursive-descent PromQL parser producing the same trees as Prometheus' yacc grammar. */
export class Parser extends TokenStream {
  /** Parses a whole query, or throws the first ParseError Prometheus would report. */
  parseQuery(): Expr {
    let expr: Expr | null = null;
    try {
      if (this.at('EOF')) {
        this.addError({ start: 0, end: 0 }, 'no expression found in input');
        throw new Abort();
      }
      expr = this.parseExpr(0);
      if (!this.at('EOF')) this.unexpected(null);
    } catch (e) {
      if (!(e instanceof Abort)) throw this.tooDeep(e);
    }
    if (this.errors.length > 0 || expr === null) throw this.firstError();
    try {
      checkAST(expr, this);
    } catch (e) {
      throw this.tooDeep(e);
    }
    if (this.errors.length > 0) throw this.firstError();
    return expr;
  }

  /** Parses a whole input as one expression without the checks a query gets (see {@link parseMetricSelector}). */
  parseUnchecked(): Expr {
    let expr: Expr | null = null;
    try {
      if (this.at('EOF')) {
        this.addError({ start: 0, end: 0 }, 'no expression found in input');
        throw new Abort();
      }
      expr = this.parseExpr(0);
      if (!this.at('EOF')) this.unexpected(null);
    } catch (e) {
      if (!(e instanceof Abort)) throw this.tooDeep(e);
    }
    if (this.errors.length > 0 || expr === null) throw this.firstError();
    return expr;
  }

  /** Turns a stack overflow on absurdly nested input into a ParseError instead of a crash. */
  private tooDeep(e: unknown): unknown {
    if (!(e instanceof RangeError)) return e;
    return new ParseError(
      { start: 0, end: this.lexer.byteLength },
      'expression nesting is too deep to parse',
      this.input,
    );
  }

  /** Precedence climbing over binary operators. */
  parseExpr(minPrec: number): Expr {
    let lhs = this.parseUnary();
    for (;;) {
      const info = BINARY_OPS[this.tok.type];
      if (info === undefined || info.prec < minPrec) return lhs;
      this.advance();
      const node: BinaryExpr = {
        type: 'BinaryExpr',
        op: info.op,
        lhs,
        rhs: lhs,
        matching: { card: 'one-to-one', matchingLabels: [], on: false, include: [] },
        returnBool: false,
        pos: lhs.pos,
      };
      this.parseBinModifiers(node);
      node.rhs = this.parseExpr(info.right ? info.prec : info.prec + 1);
      node.pos = span(lhs.pos, node.rhs.pos);
      lhs = node;
    }
  }

  private parseBinModifiers(node: BinaryExpr): void {
    const vm = node.matching;
    if (vm === null) return;
    if (this.at('BOOL')) {
      this.advance();
      node.returnBool = true;
    }
    if (this.at('ON') || this.at('IGNORING')) {
      vm.on = this.advance().type === 'ON';
      vm.matchingLabels = parseGroupingLabels(this).labels;
      if (this.at('GROUP_LEFT') || this.at('GROUP_RIGHT')) {
        vm.card = this.advance().type === 'GROUP_LEFT' ? 'many-to-one' : 'one-to-many';
        vm.include = this.at('LEFT_PAREN') ? parseGroupingLabels(this).labels : [];
      }
    }
  }

  private parseUnary(): Expr {
    if (!this.at('ADD') && !this.at('SUB')) return this.parsePostfixed();
    const opTok = this.advance();
    const operand = this.parseExpr(UNARY_OPERAND_PREC);
    if (operand.type === 'NumberLiteral') {
      if (opTok.type === 'SUB') operand.value = -operand.value;
      operand.pos = { start: opTok.pos, end: operand.pos.end };
      return operand;
    }
    return {
      type: 'UnaryExpr',
      op: opTok.type === 'SUB' ? '-' : '+',
      expr: operand,
      pos: { start: opTok.pos, end: operand.pos.end },
    };
  }

  private parsePostfixed(): Expr {
    return parsePostfix(this, this.parsePrimary());
  }

  private parsePrimary(): Expr {
    const t = this.tok;
    if (t.type === 'NUMBER' || t.type === 'DURATION') return parseNumberOrDurationLiteral(this);
    if (t.type === 'STRING') {
      this.advance();
      const { value, invalidUtf8 } = unquoteTokenFull(this, t);
      const lit: Expr = { type: 'StringLiteral', value, pos: { start: t.pos, end: t.end } };
      if (invalidUtf8) lit.invalidUtf8 = true;
      return lit;
    }
    if (t.type === 'LEFT_PAREN') {
      this.advance();
      const inner = this.parseExpr(0);
      const rp = this.expect('RIGHT_PAREN');
      return { type: 'ParenExpr', expr: inner, pos: { start: t.pos, end: rp.end } };
    }
    if (t.type === 'LEFT_BRACE') return this.parseVectorSelector(null);
    if (t.type === 'IDENTIFIER' && this.peek2().type === 'LEFT_PAREN') return this.parseCall();
    if (t.type === 'AGGREGATOR') {
      const next = this.peek2().type;
      if (next === 'LEFT_PAREN' || next === 'BY' || next === 'WITHOUT')
        return this.parseAggregation();
    }
    if (METRIC_IDENTIFIERS.has(t.type)) return this.parseVectorSelector(this.advance());
    return this.unexpected();
  }

  private parseVectorSelector(nameTok: Token | null): VectorSelector {
    const name = nameTok === null ? '' : nameTok.val;
    let pos: PositionRange =
      nameTok === null ? { start: 0, end: 0 } : { start: nameTok.pos, end: nameTok.end };
    let matchers: VectorSelector['matchers'] = [];
    if (this.at('LEFT_BRACE')) {
      const parsed = parseLabelMatchers(this);
      matchers = parsed.matchers;
      pos = { start: nameTok === null ? parsed.open.pos : nameTok.pos, end: parsed.close.end };
    }
    if (name !== '') matchers.push({ name: '__name__', op: '=', value: name });
    return {
      type: 'VectorSelector',
      name,
      matchers,
      pos,
      offsetMs: 0,
      timestampMs: null,
      startOrEnd: null,
    };
  }

  /** Parses `(args)` of a call or aggregation; returns the args and the closing paren. */
  private parseCallBody(): { args: Expr[]; close: Token } {
    this.expect('LEFT_PAREN');
    const args: Expr[] = [];
    if (this.at('RIGHT_PAREN')) return { args, close: this.advance() };
    for (;;) {
      args.push(this.parseExpr(0));
      if (this.at('COMMA')) {
        const comma = this.advance();
        if (this.at('RIGHT_PAREN')) {
          this.addError(
            { start: comma.pos, end: comma.end },
            'trailing commas not allowed in function call args',
          );
          break;
        }
        continue;
      }
      if (!this.at('RIGHT_PAREN')) this.unexpected();
      break;
    }
    return { args, close: this.advance() };
  }

  private parseCall(): Call {
    const nameTok = this.advance();
    const { args, close } = this.parseCallBody();
    const namePos = { start: nameTok.pos, end: nameTok.end };
    let func: FunctionSignature | undefined = getFunction(nameTok.val);
    if (func === undefined) {
      this.addError(namePos, `unknown function with name ${JSON.stringify(nameTok.val)}`);
      func = { name: nameTok.val, argTypes: [], variadic: 0, returnType: 'vector' };
    } else if (func.experimental === true && !this.options.enableExperimentalFunctions) {
      this.addError(namePos, `function ${JSON.stringify(nameTok.val)} is not enabled`);
    }
    return { type: 'Call', func, args, pos: { start: nameTok.pos, end: close.end } };
  }

  private parseAggregation(): AggregateExpr {
    const opTok = this.advance();
    const op = opTok.val.toLowerCase() as AggregateOp;
    let grouping: string[] = [];
    let without = false;
    let end = 0;
    const args = this.withContext(AGGREGATION_CTX, () => {
      if (this.at('BY') || this.at('WITHOUT')) {
        without = this.advance().type === 'WITHOUT';
        grouping = parseGroupingLabels(this).labels;
        const body = this.parseCallBody();
        end = body.close.end;
        return body.args;
      }
      const body = this.parseCallBody();
      end = body.close.end;
      if (this.at('BY') || this.at('WITHOUT')) {
        without = this.advance().type === 'WITHOUT';
        const g = parseGroupingLabels(this);
        grouping = g.labels;
        end = g.close.end;
      }
      return body.args;
    });
    const pos = { start: opTok.pos, end };
    // The placeholder only survives when an error is recorded, and then the tree is discarded.
    const placeholder: Expr = { type: 'NumberLiteral', value: 0, pos };
    const node: AggregateExpr = {
      type: 'AggregateExpr',
      op,
      expr: args[0] ?? placeholder,
      param: null,
      grouping,
      without,
      pos,
    };
    if (args.length === 0) {
      this.addError(pos, 'no arguments for aggregate expression provided');
      return node;
    }
    let desired = 1;
    if (AGGREGATORS_WITH_PARAM.has(op)) {
      if (EXPERIMENTAL_AGGREGATORS.has(op) && !this.options.enableExperimentalFunctions) {
        this.addError(
          pos,
          `${op}() is experimental and must be enabled with --enable-feature=promql-experimental-functions`,
        );
        return node;
      }
      desired = 2;
      node.param = args[0];
    }
    if (args.length !== desired) {
      this.addError(
        pos,
        `wrong number of arguments for aggregate expression provided, expected ${desired}, got ${args.length}`,
      );
      return node;
    }
    node.expr = args[desired - 1];
    return node;
  }
}

/** Parses a PromQL expression into a typed tree, throwing a ParseError exactly like Prometheus. */
export function parseExpr(input: string, options: ParseOptions = {}): Expr {
  const parser = new Parser(input, {
    enableExperimentalFunctions: options.enableExperimentalFunctions ?? false,
    enableExperimentalDurationExpr: options.enableExperimentalDurationExpr ?? true,
  });
  return parser.parseQuery();
}

/**
 * Parses a lone series selector as Prometheus' `ParseMetricSelector` does: without the query
 * checks, so `{}` or `{job!="api"}` are accepted (they select every series, or every series
 * without `job="api"`). Returns null when the input parses but is not a selector.
 */
export function parseMetricSelector(input: string): VectorSelector | null {
  const e = new Parser(input, {
    enableExperimentalFunctions: false,
    enableExperimentalDurationExpr: true,
  }).parseUnchecked();
  return e.type === 'VectorSelector' ? e : null;
}
