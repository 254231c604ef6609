// The aggregations that keep input samples instead of computing new ones (topk, bottomk, limitk,
// limit_ratio), as Prometheus 3's `aggregationK`: which of several equal values survive depends on
// the input order and Go's container/heap, so both are reproduced. A full heap overwrites its root
// and sifts it down; Prometheus before 2.52 popped and pushed and kept other series on ties
// (tools/promql-diff's tie suite shows both against Debian's 2.42). Heaps are sorted for the
// answer with a port of Go's sort.Sort, so an instant query lists equal values in Prometheus' order.
import { xxh64 } from '@node-rs/xxhash';
import { type AggregateExpr } from '../parser/ast';
import { type Labels } from '../storage/labels';
import { Anno, formatG } from './annotations';
import { EvalError } from './errors';
import { type StepEvaluator } from './eval-context';
import { goSort } from './go-sort';
import { newSeries, pushPoint, type Matrix, type Sample, type Series } from './types';

const MAX_INT64 = 2 ** 63;

/** Prometheus' label hash (xxhash64 over name/value bytes with 0xff separators). */
function labelsHash(l: Labels): bigint {
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

/** `sort.Sort(sort.Reverse(h))`: Go's sort with the heap's Less turned around. */
function sortReverse(items: Sample[], less: (a: Sample, b: Sample) => boolean): void {
  goSort(items, (a, b) => less(b, a));
}

/** topk, bottomk, limitk and limit_ratio: keep up to k (or a ratio of) input series per group and step. */
export function aggregateK(
  ev: StepEvaluator,
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
