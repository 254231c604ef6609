import { kahanSumInc, quantile } from '../float-math';
import { Anno } from '../annotations';
import { EvalError } from '../errors';
import { type RangeCallContext, type RangeFn } from './types';

function extrapolatedRate(isCounter: boolean, isRate: boolean): RangeFn {
  return (ts, vs, lo, hi, c) => {
    const n = hi - lo;
    if (n < 2) return undefined;
    const firstT = ts[lo];
    const lastT = ts[hi - 1];
    let result = vs[hi - 1] - vs[lo];
    if (isCounter) {
      // The same additions in the same order as a rescan of the window, so bit-identical.
      const r = c.resets;
      r.ensure(vs, c.seriesLength);
      const end = r.endBefore(hi);
      for (let k = r.firstAfter(lo); k < end; k++) result += vs[r.indexAt(k) - 1];
    }
    let durationToStart = (firstT - c.rangeStart) / 1000;
    let durationToEnd = (c.rangeEnd - lastT) / 1000;
    const sampledInterval = (lastT - firstT) / 1000;
    const avgBetween = sampledInterval / (n - 1);
    const threshold = avgBetween * 1.1;
    let extrapolateTo = sampledInterval;
    if (durationToStart >= threshold) durationToStart = avgBetween / 2;
    if (isCounter && result > 0 && vs[lo] >= 0) {
      const durationToZero = sampledInterval * (vs[lo] / result);
      if (durationToZero < durationToStart) durationToStart = durationToZero;
    }
    extrapolateTo += durationToStart;
    if (durationToEnd >= threshold) durationToEnd = avgBetween / 2;
    extrapolateTo += durationToEnd;
    let factor = extrapolateTo / sampledInterval;
    if (isRate) factor /= c.rangeMs / 1000;
    return result * factor;
  };
}

function instantValue(isRate: boolean): RangeFn {
  return (ts, vs, lo, hi) => {
    if (hi - lo < 2) return undefined;
    const t0 = ts[hi - 2];
    const t1 = ts[hi - 1];
    const v0 = vs[hi - 2];
    const v1 = vs[hi - 1];
    const interval = t1 - t0;
    if (interval === 0) return undefined;
    let r = v1;
    if (!isRate || !(v1 < v0)) r = v1 - v0;
    if (isRate) r /= interval / 1000;
    return r;
  };
}

function compareOverTime(cmp: (cur: number, best: number) => boolean, returnTs: boolean): RangeFn {
  return (ts, vs, lo, hi) => {
    let best = vs[lo];
    let bestT = ts[lo];
    for (let i = lo; i < hi; i++) {
      if (cmp(vs[i], best)) {
        best = vs[i];
        bestT = ts[i];
      }
    }
    return returnTs ? bestT / 1000 : best;
  };
}

function varianceOverTime(sqrt: boolean): RangeFn {
  return (_ts, vs, lo, hi) => {
    let count = 0;
    let mean = 0;
    let cMean = 0;
    let aux = 0;
    let cAux = 0;
    for (let i = lo; i < hi; i++) {
      const f = vs[i];
      count++;
      const delta = f - (mean + cMean);
      [mean, cMean] = kahanSumInc(delta / count, mean, cMean);
      [aux, cAux] = kahanSumInc(delta * (f - (mean + cMean)), aux, cAux);
    }
    const variance = (aux + cAux) / count;
    return sqrt ? Math.sqrt(variance) : variance;
  };
}

/** Least-squares slope and intercept at `interceptTime`, as Prometheus' linearRegression. */
function linearRegression(
  ts: Float64Array,
  vs: Float64Array,
  lo: number,
  hi: number,
  interceptTime: number,
): [number, number] {
  let n = 0;
  let sumX = 0;
  let cX = 0;
  let sumY = 0;
  let cY = 0;
  let sumXY = 0;
  let cXY = 0;
  let sumX2 = 0;
  let cX2 = 0;
  const initY = vs[lo];
  let constY = true;
  for (let i = lo; i < hi; i++) {
    const y = vs[i];
    if (constY && i > lo && y !== initY) constY = false;
    n += 1;
    const x = (ts[i] - interceptTime) / 1e3;
    [sumX, cX] = kahanSumInc(x, sumX, cX);
    [sumY, cY] = kahanSumInc(y, sumY, cY);
    [sumXY, cXY] = kahanSumInc(x * y, sumXY, cXY);
    [sumX2, cX2] = kahanSumInc(x * x, sumX2, cX2);
  }
  if (constY) {
    if (!Number.isFinite(initY) && !Number.isNaN(initY)) return [NaN, NaN];
    return [0, initY];
  }
  sumX += cX;
  sumY += cY;
  sumXY += cXY;
  sumX2 += cX2;
  const covXY = sumXY - (sumX * sumY) / n;
  const varX = sumX2 - (sumX * sumX) / n;
  const slope = covXY / varX;
  const intercept = sumY / n - (slope * sumX) / n;
  return [slope, intercept];
}

function valuesOf(vs: Float64Array, lo: number, hi: number): number[] {
  return Array.from(vs.subarray(lo, hi));
}

