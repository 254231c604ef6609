import { isStaleNaN } from '@strata/contracts';
import { type VectorSelector } from '../parser/ast';
import { type Labels } from '../storage/labels';
import {
  type Querier,
  type SampleBuffer,
  type SelectHints,
  type StorageSeries,
} from '../storage/queryable';

/**
 * One selected series materialised into typed arrays once per query: all samples (for instant
 * lookups, where a staleness marker hides older samples) and the non-stale samples (for ranges).
 */
export interface LoadedSeries {
  labels: Labels;
  ts: Float64Array;
  vs: Float64Array;
  n: number;
  rts: Float64Array;
  rvs: Float64Array;
  rn: number;
  /** Downsampled aggregates (see `StorageSeries.downsampled`); `rws` are the weights of `rvs`. */
  agg?: 'count' | 'avg';
  rws?: Float64Array;
  /**
   * Set while the samples are still encoded in the store's series (the arrays are empty then):
   * read them through {@link SeriesScratch.samplesOf}, which decodes into reused arrays.
   */
  encoded?: StorageSeries;
}

const NONE = new Float64Array(0);

/** Selects and materialises the series of a selector from the querier. */
export async function loadSeries(
  q: Querier,
  vs: VectorSelector,
  hints: SelectHints,
): Promise<LoadedSeries[]> {
  const found = await q.select(false, hints, ...vs.matchers);
  const out: LoadedSeries[] = [];
  for (const s of found) {
    if (s.decodeInto !== undefined && s.downsampled === undefined) {
      // Decoded when evaluation reaches it: all series' samples are never held at once.
      out.push({
        labels: s.labels,
        ts: NONE,
        vs: NONE,
        n: 0,
        rts: NONE,
        rvs: NONE,
        rn: 0,
        encoded: s,
      });
      continue;
    }
    if (s.samples !== undefined) {
      out.push(withDownsampled(fromArrays(s.labels, s.samples()), s));
      continue;
    }
    const it = s.iterator();
    let ts = new Float64Array(16);
    let vals = new Float64Array(16);
    let n = 0;
    let stale = 0;
    while (it.next()) {
      if (n === ts.length) {
        const nt = new Float64Array(n * 2);
        nt.set(ts);
        ts = nt;
        const nv = new Float64Array(n * 2);
        nv.set(vals);
        vals = nv;
      }
      ts[n] = it.t;
      const v = it.v;
      vals[n] = v;
      if (isStaleNaN(v)) stale++;
      n++;
    }
    let rts = ts;
    let rvs = vals;
    let rn = n;
    if (stale > 0) {
      rts = new Float64Array(n - stale);
      rvs = new Float64Array(n - stale);
      rn = 0;
      for (let i = 0; i < n; i++) {
        if (!isStaleNaN(vals[i])) {
          rts[rn] = ts[i];
          rvs[rn] = vals[i];
          rn++;
        }
      }
    }
    out.push({ labels: s.labels, ts, vs: vals, n, rts, rvs, rn });
  }
  return out;
}

function withDownsampled(l: LoadedSeries, s: StorageSeries): LoadedSeries {
  const d = s.downsampled;
  if (d === undefined) return l;
  if (d.kind === 'count') return { ...l, agg: 'count' };
  let rws = d.weights;
  if (l.rn !== l.n) {
    // Weights follow the samples that stay once staleness markers are dropped.
    rws = new Float64Array(l.rn);
    let k = 0;
    for (let i = 0; i < l.n && k < l.rn; i++) if (!isStaleNaN(l.vs[i])) rws[k++] = d.weights[i];
  }
  return { ...l, agg: 'avg', rws };
}

/** A series the store hands over as typed arrays: read in place, copied only without its staleness markers. */
function fromArrays(
  labels: Labels,
  { ts, vs, n }: { ts: Float64Array; vs: Float64Array; n: number },
): LoadedSeries {
  let stale = 0;
  for (let i = 0; i < n; i++) {
    const v = vs[i];
    if (v !== v && isStaleNaN(v)) stale++;
  }
  if (stale === 0) return { labels, ts, vs, n, rts: ts, rvs: vs, rn: n };
  const rts = new Float64Array(n - stale);
  const rvs = new Float64Array(n - stale);
  let rn = 0;
  for (let i = 0; i < n; i++) {
    if (!isStaleNaN(vs[i])) {
      rts[rn] = ts[i];
      rvs[rn] = vs[i];
      rn++;
    }
  }
  return { labels, ts, vs, n, rts, rvs, rn };
}

/**
 * Where one evaluation loop decodes the encoded series it visits, one at a time: the arrays grow
 * to the longest series once and are reused, so decoding a selector allocates nothing per series.
 */
export class SeriesScratch {
  private readonly all: SampleBuffer = { ts: NONE, vs: NONE };
  private rts = NONE;
  private rvs = NONE;
  private readonly view: LoadedSeries = {
    labels: undefined as unknown as Labels,
    ts: NONE,
    vs: NONE,
    n: 0,
    rts: NONE,
    rvs: NONE,
    rn: 0,
  };

  /** `s` itself when its samples are held, else a view of them decoded here, valid until the next call. */
  samplesOf(s: LoadedSeries): LoadedSeries {
    const enc = s.encoded;
    if (enc === undefined || enc.decodeInto === undefined) return s;
    const n = enc.decodeInto(this.all);
    const { ts, vs } = this.all;
    const view = this.view;
    view.labels = s.labels;
    view.ts = ts;
    view.vs = vs;
    view.n = n;
    let stale = 0;
    for (let i = 0; i < n; i++) {
      const v = vs[i];
      if (v !== v && isStaleNaN(v)) stale++;
    }
    if (stale === 0) {
      view.rts = ts;
      view.rvs = vs;
      view.rn = n;
      return view;
    }
    if (this.rts.length < n) {
      this.rts = new Float64Array(ts.length);
      this.rvs = new Float64Array(ts.length);
    }
    let rn = 0;
    for (let i = 0; i < n; i++) {
      const v = vs[i];
      if (v !== v && isStaleNaN(v)) continue;
      this.rts[rn] = ts[i];
      this.rvs[rn] = v;
      rn++;
    }
    view.rts = this.rts;
    view.rvs = this.rvs;
    view.rn = rn;
    return view;
  }
}

/** `s` with its samples in arrays of its own, decoded now if they were still encoded. */
export function materialised(s: LoadedSeries): LoadedSeries {
  const enc = s.encoded;
  if (enc === undefined || enc.decodeInto === undefined) return s;
  const buf: SampleBuffer = { ts: NONE, vs: NONE };
  const n = enc.decodeInto(buf);
  return fromArrays(s.labels, { ts: buf.ts, vs: buf.vs, n });
}

/** Index of the last element of `ts[0..n)` that is <= t, or -1. */
export function lastAtOrBefore(ts: Float64Array, n: number, t: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** Index of the first element of `ts[0..n)` that is > t (n when none). */
export function firstAfter(ts: Float64Array, n: number, t: number): number {
  return lastAtOrBefore(ts, n, t) + 1;
}
