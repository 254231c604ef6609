// The aggregation operators that compute a value per group and step (sum, avg, count, min, max,
// group, stddev, stdvar, quantile) and count_values, as Prometheus' `aggregation` and
// `aggregationCountValues`; the ones that keep input samples are in aggregation-k.ts.
import { type AggregateExpr, type Expr, unwrapParens } from '../parser/ast';
import { Labels, METRIC_NAME } from '../storage/labels';
import { aggregateK } from './aggregation-k';
import { Anno } from './annotations';
import { isValidLabelName } from './functions/labels';
import { EvalError } from './errors';
import { type StepEvaluator } from './eval-context';
import { kahanSumInc, quantile } from './float-math';
import { newSeries, pushPoint, type Matrix, type Series, type Vector } from './types';

/** Shortest decimal, never exponent notation, as Go's strconv.FormatFloat(f, 'f', -1, 64). */
function formatFloatF(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  const s = String(v);
  if (!s.includes('e')) return s;
  const [mant, expS] = s.split('e');
  const exp = Number(expS);
  const neg = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  const pointPos =
    (mant.replace('-', '').indexOf('.') < 0
      ? mant.replace('-', '').length
      : mant.replace('-', '').indexOf('.')) + exp;
  let out: string;
  if (pointPos <= 0) out = '0.' + '0'.repeat(-pointPos) + digits;
  else if (pointPos >= digits.length) out = digits + '0'.repeat(pointPos - digits.length);
  else out = digits.slice(0, pointPos) + '.' + digits.slice(pointPos);
  return (neg ? '-' : '') + out;
}

function groupKeyFn(e: AggregateExpr, grouping: string[]): (l: Labels) => string {
  if (e.without) {
    const names = [...grouping, METRIC_NAME];
    return (l) => l.matchKey(false, names);
  }
  return (l) => l.matchKey(true, grouping);
}

function groupLabels(e: AggregateExpr, grouping: string[], l: Labels): Labels {
  if (e.without) return l.without(...grouping, METRIC_NAME);
  if (grouping.length === 0) return Labels.EMPTY;
  return l.keep(grouping);
}

/** Evaluates the per-step scalar parameter of an aggregation. */
function paramValues(ev: StepEvaluator, param: Expr | null): Float64Array {
  const out = new Float64Array(ev.numSteps).fill(NaN);
  if (param === null) return out;
  const m = ev.evalMatrix(param);
  if (m.length > 0) {
    const s = m[0];
    for (let i = 0; i < s.n; i++) out[Math.round((s.ts[i] - ev.start) / ev.interval)] = s.vals[i];
  }
  return out;
}

/** Evaluates an aggregation expression over all steps. */
export function evalAggregate(ev: StepEvaluator, e: AggregateExpr): Matrix {
  const grouping = [...e.grouping].sort();
  if (e.op === 'count_values') return evalCountValues(ev, e, grouping);
  const before = ev.ctx.currentSamples;
  const result = aggregate(ev, e, grouping);
  // Inputs are released; only the aggregated output stays in memory.
  ev.ctx.currentSamples = before + result.reduce((n, s) => n + s.n, 0);
  return result;
}

/** Notes the quantile parameters outside [0, 1] (NaN included), as Prometheus warns of them. */
function noteInvalidQuantiles(ev: StepEvaluator, params: Float64Array): void {
  const annos = ev.ctx.annotations;
  let anyNaN = false;
  let max = -Infinity;
  let min = Infinity;
  for (const p of params) {
    if (Number.isNaN(p)) anyNaN = true;
    else {
      max = Math.max(max, p);
      min = Math.min(min, p);
    }
  }
  if (anyNaN) annos.add(Anno.invalidQuantile(NaN));
  if (max > 1) annos.add(Anno.invalidQuantile(max));
  if (min < 0) annos.add(Anno.invalidQuantile(min));
}

