import { xxh64 } from '@node-rs/xxhash';
import { type AggregateExpr, type Expr } from '../parser/ast';
import { Labels, METRIC_NAME } from '../storage/labels';
import { Anno, formatG } from './annotations';
import { isValidLabelName } from './functions/labels';
import { EvalError } from './errors';
import { unwrapParens, type Evaluator } from './evaluator';
import { newSeries, pushPoint, type Matrix, type Sample, type Series, type Vector } from './types';

/** Neumaier-compensated summation step, returning [sum, compensation]. */
export function kahanSumInc(inc: number, sum: number, c: number): [number, number] {
  const t = sum + inc;
  if (!Number.isFinite(t) && !Number.isNaN(t)) c = 0;
  else if (Math.abs(sum) >= Math.abs(inc)) c += sum - t + inc;
  else c += inc - t + sum;
  return [t, c];
}

/** The φ-quantile of values with linear interpolation, as Prometheus' `quantile`. */
export function quantile(q: number, values: number[]): number {
  if (values.length === 0 || Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  values.sort(byValueAsc);
  const n = values.length;
  const rank = q * (n - 1);
  const lower = Math.max(0, Math.floor(rank));
  const upper = Math.min(n - 1, lower + 1);
  const w = rank - Math.floor(rank);
  return values[lower] * (1 - w) + values[upper] * w;
}

/** Ascending order with NaN first, matching Prometheus' value heap ordering. */
function byValueAsc(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : -1;
  if (Number.isNaN(b)) return 1;
  return a - b;
}

const MAX_INT64 = 2 ** 63;

/** Shortest decimal, never exponent notation, as Go's strconv.FormatFloat(f, 'f', -1, 64). */
export function formatFloatF(v: number): string {
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

/** Prometheus' label hash (xxhash64 over name/value bytes with 0xff separators). */
export function labelsHash(l: Labels): bigint {
  const parts: Buffer[] = [];
  const sep = Buffer.from([0xff]);
  for (let i = 0; i < l.length; i++) {
    parts.push(Buffer.from(l.names[i], 'utf8'), sep, Buffer.from(l.values[i], 'utf8'), sep);
  }
  return xxh64(Buffer.concat(parts));
}

function ratioOffset(l: Labels): number {
  return Number(labelsHash(l)) / 2 ** 64;
}

function addRatioSample(r: number, l: Labels): boolean {
  const off = ratioOffset(l);
  return (r >= 0 && off < r) || (r < 0 && off >= 1 + r);
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
function paramValues(ev: Evaluator, param: Expr | null): Float64Array {
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
export function evalAggregate(ev: Evaluator, e: AggregateExpr): Matrix {
  const grouping = [...e.grouping].sort();
  if (e.op === 'count_values') return evalCountValues(ev, e, grouping);
  const before = ev.ctx.currentSamples;
  const result = aggregate(ev, e, grouping);
  // Inputs are released; only the aggregated output stays in memory.
  ev.ctx.currentSamples = before + result.reduce((n, s) => n + s.n, 0);
  return result;
}

function aggregate(ev: Evaluator, e: AggregateExpr, grouping: string[]): Matrix {
  const params = paramValues(ev, e.param);
  const input = ev.evalMatrix(e.expr);
  const annos = ev.ctx.annotations;
  if (e.op === 'quantile') {
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
  ev: Evaluator,
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
      if (!Number.isInteger(k) || k <= prev || k >= numSteps || start + k * interval !== ts[i]) return null;
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

/** Binary heap with Go's container/heap sift algorithms so ties resolve as in Prometheus. */
class GoHeap {
  items: Sample[] = [];

  constructor(private readonly less: (a: Sample, b: Sample) => boolean) {}

  push(s: Sample): void {
    this.items.push(s);
    this.up(this.items.length - 1);
  }

  fix0(): void {
    this.down(0, this.items.length);
  }

  private up(j: number): void {
    const h = this.items;
    for (;;) {
      const i = Math.floor((j - 1) / 2);
      if (i === j || j <= 0 || !this.less(h[j], h[i])) break;
      [h[i], h[j]] = [h[j], h[i]];
      j = i;
    }
  }

  private down(i0: number, n: number): void {
    const h = this.items;
    let i = i0;
    for (;;) {
      const j1 = 2 * i + 1;
      if (j1 >= n || j1 < 0) break;
      let j = j1;
      const j2 = j1 + 1;
      if (j2 < n && this.less(h[j2], h[j1])) j = j2;
      if (!this.less(h[j], h[i])) break;
      [h[i], h[j]] = [h[j], h[i]];
      i = j;
    }
  }
}

const lessAsc = (a: Sample, b: Sample): boolean => (Number.isNaN(a.f) ? true : a.f < b.f);
const lessDesc = (a: Sample, b: Sample): boolean => (Number.isNaN(a.f) ? true : a.f > b.f);

/** Stable insertion-style sort of a heap in reverse of `less`, as `sort.Sort(sort.Reverse(h))` on small inputs. */
function sortReverse(items: Sample[], less: (a: Sample, b: Sample) => boolean): void {
  for (let i = 1; i < items.length; i++) {
    for (let j = i; j > 0 && less(items[j - 1], items[j]); j--) {
      [items[j], items[j - 1]] = [items[j - 1], items[j]];
    }
  }
}

function aggregateK(
  ev: Evaluator,
  e: AggregateExpr,
  input: Matrix,
  seriesToGroup: Int32Array,
  nGroups: number,
  params: Float64Array,
): Matrix {
  const op = e.op;
  const annos = ev.ctx.annotations;
  let pmax = -Infinity;
  let pmin = Infinity;
  for (const p of params) {
    pmax = Math.max(pmax, p);
    pmin = Math.min(pmin, p);
  }
  if (op === 'limit_ratio') {
    if (pmax === 0 && pmin === 0) return [];
    if (pmax > 1) annos.add(Anno.invalidRatio(pmax, 1));
    if (pmin < -1) annos.add(Anno.invalidRatio(pmin, -1));
  } else if (!(pmax >= 1)) {
    return [];
  }
  const out = new Map<string, Series>();
  const cursors = new Int32Array(input.length);
  // One sample object per input series, refilled each step; outputs copy values out at once.
  const reuse: Sample[] = input.map((s) => ({
    metric: s.metric,
    t: 0,
    f: 0,
    dropName: s.dropName,
  }));
  const numSteps = ev.numSteps;
  let step = -1;
  for (let ts = ev.start; ts <= ev.end; ts += ev.interval) {
    step++;
    ev.checkDeadline();
    const fParam = params[step];
    const heaps: (GoHeap | null)[] = new Array<GoHeap | null>(nGroups).fill(null);
    let k = 0;
    let r = 0;
    let skip = false;
    if (op === 'limit_ratio') {
      if (Number.isNaN(fParam)) throw new EvalError(`Ratio value ${formatG(fParam)} is NaN`);
      if (fParam === 0) skip = true;
      r = Math.max(-1, Math.min(1, fParam));
    } else {
      if (!(Math.abs(fParam) <= MAX_INT64))
        throw new EvalError(`Scalar value ${formatG(fParam)} overflows int64`);
      k = Math.trunc(fParam);
      if (k > input.length) k = input.length;
      if (k < 1) skip = true;
    }
    const groupLimit = op === 'bottomk' ? lessDesc : lessAsc;
    // One pass per step: each present sample goes straight into its group's heap, in input order.
    for (let si = 0; si < input.length; si++) {
      const in_ = input[si];
      const c = cursors[si];
      if (c >= in_.n || in_.ts[c] !== ts) continue;
      cursors[si] = c + 1;
      if (skip) continue;
      const s = reuse[si];
      s.t = ts;
      s.f = in_.vals[c];
      const g = seriesToGroup[si];
      let h = heaps[g];
      if (h === null) {
        h = new GoHeap(groupLimit);
        heaps[g] = h;
        if (op === 'limit_ratio') {
          if (addRatioSample(r, s.metric)) h.push(s);
        } else {
          h.push(s);
        }
        continue;
      }
      if (op === 'topk') {
        if (h.items.length < k) h.push(s);
        else if (h.items[0].f < s.f || (Number.isNaN(h.items[0].f) && !Number.isNaN(s.f))) {
          h.items[0] = s;
          if (k > 1) h.fix0();
        }
      } else if (op === 'bottomk') {
        if (h.items.length < k) h.push(s);
        else if (h.items[0].f > s.f || (Number.isNaN(h.items[0].f) && !Number.isNaN(s.f))) {
          h.items[0] = s;
          if (k > 1) h.fix0();
        }
      } else if (op === 'limitk') {
        if (h.items.length < k) h.push(s);
      } else if (op === 'limit_ratio') {
        if (addRatioSample(r, s.metric)) h.push(s);
      }
    }
    const stepOut: Sample[] = [];
    for (const h of heaps) {
      if (h === null) continue;
      if (op === 'topk' || op === 'bottomk') sortReverse(h.items, groupLimit);
      stepOut.push(...h.items);
    }
    if (ev.start === ev.end) {
      return stepOut.map((s) => {
        const ss = newSeries(s.metric, s.dropName, 1);
        pushPoint(ss, ts, s.f);
        return ss;
      });
    }
    for (const s of stepOut) {
      let ss = out.get(s.metric.key);
      if (ss === undefined) {
        ss = newSeries(s.metric, s.dropName, numSteps);
        out.set(s.metric.key, ss);
      }
      pushPoint(ss, ts, s.f);
    }
  }
  return [...out.values()];
}

function evalCountValues(ev: Evaluator, e: AggregateExpr, groupingIn: string[]): Matrix {
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
