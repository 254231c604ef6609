import { POINTS, prng, T0, type SeriesSpec } from './dataset';

/** Scrape steps during which a tied value holds before it may change (5 minutes). */
const HOLD = 20;

const PODS = Array.from({ length: 10 }, (_, i) => `p${String(i).padStart(2, '0')}`);

/**
 * Series whose values tie often and change every 5 minutes: gauges over {1, 2, 3} (one of them
 * NaN for a while) and counters growing by 0, 15 or 30 per scrape, so rates and their sums tie too.
 * They are listed in label order, the order both servers hand series to the engine in (Prometheus'
 * fanout storage merges the TSDB with remote read and so sorts; Strata's Store API sorts), so that
 * the single-querier order of promqltest (creation order) agrees with them too.
 */
export function tieSeries(): SeriesSpec[] {
  const out: SeriesSpec[] = [];
  let seed = 101;
  for (const pod of PODS) {
    for (const zone of ['a', 'b']) {
      const r = prng(seed++);
      const blocks = Array.from(
        { length: Math.ceil(POINTS / HOLD) },
        () => 1 + Math.floor(r() * 3),
      );
      const nanBlocks = pod === 'p07' && zone === 'b' ? new Set([9, 10]) : new Set<number>();
      out.push({
        labels: { __name__: 'tied_gauge', pod, zone },
        value: (i) => (nanBlocks.has(Math.floor(i / HOLD)) ? NaN : blocks[Math.floor(i / HOLD)]),
        offsetMs: 0,
      });
    }
  }
  for (const instance of ['i0', 'i1']) {
    for (const pod of PODS) {
      const r = prng(seed++);
      const steps = Array.from(
        { length: Math.ceil(POINTS / HOLD) },
        () => 15 * Math.floor(r() * 3),
      );
      let v = 0;
      const values = Array.from({ length: POINTS }, (_, i) => (v += steps[Math.floor(i / HOLD)]));
      out.push({
        labels: { __name__: 'tied_requests_total', instance, pod },
        value: (i) => values[i],
        offsetMs: 0,
      });
    }
  }
  return out;
}

/** The range the tie suite compares (30 minutes at a 1-minute step, off the sample grid), in ms. */
export const TIE_RANGE = {
  startMs: T0 + 60 * 60_000 + 7_300,
  endMs: T0 + 90 * 60_000 + 7_300,
  stepMs: 60_000,
};

/** The steps of `TIE_RANGE`. */
export function tieSteps(): number[] {
  const out: number[] = [];
  for (let t = TIE_RANGE.startMs; t <= TIE_RANGE.endMs; t += TIE_RANGE.stepMs) out.push(t);
  return out;
}

/** One topk/bottomk query of the tie suite and what the models need to replay it. */
export interface TieQuery {
  op: 'topk' | 'bottomk';
  k: number;
  /** `by (...)` or `without (...)`, or empty. */
  grouping: '' | `by (${string})` | `without (${string})`;
  inner: string;
  /** The inner expression is an aggregation: Prometheus 2.42 hands its range results over in Go map order. */
  nested?: boolean;
}

/** The PromQL text of a tie query. */
export function tieQueryText(q: TieQuery): string {
  return `${q.op} ${q.grouping} (${q.k}, ${q.inner})`.replace('  ', ' ');
}

/** The group key the aggregation gives a series, per the query's grouping. */
export function groupKeyOf(q: TieQuery): (metric: Record<string, string>) => string {
  const m = /^(by|without) \((.*)\)$/.exec(q.grouping);
  if (m === null) return () => '';
  const names = m[2].split(',').map((s) => s.trim());
  return (metric) =>
    JSON.stringify(
      Object.keys(metric)
        .filter((n) => (m[1] === 'by' ? names.includes(n) : !names.includes(n) && n !== '__name__'))
        .sort()
        .map((n) => [n, metric[n]]),
    );
}

const G = 'tied_gauge';
const R = 'rate(tied_requests_total[1m])';

/** The queries of the tie suite. */
export const TIE_QUERIES: TieQuery[] = [
  { op: 'topk', k: 1, grouping: '', inner: G },
  { op: 'topk', k: 3, grouping: '', inner: G },
  { op: 'topk', k: 5, grouping: '', inner: G },
  { op: 'bottomk', k: 3, grouping: '', inner: G },
  { op: 'bottomk', k: 7, grouping: '', inner: G },
  { op: 'topk', k: 2, grouping: 'by (zone)', inner: G },
  { op: 'bottomk', k: 3, grouping: 'by (zone)', inner: G },
  { op: 'topk', k: 1, grouping: 'without (zone)', inner: G },
  { op: 'bottomk', k: 2, grouping: 'without (pod)', inner: G },
  // Heaps over 12 items: the answer's order is Go's pattern-defeating quicksort of tied values;
  // with every series kept (k >= 20) both versions build the same heap.
  { op: 'topk', k: 20, grouping: '', inner: G },
  { op: 'bottomk', k: 15, grouping: '', inner: G },
  { op: 'bottomk', k: 30, grouping: '', inner: R },
  { op: 'bottomk', k: 3, grouping: '', inner: R },
  { op: 'topk', k: 2, grouping: 'by (instance)', inner: R },
  { op: 'topk', k: 5, grouping: '', inner: `sum by (pod) (${R})`, nested: true },
  { op: 'bottomk', k: 4, grouping: '', inner: `sum by (pod) (${R})`, nested: true },
];