function aggregate(ev: StepEvaluator, e: AggregateExpr, grouping: string[]): Matrix {
  const params = paramValues(ev, e.param);
  if (
    e.op === 'sum' ||
    e.op === 'count' ||
    e.op === 'max' ||
    e.op === 'min' ||
    e.op === 'group' ||
    e.op === 'quantile'
  ) {
    const streamed = aggregateStreamed(ev, e, e.op, grouping, params);
    if (streamed !== null) return streamed;
  }
  const input = ev.evalMatrix(e.expr);
  if (e.op === 'quantile') noteInvalidQuantiles(ev, params);
  const keyOf = groupKeyFn(e, grouping);
  const groupIdx = new Map<string, number>();
  const seriesToGroup = new Int32Array(input.length);
  const groupMetrics: Labels[] = [];
  for (let i = 0; i < input.length; i++) {
    const k = keyOf(input[i].metric);
    let g = groupIdx.get(k);
    if (g === undefined) {
      g = groupMetrics.length;
      groupIdx.set(k, g);
      groupMetrics.push(groupLabels(e, grouping, input[i].metric));
    }
    seriesToGroup[i] = g;
  }
  if (e.op === 'topk' || e.op === 'bottomk' || e.op === 'limitk' || e.op === 'limit_ratio') {
    return aggregateK(ev, e, input, seriesToGroup, groupMetrics.length, params);
  }
  if (e.op === 'sum' || e.op === 'count' || e.op === 'max' || e.op === 'min' || e.op === 'group') {
    const fast = aggregateBySeries(ev, e.op, input, seriesToGroup, groupMetrics);
    if (fast !== null) return fast;
  }
  const nGroups = groupMetrics.length;
  const out: Series[] = groupMetrics.map((m) => newSeries(m, false, 0));
  const seen = new Uint8Array(nGroups);
  const value = new Float64Array(nGroups);
  const mean = new Float64Array(nGroups);
  const comp = new Float64Array(nGroups);
  const count = new Float64Array(nGroups);
  const incMean = new Uint8Array(nGroups);
  const lists: number[][] = e.op === 'quantile' ? groupMetrics.map(() => []) : [];
  const cursors = new Int32Array(input.length);
  let step = -1;
  for (let ts = ev.start; ts <= ev.end; ts += ev.interval) {
    step++;
    ev.checkDeadline();
    seen.fill(0);
    for (let si = 0; si < input.length; si++) {
      const s = input[si];
      const c = cursors[si];
      if (c >= s.n || s.ts[c] !== ts) continue;
      cursors[si] = c + 1;
      const f = s.vals[c];
      const g = seriesToGroup[si];
      if (!seen[g]) {
        seen[g] = 1;
        value[g] = f;
        mean[g] = f;
        comp[g] = 0;
        count[g] = 1;
        incMean[g] = 0;
        if (e.op === 'stddev' || e.op === 'stdvar') value[g] = Number.isFinite(f) ? 0 : NaN;
        else if (e.op === 'quantile') lists[g] = [f];
        else if (e.op === 'group') value[g] = 1;
        continue;
      }
      switch (e.op) {
        case 'sum': {
          // kahanSumInc inlined: no tuple per sample.
          const sum = value[g];
          const t = sum + f;
          if (!Number.isFinite(t) && !Number.isNaN(t)) comp[g] = 0;
          else if (Math.abs(sum) >= Math.abs(f)) comp[g] += sum - t + f;
          else comp[g] += f - t + sum;
          value[g] = t;
          break;
        }
        case 'avg': {
          count[g]++;
          if (!incMean[g]) {
            const [nv, nc] = kahanSumInc(f, value[g], comp[g]);
            if (Number.isNaN(nv) || Number.isFinite(nv)) {
              value[g] = nv;
              comp[g] = nc;
              break;
            }
            incMean[g] = 1;
            mean[g] = value[g] / (count[g] - 1);
            comp[g] /= count[g] - 1;
          }
          const q = (count[g] - 1) / count[g];
          [mean[g], comp[g]] = kahanSumInc(f / count[g], q * mean[g], q * comp[g]);
          break;
        }
        case 'group':
          break;
        case 'max':
          if (value[g] < f || Number.isNaN(value[g])) value[g] = f;
          break;
        case 'min':
          if (value[g] > f || Number.isNaN(value[g])) value[g] = f;
          break;
        case 'count':
          count[g]++;
          break;
        case 'stddev':
        case 'stdvar': {
          count[g]++;
          const delta = f - mean[g];
          mean[g] += delta / count[g];
          value[g] += delta * (f - mean[g]);
          break;
        }
        case 'quantile':
          lists[g].push(f);
          break;
        case 'count_values':
          break;
      }
    }
    for (let g = 0; g < nGroups; g++) {
      if (!seen[g]) continue;
      let v = value[g];
      switch (e.op) {
        case 'avg':
          v = incMean[g] ? mean[g] + comp[g] : value[g] / count[g] + comp[g] / count[g];
          break;
        case 'count':
          v = count[g];
          break;
        case 'stdvar':
          v = value[g] / count[g];
          break;
        case 'stddev':
          v = Math.sqrt(value[g] / count[g]);
          break;
        case 'quantile':
          v = quantile(params[step], lists[g]);
          break;
        case 'sum':
          v = value[g] + comp[g];
          break;
        case 'group':
        case 'max':
        case 'min':
        case 'count_values':
          break;
      }
      pushPoint(out[g], ts, v);
      // Prometheus takes the flag from the input series at the group's index; kept for identical results.
      out[g].dropName = g < input.length ? input[g].dropName : false;
    }
  }
  return out.filter((s) => s.n > 0);
}

