import { exprType, type BinaryExpr, type BinaryOp, type VectorMatching } from '../parser/ast';
import { type Labels, METRIC_NAME } from '../storage/labels';
import { EvalError } from './errors';
import { type StepEvaluator } from './eval-context';
import { newSeries, pushPoint, type Matrix, type Sample, type Vector } from './types';

function isComparison(op: BinaryOp): boolean {
  return op === '==' || op === '!=' || op === '>' || op === '<' || op === '>=' || op === '<=';
}

/** Whether the operator changes what the metric means, so its name must go. */
function changesMetricSchema(op: BinaryOp): boolean {
  return (
    op === '+' ||
    op === '-' ||
    op === '*' ||
    op === '/' ||
    op === '^' ||
    op === '%' ||
    op === 'atan2'
  );
}

/** Go's math.Mod: result has the sign of the dividend. */
function goMod(a: number, b: number): number {
  return a % b;
}

/** Scalar arithmetic for all non-set operators; comparisons yield 0/1. */
export function scalarBinop(op: BinaryOp, l: number, r: number): number {
  switch (op) {
    case '+':
      return l + r;
    case '-':
      return l - r;
    case '*':
      return l * r;
    case '/':
      return l / r;
    case '^':
      return Math.pow(l, r);
    case '%':
      return goMod(l, r);
    case 'atan2':
      return Math.atan2(l, r);
    case '==':
      return l === r ? 1 : 0;
    case '!=':
      return l !== r ? 1 : 0;
    case '>':
      return l > r ? 1 : 0;
    case '<':
      return l < r ? 1 : 0;
    case '>=':
      return l >= r ? 1 : 0;
    case '<=':
      return l <= r ? 1 : 0;
    case 'and':
    case 'or':
    case 'unless':
      throw new EvalError(`operator "${op}" not allowed for Scalar operations`);
  }
}

/** Element-wise op: [value, keep]. Comparisons keep the left value when true. */
function elemBinop(op: BinaryOp, l: number, r: number): [number, boolean] {
  switch (op) {
    case '==':
      return [l, l === r];
    case '!=':
      return [l, l !== r];
    case '>':
      return [l, l > r];
    case '<':
      return [l, l < r];
    case '>=':
      return [l, l >= r];
    case '<=':
      return [l, l <= r];
    case '+':
    case '-':
    case '*':
    case '/':
    case '%':
    case '^':
    case 'atan2':
    case 'and':
    case 'or':
    case 'unless':
      return [scalarBinop(op, l, r), true];
  }
}

/** Evaluates a binary expression over all steps. */
export function evalBinary(ev: StepEvaluator, e: BinaryExpr): Matrix {
  const lt = exprType(e.lhs);
  const rt = exprType(e.rhs);
  if (lt === 'scalar' && rt === 'scalar') {
    return ev.rangeEval(
      (a) => [
        {
          metric: a[0][0].metric,
          t: 0,
          f: scalarBinop(e.op, a[0][0].f, a[1][0].f),
          dropName: false,
        },
      ],
      [e.lhs, e.rhs],
    );
  }
  if (lt === 'vector' && rt === 'vector') {
    const matching = e.matching ?? {
      card: 'one-to-one',
      matchingLabels: [],
      on: false,
      include: [],
    };
    const sig = signatureFunc(matching);
    const op = e.op;
    const set =
      op === 'and' ? vectorAnd : op === 'or' ? vectorOr : op === 'unless' ? vectorUnless : null;
    // Result label sets repeat at every step; build each one once per evaluation.
    const metricCache = new Map<Labels, Map<Labels, Labels>>();
    return ev.rangeEval(
      (a, s) => {
        const [ls, rs] = s ?? [[], []];
        return set !== null
          ? set(a[0], a[1], ls, rs)
          : vectorBinop(op, a[0], a[1], matching, e.returnBool, ls, rs, metricCache);
      },
      [e.lhs, e.rhs],
      sig,
    );
  }
  const swap = lt === 'scalar';
  return evalVectorScalar(ev, e, swap);
}

