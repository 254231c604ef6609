import { type Expr, unwrapParens } from '../../parser/ast';
import { compareLabels, Labels } from '../../storage/labels';
import { type Sample, type Vector } from '../types';
import { histogramFraction, histogramQuantile } from './histogram';
import { absentLabelsFrom, stringArg } from './labels';
import { RANGE_FUNCTIONS } from './range';
import { type RangeFn, type VectorFn } from './types';

function simple(f: (v: number) => number): VectorFn {
  return (args) => args[0].map((s) => ({ metric: s.metric, t: s.t, f: f(s.f), dropName: true }));
}

function scalarOut(v: number): Vector {
  return [{ metric: Labels.EMPTY, t: 0, f: v, dropName: false }];
}

function dateFn(f: (d: Date) => number): VectorFn {
  return (args, _call, c) => {
    if (args.length === 0) return scalarOut(f(new Date(Math.trunc(c.ts / 1000) * 1000)));
    return args[0].map((s) => ({
      metric: s.metric,
      t: s.t,
      f: f(new Date(Math.trunc(s.f) * 1000)),
      dropName: true,
    }));
  };
}

/** Natural order comparison of strings with digit runs compared numerically. */
export function natCompare(a: string, b: string): number {
  const re = /(\d+|\D+)/g;
  const ca = a.match(re) ?? [];
  const cb = b.match(re) ?? [];
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    const x = ca[i];
    const y = cb[i];
    if (x === y) continue;
    const xd = /^\d/.test(x);
    const yd = /^\d/.test(y);
    if (xd && yd) {
      const xs = x.replace(/^0+/, '');
      const ys = y.replace(/^0+/, '');
      if (xs.length !== ys.length) return xs.length - ys.length;
      if (xs !== ys) return xs < ys ? -1 : 1;
      return x.length - y.length;
    }
    return x < y ? -1 : 1;
  }
  return ca.length - cb.length;
}

function sortByLabel(desc: boolean): VectorFn {
  return (args, call) => {
    const names: string[] = [];
    for (let i = 1; i < call.args.length; i++) names.push(stringArg(call, i));
    const v = args[0].slice();
    v.sort((a, b) => {
      for (const n of names) {
        const x = a.metric.get(n);
        const y = b.metric.get(n);
        if (x === y) continue;
        const c = natCompare(x, y) < 0 ? -1 : 1;
        return desc ? -c : c;
      }
      const c = compareLabels(a.metric, b.metric);
      return desc ? -c : c;
    });
    return v;
  };
}

/** Value order used by sort()/sort_desc(): NaN always last. */
function sortByValue(desc: boolean): VectorFn {
  return (args) => {
    const v = args[0].slice();
    v.sort((a: Sample, b: Sample) => {
      const an = Number.isNaN(a.f);
      const bn = Number.isNaN(b.f);
      if (an || bn) return an === bn ? 0 : an ? 1 : -1;
      return desc ? b.f - a.f : a.f - b.f;
    });
    return v;
  };
}

function clampVec(v: Vector, min: number, max: number): Vector {
  if (max < min) return [];
  return v.map((s) => ({
    metric: s.metric,
    t: s.t,
    f: Math.max(min, Math.min(max, s.f)),
    dropName: true,
  }));
}

const noHistogramsInFloatEngine: VectorFn = () => [];

/** One-argument math functions; they map every point of a series and drop its name. */
export const ELEMENTWISE_FUNCTIONS: Record<string, (v: number) => number> = {
  abs: Math.abs,
  ceil: Math.ceil,
  floor: Math.floor,
  exp: Math.exp,
  sqrt: Math.sqrt,
  ln: Math.log,
  log2: Math.log2,
  log10: Math.log10,
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  asin: Math.asin,
  acos: Math.acos,
  atan: Math.atan,
  sinh: Math.sinh,
  cosh: Math.cosh,
  tanh: Math.tanh,
  asinh: Math.asinh,
  acosh: Math.acosh,
  atanh: Math.atanh,
  rad: (v) => (v * Math.PI) / 180,
  deg: (v) => (v * 180) / Math.PI,
  sgn: (v) => (v < 0 ? -1 : v > 0 ? 1 : v),
};

/** Functions evaluated per step on instant vectors and scalars. */
export const VECTOR_FUNCTIONS: Record<string, VectorFn> = {
  ...Object.fromEntries(Object.entries(ELEMENTWISE_FUNCTIONS).map(([k, f]) => [k, simple(f)])),
  round: (args) => {
    const toNearest = args.length >= 2 ? args[1][0].f : 1;
    const inv = 1 / toNearest;
    return args[0].map((s) => ({
      metric: s.metric,
      t: s.t,
      f: Math.floor(s.f * inv + 0.5) / inv,
      dropName: true,
    }));
  },
  clamp: (args) => clampVec(args[0], args[1][0].f, args[2][0].f),
  clamp_max: (args) => clampVec(args[0], -Infinity, args[1][0].f),
  clamp_min: (args) => clampVec(args[0], args[1][0].f, Infinity),
  pi: () => scalarOut(Math.PI),
  time: (_a, _call, c) => scalarOut(c.ts / 1000),
  vector: (args) => [{ metric: Labels.EMPTY, t: 0, f: args[0][0].f, dropName: false }],
  scalar: (args) => scalarOut(args[0].length === 1 ? args[0][0].f : NaN),
  timestamp: (args) =>
    args[0].map((s) => ({ metric: s.metric, t: s.t, f: s.t / 1000, dropName: true })),
  absent: (args, call) =>
    args[0].length > 0 ? [] : [{ metric: absentLabels(call.args[0]), t: 0, f: 1, dropName: false }],
  sort: sortByValue(false),
  sort_desc: sortByValue(true),
  sort_by_label: sortByLabel(false),
  sort_by_label_desc: sortByLabel(true),
  histogram_quantile: histogramQuantile,
  histogram_count: noHistogramsInFloatEngine,
  histogram_sum: noHistogramsInFloatEngine,
  histogram_avg: noHistogramsInFloatEngine,
  histogram_stddev: noHistogramsInFloatEngine,
  histogram_stdvar: noHistogramsInFloatEngine,
  histogram_fraction: histogramFraction,
  days_in_month: dateFn((d) =>
    new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate(),
  ),
  day_of_month: dateFn((d) => d.getUTCDate()),
  day_of_week: dateFn((d) => d.getUTCDay()),
  day_of_year: dateFn((d) => {
    const start = Date.UTC(d.getUTCFullYear(), 0, 1);
    return Math.floor((d.getTime() - start) / 86400000) + 1;
  }),
  hour: dateFn((d) => d.getUTCHours()),
  minute: dateFn((d) => d.getUTCMinutes()),
  month: dateFn((d) => d.getUTCMonth() + 1),
  year: dateFn((d) => d.getUTCFullYear()),
};

/** Functions over one range-vector argument (plus optional scalars). */
export const MATRIX_FUNCTIONS: Record<string, RangeFn> = RANGE_FUNCTIONS;

/** Labels absent()/absent_over_time() attach to their output, derived from the selector's matchers. */
export function absentLabels(arg: Expr): Labels {
  const a = unwrapParens(arg);
  if (a.type === 'VectorSelector') return absentLabelsFrom(a.matchers);
  if (a.type === 'MatrixSelector') return absentLabelsFrom(a.vectorSelector.matchers);
  return Labels.EMPTY;
}