/** Largest per-(group, step) state the series-major path allocates. */
const MAX_CELLS = 1 << 22;

/**
 * `sum`, `count`, `max`, `min` and `group` walking each input series once and folding its points
 * into per-(group, step) cells, instead of visiting every series at every step. Series are still
 * folded in input order, so every cell sees its values in the same order as the step-wise loop
 * and the results are identical. Returns null (the caller takes the step-wise loop) when the
 * state would be too large or a point is off the evaluation grid.
 */
function aggregateBySeries(
  ev: StepEvaluator,
  op: 'sum' | 'count' | 'max' | 'min' | 'group',
  input: Matrix,
  seriesToGroup: Int32Array,
  groupMetrics: Labels[],
): Matrix | null {
  const nGroups = groupMetrics.length;
  const numSteps = ev.numSteps;
  if (!(ev.interval > 0) || nGroups * numSteps > MAX_CELLS) return null;
  const start = ev.start;
  const interval = ev.interval;
  for (const s of input) {
    const ts = s.ts;
    let prev = -1;
    for (let i = 0; i < s.n; i++) {
      const k = (ts[i] - start) / interval;
      if (!Number.isInteger(k) || k <= prev || k >= numSteps || start + k * interval !== ts[i])
        return null;
      prev = k;
    }
  }
  const cells = nGroups * numSteps;
  const seen = new Uint8Array(cells);
  const value = new Float64Array(cells);
  const comp = op === 'sum' ? new Float64Array(cells) : null;
  for (let si = 0; si < input.length; si++) {
    if ((si & 1023) === 0) ev.checkDeadline();
    const s = input[si];
    const ts = s.ts;
    const vals = s.vals;
    const base = seriesToGroup[si] * numSteps;
    for (let i = 0; i < s.n; i++) {
      const c = base + (ts[i] - start) / interval;
      const f = vals[i];
      if (seen[c] === 0) {
        seen[c] = 1;
        value[c] = op === 'count' || op === 'group' ? 1 : f;
        continue;
      }
      switch (op) {
        case 'sum': {
          // kahanSumInc inlined.
          const sum = value[c];
          const t = sum + f;
          if (!Number.isFinite(t) && !Number.isNaN(t)) (comp as Float64Array)[c] = 0;
          else if (Math.abs(sum) >= Math.abs(f)) (comp as Float64Array)[c] += sum - t + f;
          else (comp as Float64Array)[c] += f - t + sum;
          value[c] = t;
          break;
        }
        case 'count':
          value[c]++;
          break;
        case 'max':
          if (value[c] < f || Number.isNaN(value[c])) value[c] = f;
          break;
        case 'min':
          if (value[c] > f || Number.isNaN(value[c])) value[c] = f;
          break;
        case 'group':
          break;
      }
    }
  }
  const out: Matrix = [];
  for (let g = 0; g < nGroups; g++) {
    const base = g * numSteps;
    let n = 0;
    for (let k = 0; k < numSteps; k++) n += seen[base + k];
    if (n === 0) continue;
    // Prometheus takes the flag from the input series at the group's index; kept for identical results.
    const series = newSeries(groupMetrics[g], g < input.length ? input[g].dropName : false, n);
    for (let k = 0; k < numSteps; k++) {
      const c = base + k;
      if (seen[c] === 0) continue;
      series.ts[series.n] = start + k * interval;
      series.vals[series.n] = comp !== null ? value[c] + comp[c] : value[c];
      series.n++;
    }
    out.push(series);
  }
  return out;
}

/**
 * `sum`, `count`, `max`, `min` and `group` of a selector or a range function (`sum(rate(x[5m]))`),
 * folded one input series at a time as it is produced: the input matrix is never held, so no
 * per-series arrays are allocated. Series, groups and cells are visited in the order of
 * `aggregateBySeries`, which gives identical results; null when the input is not such a call.
 */