/**
 * Vector/scalar operations map each series independently, so they run over whole typed arrays
 * instead of gathering per-step vectors; scalars always have a point at every step.
 */
function evalVectorScalar(ev: StepEvaluator, e: BinaryExpr, swap: boolean): Matrix {
  const before = ev.ctx.currentSamples;
  const lhs = ev.evalMatrix(e.lhs);
  const rhs = ev.evalMatrix(e.rhs);
  const vec = swap ? rhs : lhs;
  const sc = swap ? lhs[0] : rhs[0];
  const numSteps = ev.numSteps;
  if (sc === undefined || sc.n !== numSteps) return evalVectorScalarStepwise(ev, e, swap);
  const op = e.op;
  const cmp = isComparison(op);
  const renames = changesMetricSchema(op) || e.returnBool;
  const out: Matrix = [];
  let total = 0;
  for (const s of vec) {
    ev.checkDeadline();
    const res = newSeries(s.metric, renames ? true : s.dropName, s.n);
    for (let i = 0; i < s.n; i++) {
      const t = s.ts[i];
      const scalar = sc.vals[Math.round((t - ev.start) / ev.interval)];
      const l = swap ? scalar : s.vals[i];
      const r = swap ? s.vals[i] : scalar;
      const [v, keep] = elemBinop(op, l, r);
      if (e.returnBool) pushPoint(res, t, keep ? 1 : 0);
      else if (keep) pushPoint(res, t, cmp && swap ? r : v);
    }
    if (res.n > 0) {
      out.push(res);
      total += res.n;
    }
  }
  // Inputs and outputs are both held at the peak; afterwards only the output stays.
  ev.addSamples(total);
  ev.ctx.currentSamples = before + total;
  return out;
}

function evalVectorScalarStepwise(ev: StepEvaluator, e: BinaryExpr, swap: boolean): Matrix {
  return ev.rangeEval(
    (a) => {
      const vec = swap ? a[1] : a[0];
      const scalar = swap ? a[0][0].f : a[1][0].f;
      return vectorScalarBinop(e.op, vec, scalar, swap, e.returnBool);
    },
    [e.lhs, e.rhs],
  );
}

function signatureFunc(m: VectorMatching): (l: Labels) => string {
  if (m.on) {
    const names = [...m.matchingLabels];
    return (l) => l.matchKey(true, names);
  }
  const names = [METRIC_NAME, ...m.matchingLabels];
  return (l) => l.matchKey(false, names);
}

function vectorAnd(lhs: Vector, rhs: Vector, ls: string[], rs: string[]): Vector {
  if (lhs.length === 0 || rhs.length === 0) return [];
  const right = new Set(rs);
  return lhs.filter((_, i) => right.has(ls[i]));
}

function vectorOr(lhs: Vector, rhs: Vector, ls: string[], rs: string[]): Vector {
  if (lhs.length === 0) return [...rhs];
  if (rhs.length === 0) return [...lhs];
  const left = new Set(ls);
  const out = [...lhs];
  for (let j = 0; j < rhs.length; j++) if (!left.has(rs[j])) out.push(rhs[j]);
  return out;
}

function vectorUnless(lhs: Vector, rhs: Vector, ls: string[], rs: string[]): Vector {
  if (lhs.length === 0 || rhs.length === 0) return [...lhs];
  const right = new Set(rs);
  return lhs.filter((_, i) => !right.has(ls[i]));
}

