import { compareLabels, type Labels, type Matcher } from './labels';
import {
  matchesAll,
  type Querier,
  type Queryable,
  type SampleIterator,
  type SelectHints,
  type StorageSeries,
} from './queryable';

class ArrayIterator implements SampleIterator {
  private i = -1;
  t = 0;
  v = 0;

  constructor(
    private readonly ts: Float64Array,
    private readonly vs: Float64Array,
    private readonly n: number,
  ) {}

  next(): boolean {
    if (this.i < this.n) this.i++;
    return this.load();
  }

  private load(): boolean {
    if (this.i >= this.n) return false;
    this.t = this.ts[this.i];
    this.v = this.vs[this.i];
    return true;
  }

  seek(t: number): boolean {
    if (this.i < 0) this.i = 0;
    if (this.i >= this.n) return false;
    if (this.ts[this.i] >= t) return this.load();
    let lo = this.i;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.ts[mid] < t) lo = mid + 1;
      else hi = mid;
    }
    this.i = lo;
    return this.load();
  }
}

/** One in-memory series with samples kept in growable typed arrays. */
class MemSeries implements StorageSeries {
  ts = new Float64Array(16);
  vs = new Float64Array(16);
  n = 0;

  constructor(readonly labels: Labels) {}

  append(t: number, v: number): void {
    if (this.n > 0 && t <= this.ts[this.n - 1]) {
      // Out-of-order or duplicate: insert in place, replacing an equal timestamp.
      let idx = this.n - 1;
      while (idx >= 0 && this.ts[idx] > t) idx--;
      if (idx >= 0 && this.ts[idx] === t) {
        this.vs[idx] = v;
        return;
      }
      this.grow();
      this.ts.copyWithin(idx + 2, idx + 1, this.n);
      this.vs.copyWithin(idx + 2, idx + 1, this.n);
      this.ts[idx + 1] = t;
      this.vs[idx + 1] = v;
      this.n++;
      return;
    }
    this.grow();
    this.ts[this.n] = t;
    this.vs[this.n] = v;
    this.n++;
  }

  private grow(): void {
    if (this.n < this.ts.length) return;
    const ts = new Float64Array(this.ts.length * 2);
    ts.set(this.ts);
    const vs = new Float64Array(this.vs.length * 2);
    vs.set(this.vs);
    this.ts = ts;
    this.vs = vs;
  }

  iterator(): SampleIterator {
    return new ArrayIterator(this.ts, this.vs, this.n);
  }

  window(mint: number, maxt: number): StorageSeries {
    const lo = firstAtOrAfter(this.ts, this.n, mint);
    const hi = Math.max(lo, firstAfter(this.ts, this.n, maxt));
    const ts = this.ts.subarray(lo, hi);
    const vs = this.vs.subarray(lo, hi);
    const n = hi - lo;
    return {
      labels: this.labels,
      iterator: () => new ArrayIterator(ts, vs, n),
      samples: () => ({ ts, vs, n }),
    };
  }
}

/** Index of the first of `ts[0..n)` that is >= t (n when none). */
function firstAtOrAfter(ts: Float64Array, n: number, t: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first of `ts[0..n)` that is > t (n when none). */
function firstAfter(ts: Float64Array, n: number, t: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** An in-memory float-sample store implementing Queryable; used by tests and the conformance runner. */
export class MemoryQueryable implements Queryable {
  private readonly series = new Map<string, MemSeries>();

  /** Adds one sample; a series is created on first use. */
  append(labels: Labels, t: number, v: number): void {
    let s = this.series.get(labels.key);
    if (s === undefined) {
      s = new MemSeries(labels);
      this.series.set(labels.key, s);
    }
    s.append(t, v);
  }

  /** Removes every series. */
  clear(): void {
    this.series.clear();
  }

  /** Number of stored series. */
  get seriesCount(): number {
    return this.series.size;
  }

  querier(mint: number, maxt: number): Querier {
    const all = [...this.series.values()];
    const pick = (matchers: Matcher[]): MemSeries[] =>
      all.filter((s) => matchesAll(s.labels, matchers));
    return {
      select(
        sortSeries: boolean,
        _hints: SelectHints | null,
        ...matchers: Matcher[]
      ): Promise<StorageSeries[]> {
        const found = pick(matchers);
        if (sortSeries) found.sort((a, b) => compareLabels(a.labels, b.labels));
        return Promise.resolve(found.map((s) => s.window(mint, maxt)));
      },
      labelValues(name: string, ...matchers: Matcher[]): Promise<string[]> {
        const out = new Set<string>();
        for (const s of pick(matchers)) {
          const v = s.labels.get(name);
          if (v !== '') out.add(v);
        }
        return Promise.resolve([...out].sort());
      },
      labelNames(...matchers: Matcher[]): Promise<string[]> {
        const out = new Set<string>();
        for (const s of pick(matchers)) for (const n of s.labels.names) out.add(n);
        return Promise.resolve([...out].sort());
      },
      close(): void {
        // Nothing is held open.
      },
    };
  }
}