function aggregateStreamed(
  ev: StepEvaluator,
  e: AggregateExpr,
  op: 'sum' | 'count' | 'max' | 'min' | 'group' | 'quantile',
  grouping: string[],
  params: Float64Array,
): Matrix | null {
  const numSteps = ev.numSteps;
  if (!(ev.interval > 0)) return null;
  const start = ev.start;
  const interval = ev.interval;
  const keyOf = groupKeyFn(e, grouping);
  const groupIdx = new Map<string, number>();
  const groupMetrics: Labels[] = [];
  const seen: Uint8Array[] = [];
  const value: Float64Array[] = [];
  const comp: Float64Array[] = [];
  // quantile: each cell's values in input order.
  const lists: Array<Array<number[] | undefined>> = [];
  // Prometheus takes each output's flag from the input series at the group's index.
  const dropNames: boolean[] = [];
  let count = 0;
  const streamed = ev.streamSeries(e.expr, (s) => {
    if ((count & 1023) === 0) ev.checkDeadline();
    dropNames.push(s.dropName);
    count++;
    const k = keyOf(s.metric);
    let g = groupIdx.get(k);
    if (g === undefined) {
      g = groupMetrics.length;
      groupIdx.set(k, g);
      groupMetrics.push(groupLabels(e, grouping, s.metric));
      seen.push(new Uint8Array(numSteps));
      value.push(new Float64Array(numSteps));
      if (op === 'sum') comp.push(new Float64Array(numSteps));
      if (op === 'quantile') lists.push(new Array<number[] | undefined>(numSteps));
    }
    const gs = seen[g];
    const gv = value[g];
    const gc = op === 'sum' ? comp[g] : null;
    const ts = s.ts;
    const vals = s.vals;
    if (op === 'quantile') {
      const gl = lists[g];
      for (let i = 0; i < s.n; i++) {
        const c = (ts[i] - start) / interval;
        gs[c] = 1;
        const l = gl[c];
        if (l === undefined) gl[c] = [vals[i]];
        else l.push(vals[i]);
      }
      return;
    }
    for (let i = 0; i < s.n; i++) {
      const c = (ts[i] - start) / interval;
      const f = vals[i];
      if (gs[c] === 0) {
        gs[c] = 1;
        gv[c] = op === 'count' || op === 'group' ? 1 : f;
        continue;
      }
      switch (op) {
        case 'sum': {
          // kahanSumInc inlined, as in aggregateBySeries.
          const sum = gv[c];
          const t = sum + f;
          if (!Number.isFinite(t) && !Number.isNaN(t)) (gc as Float64Array)[c] = 0;
          else if (Math.abs(sum) >= Math.abs(f)) (gc as Float64Array)[c] += sum - t + f;
          else (gc as Float64Array)[c] += f - t + sum;
          gv[c] = t;
          break;
        }
        case 'count':
          gv[c]++;
          break;
        case 'max':
          if (gv[c] < f || Number.isNaN(gv[c])) gv[c] = f;
          break;
        case 'min':
          if (gv[c] > f || Number.isNaN(gv[c])) gv[c] = f;
          break;
        case 'group':
          break;
      }
    }
  });
  if (!streamed) return null;
  if (op === 'quantile') noteInvalidQuantiles(ev, params);
  const out: Matrix = [];
  for (let g = 0; g < groupMetrics.length; g++) {
    const gs = seen[g];
    let n = 0;
    for (let k = 0; k < numSteps; k++) n += gs[k];
    if (n === 0) continue;
    const series = newSeries(groupMetrics[g], g < count ? dropNames[g] : false, n);
    for (let k = 0; k < numSteps; k++) {
      if (gs[k] === 0) continue;
      series.ts[series.n] = start + k * interval;
      series.vals[series.n] =
        op === 'sum'
          ? value[g][k] + comp[g][k]
          : op === 'quantile'
            ? quantile(params[k], lists[g][k] as number[])
            : value[g][k];
      series.n++;
    }
    out.push(series);
  }
  return out;
}

function evalCountValues(ev: StepEvaluator, e: AggregateExpr, groupingIn: string[]): Matrix {
  const p = e.param === null ? null : unwrapParens(e.param);
  if (p === null || p.type !== 'StringLiteral')
    throw new EvalError('count_values needs a string parameter');
  const valueLabel = p.value;
  if (!isValidLabelName(p)) throw new EvalError(`invalid label name ${JSON.stringify(valueLabel)}`);
  const grouping = e.without ? groupingIn : [...groupingIn, valueLabel].sort();
  const keyOf = groupKeyFn(e, grouping);
  return ev.rangeEval(
    (args) => {
      const groups = new Map<string, { labels: Labels; count: number }>();
      for (const s of args[0]) {
        const metric = s.metric.with(valueLabel, formatFloatF(s.f));
        const k = keyOf(metric);
        const g = groups.get(k);
        if (g === undefined) groups.set(k, { labels: groupLabels(e, grouping, metric), count: 1 });
        else g.count++;
      }
      const out: Vector = [];
      for (const g of groups.values())
        out.push({ metric: g.labels, t: 0, f: g.count, dropName: false });
      return out;
    },
    [e.expr],
  );
}