function checkQuantileArg(q: number, c: RangeCallContext): void {
  if (Number.isNaN(q) || q < 0 || q > 1) c.annos.add(Anno.invalidQuantile(q));
}

/** Range-vector functions by name. */
export const RANGE_FUNCTIONS: Record<string, RangeFn> = {
  rate: extrapolatedRate(true, true),
  increase: extrapolatedRate(true, false),
  delta: extrapolatedRate(false, false),
  irate: instantValue(true),
  idelta: instantValue(false),
  avg_over_time: (_ts, vs, lo, hi) => {
    let sum = vs[lo];
    let count = 1;
    let mean = 0;
    let kc = 0;
    let incremental = false;
    for (let i = lo + 1; i < hi; i++) {
      const f = vs[i];
      count = i - lo + 1;
      if (!incremental) {
        const [ns, nc] = kahanSumInc(f, sum, kc);
        if (Number.isNaN(ns) || Number.isFinite(ns)) {
          sum = ns;
          kc = nc;
          continue;
        }
        incremental = true;
        mean = sum / (count - 1);
        kc /= count - 1;
      }
      const q = (count - 1) / count;
      [mean, kc] = kahanSumInc(f / count, q * mean, q * kc);
    }
    return incremental ? mean + kc : sum / count + kc / count;
  },
  sum_over_time: (_ts, vs, lo, hi) => {
    let sum = 0;
    let c = 0;
    for (let i = lo; i < hi; i++) [sum, c] = kahanSumInc(vs[i], sum, c);
    if (!Number.isFinite(sum) && !Number.isNaN(sum)) return sum;
    return sum + c;
  },
  count_over_time: (_ts, _vs, lo, hi) => hi - lo,
  last_over_time: (_ts, vs, _lo, hi) => vs[hi - 1],
  first_over_time: (_ts, vs, lo) => vs[lo],
  ts_of_last_over_time: (ts, _vs, _lo, hi) => ts[hi - 1] / 1000,
  ts_of_first_over_time: (ts, _vs, lo) => ts[lo] / 1000,
  max_over_time: compareOverTime((cur, best) => cur > best || Number.isNaN(best), false),
  min_over_time: compareOverTime((cur, best) => cur < best || Number.isNaN(best), false),
  ts_of_max_over_time: compareOverTime((cur, best) => cur >= best || Number.isNaN(best), true),
  ts_of_min_over_time: compareOverTime((cur, best) => cur <= best || Number.isNaN(best), true),
  quantile_over_time: (_ts, vs, lo, hi, c) => {
    const q = c.scalars[0];
    checkQuantileArg(q, c);
    return quantile(q, valuesOf(vs, lo, hi));
  },
  mad_over_time: (_ts, vs, lo, hi) => {
    const values = valuesOf(vs, lo, hi);
    const median = quantile(0.5, values.slice());
    return quantile(
      0.5,
      values.map((v) => Math.abs(v - median)),
    );
  },
  stddev_over_time: varianceOverTime(true),
  stdvar_over_time: varianceOverTime(false),
  present_over_time: () => 1,
  absent_over_time: () => 1,
  changes: (_ts, vs, lo, hi) => {
    let changes = 0;
    for (let i = lo + 1; i < hi; i++) {
      const cur = vs[i];
      const prev = vs[i - 1];
      if (cur !== prev && !(Number.isNaN(cur) && Number.isNaN(prev))) changes++;
    }
    return changes;
  },
  resets: (_ts, vs, lo, hi) => {
    let resets = 0;
    for (let i = lo + 1; i < hi; i++) if (vs[i] < vs[i - 1]) resets++;
    return resets;
  },
  deriv: (ts, vs, lo, hi) => {
    if (hi - lo < 2) return undefined;
    return linearRegression(ts, vs, lo, hi, ts[lo])[0];
  },
  predict_linear: (ts, vs, lo, hi, c) => {
    if (hi - lo < 2) return undefined;
    const [slope, intercept] = linearRegression(ts, vs, lo, hi, c.ts);
    return slope * c.scalars[1] + intercept;
  },
  double_exponential_smoothing: (_ts, vs, lo, hi, c) => {
    const sf = c.scalars[1];
    const tf = c.scalars[2];
    if (sf <= 0 || sf >= 1)
      throw new EvalError(`invalid smoothing factor. Expected: 0 < sf < 1, got: ${sf.toFixed(6)}`);
    if (tf <= 0 || tf >= 1)
      throw new EvalError(`invalid trend factor. Expected: 0 < tf < 1, got: ${tf.toFixed(6)}`);
    const l = hi - lo;
    if (l < 2) return undefined;
    let s0 = 0;
    let s1 = vs[lo];
    let b = vs[lo + 1] - vs[lo];
    for (let i = 1; i < l; i++) {
      const x = sf * vs[lo + i];
      if (i - 1 !== 0) b = tf * (s1 - s0) + (1 - tf) * b;
      const y = (1 - sf) * (s1 + b);
      s0 = s1;
      s1 = x + y;
    }
    return s1;
  },
};
