import { type Expr, parseExpr, type TimeModifiers } from '@strata/promql';

/** What the frontend may do with a query, decided from its syntax tree. */
export interface QueryShape {
  /** Each step depends only on its own time: the range may be split into parts. */
  splittable: boolean;
  /** How far past each step the query reads (negative offsets); Infinity: never cache. */
  lookAheadMs: number;
  /** The latest fixed time an `@ <time>` makes it read, or -Infinity. */
  fixedReadMs: number;
}

/** The newest sample time a result over steps up to `lastStepMs` can depend on. */
export function readsUntil(shape: QueryShape, lastStepMs: number): number {
  return Math.max(lastStepMs + shape.lookAheadMs, shape.fixedReadMs);
}

const PASS_THROUGH: QueryShape = {
  splittable: false,
  lookAheadMs: Infinity,
  fixedReadMs: -Infinity,
};

function children(e: Expr): Expr[] {
  switch (e.type) {
    case 'NumberLiteral':
    case 'StringLiteral':
    case 'VectorSelector':
      return [];
    case 'MatrixSelector':
      return [e.vectorSelector];
    case 'SubqueryExpr':
    case 'ParenExpr':
    case 'UnaryExpr':
      return [e.expr];
    case 'BinaryExpr':
      return [e.lhs, e.rhs];
    case 'AggregateExpr':
      return e.param === null ? [e.expr] : [e.param, e.expr];
    case 'Call':
      return e.args;
  }
}

function modifiersOf(e: Expr): TimeModifiers | null {
  return e.type === 'VectorSelector' || e.type === 'SubqueryExpr' ? e : null;
}

/**
 * The frontend's view of a query. `@ start()` / `@ end()` depend on the whole range, so such
 * queries are neither split nor cached; `@ <time>` reads at a fixed time, which may be later than
 * any step; a negative offset reads past each step. A query that does not parse passes through
 * untouched, so the query service answers it with its own error.
 */
export function queryShape(query: string): QueryShape {
  let root: Expr;
  try {
    root = parseExpr(query);
  } catch {
    return PASS_THROUGH;
  }
  let splittable = true;
  let fixedReadMs = -Infinity;
  let lookAheadMs = 0;
  // `at` is the fixed time an enclosing `@` set, or null while evaluation follows the steps.
  const visit = (e: Expr, at: number | null, offsetMs: number): void => {
    let base = at;
    let offset = offsetMs;
    const m = modifiersOf(e);
    if (m !== null) {
      if (m.startOrEnd !== null) splittable = false;
      if (m.timestampMs !== null) {
        base = m.timestampMs;
        offset = m.offsetMs;
      } else offset += m.offsetMs;
      if (base === null) lookAheadMs = Math.max(lookAheadMs, -offset);
      else fixedReadMs = Math.max(fixedReadMs, base - offset);
    }
    for (const c of children(e)) visit(c, base, offset);
  };
  visit(root, null, 0);
  return splittable ? { splittable, lookAheadMs, fixedReadMs } : PASS_THROUGH;
}
