import { type Labels } from '../../storage/labels';
import { Anno } from '../annotations';
import { type Vector } from '../types';
import { type VectorCallContext, type VectorFn } from './types';

interface Bucket {
  upper: number;
  count: number;
}

const SMALL_DELTA_TOLERANCE = 1e-12;
const MIN_NORMAL = 2.2250738585072014e-308;

/** Relative float comparison as Prometheus' `almost.Equal` (without staleness handling). */
export function almostEqual(a: number, b: number, epsilon: number): boolean {
  if (Number.isNaN(a) && Number.isNaN(b)) return true;
  if (a === b) return true;
  const absSum = Math.abs(a) + Math.abs(b);
  const diff = Math.abs(a - b);
  if (a === 0 || b === 0 || absSum < MIN_NORMAL) return diff < epsilon * MIN_NORMAL;
  return diff / Math.min(absSum, Number.MAX_VALUE) < epsilon;
}

/** Parses a bucket bound the way Go's strconv.ParseFloat accepts it; null on failure. */
function parseBound(s: string): number | null {
  const t = s.trim();
  if (t !== s || t === '') return null;
  const lower = t.toLowerCase();
  if (lower === '+inf' || lower === 'inf' || lower === '+infinity' || lower === 'infinity')
    return Infinity;
  if (lower === '-inf' || lower === '-infinity') return -Infinity;
  if (lower === 'nan') return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t) && !/^[+-]?0[xX][0-9a-fA-F]+$/.test(t))
    return null;
  const v = Number(t);
  return Number.isNaN(v) ? null : v;
}

/** Quantile over classic buckets; returns [value, forcedMonotonicity]. */
export function bucketQuantile(q: number, buckets: Bucket[]): [number, boolean] {
  if (Number.isNaN(q)) return [NaN, false];
  if (q < 0) return [-Infinity, false];
  if (q > 1) return [Infinity, false];
  buckets.sort((a, b) => (a.upper < b.upper ? -1 : a.upper > b.upper ? 1 : 0));
  if (buckets[buckets.length - 1].upper !== Infinity) return [NaN, false];
  // Merge buckets with equal bounds.
  const merged: Bucket[] = [];
  for (const b of buckets) {
    const last = merged[merged.length - 1];
    if (last !== undefined && last.upper === b.upper) last.count += b.count;
    else merged.push({ ...b });
  }
  let forced = false;
  let prev = merged[0].count;
  for (let i = 1; i < merged.length; i++) {
    const cur = merged[i].count;
    if (cur === prev) continue;
    if (almostEqual(prev, cur, SMALL_DELTA_TOLERANCE)) {
      merged[i].count = prev;
      continue;
    }
    if (cur < prev) {
      merged[i].count = prev;
      forced = true;
      continue;
    }
    prev = cur;
  }
  if (merged.length < 2) return [NaN, forced];
  const observations = merged[merged.length - 1].count;
  if (observations === 0) return [NaN, forced];
  let rank = q * observations;
  let b = 0;
  while (b < merged.length - 1 && !(merged[b].count >= rank)) b++;
  if (b === merged.length - 1) return [merged[merged.length - 2].upper, forced];
  if (b === 0 && merged[0].upper <= 0) return [merged[0].upper, forced];
  let start = 0;
  const end = merged[b].upper;
  let count = merged[b].count;
  if (b > 0) {
    start = merged[b - 1].upper;
    count -= merged[b - 1].count;
    rank -= merged[b - 1].count;
  }
  return [start + (end - start) * (rank / count), forced];
}

/** Fraction of observations between lower and upper over classic buckets, as Prometheus' BucketFraction. */
export function bucketFraction(lower: number, upper: number, buckets: Bucket[]): number {
  buckets.sort((a, b) => (a.upper < b.upper ? -1 : a.upper > b.upper ? 1 : 0));
  if (buckets[buckets.length - 1].upper !== Infinity) return NaN;
  const merged: Bucket[] = [];
  for (const b of buckets) {
    const last = merged[merged.length - 1];
    if (last !== undefined && last.upper === b.upper) last.count += b.count;
    else merged.push({ ...b });
  }
  const count = merged[merged.length - 1].count;
  if (count === 0 || Number.isNaN(lower) || Number.isNaN(upper)) return NaN;
  if (lower >= upper) return 0;
  let rank = 0;
  let lowerRank = 0;
  let upperRank = 0;
  let lowerSet = false;
  let upperSet = false;
  for (let i = 0; i < merged.length; i++) {
    const b = merged[i];
    const lowerBound = i > 0 ? merged[i - 1].upper : -Infinity;
    const upperBound = b.upper;
    const interpolate = (v: number): number =>
      rank + ((b.count - rank) * (v - lowerBound)) / (upperBound - lowerBound);
    if (!lowerSet && lowerBound >= lower) {
      lowerRank = rank;
      lowerSet = true;
    }
    if (!upperSet && lowerBound >= upper) {
      upperRank = rank;
      upperSet = true;
    }
    if (lowerSet && upperSet) break;
    if (!lowerSet && lowerBound < lower && upperBound > lower) {
      lowerRank = interpolate(lower);
      lowerSet = true;
    }
    if (!upperSet && lowerBound < upper && upperBound > upper) {
      upperRank = interpolate(upper);
      upperSet = true;
    }
    if (lowerSet && upperSet) break;
    rank = b.count;
  }
  if (!lowerSet || lowerRank > count) lowerRank = count;
  if (!upperSet || upperRank > count) upperRank = count;
  return (upperRank - lowerRank) / count;
}

/** Groups bucket samples by their labels without `le`, warning about unparsable bounds. */
function groupBuckets(
  vec: Vector,
  c: VectorCallContext,
): Map<string, { metric: Labels; buckets: Bucket[] }> {
  const annos = c.ev.ctx.annotations;
  const groups = new Map<string, { metric: Labels; buckets: Bucket[] }>();
  for (const s of vec) {
    const le = s.metric.get('le');
    const upper = parseBound(le);
    if (upper === null) {
      annos.add(Anno.badBucketLabel(s.metric.get('__name__'), le));
      continue;
    }
    const metric = s.metric.without('le');
    let g = groups.get(metric.key);
    if (g === undefined) {
      g = { metric, buckets: [] };
      groups.set(metric.key, g);
    }
    g.buckets.push({ upper, count: s.f });
  }
  return groups;
}

/** histogram_fraction(lower, upper, v) over classic `le` buckets. */
export const histogramFraction: VectorFn = (args, _call, c) => {
  const lower = args[0][0].f;
  const upper = args[1][0].f;
  const out: Vector = [];
  for (const g of groupBuckets(args[2], c).values()) {
    out.push({
      metric: g.metric,
      t: c.ts,
      f: bucketFraction(lower, upper, g.buckets),
      dropName: true,
    });
  }
  return out;
};

/** histogram_quantile(φ, v) over classic `le` buckets. */
export const histogramQuantile: VectorFn = (args, _call, c) => {
  const q = args[0][0].f;
  const annos = c.ev.ctx.annotations;
  if (Number.isNaN(q) || q < 0 || q > 1) annos.add(Anno.invalidQuantile(q));
  const groups = groupBuckets(args[1], c);
  const out: Vector = [];
  for (const g of groups.values()) {
    const [v, forced] = bucketQuantile(q, g.buckets);
    if (forced) annos.add(Anno.forcedMonotonicity(g.metric.get('__name__')));
    out.push({ metric: g.metric, t: c.ts, f: v, dropName: true });
  }
  return out;
};