function vectorBinop(
  op: BinaryOp,
  lhsIn: Vector,
  rhsIn: Vector,
  matching: VectorMatching,
  returnBool: boolean,
  lsIn: string[],
  rsIn: string[],
  metricCache: Map<Labels, Map<Labels, Labels>>,
): Vector {
  if (lhsIn.length === 0 || rhsIn.length === 0) return [];
  const oneToMany = matching.card === 'one-to-many';
  const [lhs, rhs, ls, rs] = oneToMany ? [rhsIn, lhsIn, rsIn, lsIn] : [lhsIn, rhsIn, lsIn, rsIn];
  const rightSigs = new Map<string, Sample>();
  for (let i = 0; i < rhs.length; i++) {
    const sig = rs[i];
    const dup = rightSigs.get(sig);
    if (dup !== undefined) {
      const oneSide = oneToMany ? 'left' : 'right';
      const matched = matching.on
        ? rhs[i].metric.keep(matching.matchingLabels)
        : rhs[i].metric.without(METRIC_NAME, ...matching.matchingLabels);
      throw new EvalError(
        `found duplicate series for the match group ${matched.toString()} on the ${oneSide} hand-side of the operation: [${rhs[i].metric.toString()}, ${dup.metric.toString()}];many-to-many matching not allowed: matching labels must be unique on one side`,
      );
    }
    rightSigs.set(sig, rhs[i]);
  }
  const matchedSigs = new Map<string, Labels | Set<string> | null>();
  const out: Vector = [];
  for (let i = 0; i < lhs.length; i++) {
    const sig = ls[i];
    const r = rightSigs.get(sig);
    if (r === undefined) continue;
    const l = lhs[i];
    const [fl, fr] = oneToMany ? [r.f, l.f] : [l.f, r.f];
    const [elemValue, keep] = elemBinop(op, fl, fr);
    let value = elemValue;
    if (returnBool) {
      value = keep ? 1 : 0;
    } else if (!keep) {
      continue;
    }
    // Input label objects are stable across steps, so identity is a cheap cache key.
    let byRight = metricCache.get(l.metric);
    if (byRight === undefined) {
      byRight = new Map();
      metricCache.set(l.metric, byRight);
    }
    let metric = byRight.get(r.metric);
    if (metric === undefined) {
      metric = resultMetric(l.metric, r.metric, op, matching);
      byRight.set(r.metric, metric);
    }
    const seen = matchedSigs.get(sig);
    if (matching.card === 'one-to-one') {
      if (seen !== undefined) {
        throw new EvalError(
          'multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)',
        );
      }
      matchedSigs.set(sig, null);
    } else if (seen === undefined || seen === null) {
      matchedSigs.set(sig, metric);
    } else {
      // A set is only built once a match group has a second member.
      const set = seen instanceof Set ? seen : new Set<string>([seen.key]);
      if (set.has(metric.key)) {
        throw new EvalError(
          'multiple matches for labels: grouping labels must ensure unique matches',
        );
      }
      set.add(metric.key);
      matchedSigs.set(sig, set);
    }
    out.push({ metric, t: 0, f: value, dropName: returnBool });
  }
  return out;
}

function resultMetric(lhs: Labels, rhs: Labels, op: BinaryOp, matching: VectorMatching): Labels {
  const m = lhs.toMap();
  if (changesMetricSchema(op)) {
    m.delete(METRIC_NAME);
    m.delete('__type__');
    m.delete('__unit__');
  }
  if (matching.card === 'one-to-one') {
    if (matching.on) {
      for (const k of [...m.keys()]) if (!matching.matchingLabels.includes(k)) m.delete(k);
    } else {
      for (const k of matching.matchingLabels) m.delete(k);
    }
  }
  for (const ln of matching.include) {
    const v = rhs.get(ln);
    if (v !== '') m.set(ln, v);
    else m.delete(ln);
  }
  return (lhs.constructor as typeof Labels).fromMap(m);
}

function vectorScalarBinop(
  op: BinaryOp,
  vec: Vector,
  scalar: number,
  swap: boolean,
  returnBool: boolean,
): Vector {
  const out: Vector = [];
  const cmp = isComparison(op);
  for (const s of vec) {
    const [l, r] = swap ? [scalar, s.f] : [s.f, scalar];
    let [value, keep] = elemBinop(op, l, r);
    if (cmp && swap) value = r;
    if (returnBool) {
      value = keep ? 1 : 0;
      keep = true;
    }
    if (!keep) continue;
    out.push({
      metric: s.metric,
      t: s.t,
      f: value,
      dropName: changesMetricSchema(op) || returnBool ? true : s.dropName,
    });
  }
  return out;
}
