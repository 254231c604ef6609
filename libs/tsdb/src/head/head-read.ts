import { type Matcher } from '../index/matchers';
import { type Postings, postingsForMatchers } from '../index/postings';
import { type SampleIterator } from '../iterator';
import { type Labels, compareLabels } from '../labels';
import { type Head } from './head';
import { type MemSeries } from './series';

/** A series selected by a query: its labels and a fresh iterator over its samples in range. */
export interface QueriedSeries {
  readonly labels: Labels;
  iterator(): SampleIterator;
  /**
   * The encoded XOR chunks that overlap the range, oldest first (they may hold samples outside
   * it), or null when out-of-order samples are held beside them and only the iterator merges both.
   */
  chunks(): Uint8Array[] | null;
}

/** Limits for label name/value lookups; `limit` truncates after sorting, as Prometheus' API does. */
export interface LabelQueryOptions {
  readonly limit?: number;
}

/** Reads series, label names and label values from a {@link Head} within [mint, maxt]. */
export class HeadQuerier {
  constructor(
    private readonly head: Head,
    readonly mint: number,
    readonly maxt: number,
  ) {}

  /** Series matching all matchers with at least one sample in range, sorted by labels. */
  select(matchers: readonly Matcher[]): QueriedSeries[] {
    const out: QueriedSeries[] = [];
    for (const s of this.seriesFor(matchers)) {
      if (s.maxTime() < this.mint || s.minTime() > this.maxt) continue;
      const { mint, maxt } = this;
      out.push({
        labels: s.labels(),
        iterator: () => s.iterator(mint, maxt),
        chunks: () => s.inOrderChunks(mint, maxt),
      });
    }
    return out.sort((a, b) => compareLabels(a.labels, b.labels));
  }

  /** Sorted label names of series matching the matchers (all series when none are given). */
  labelNames(matchers: readonly Matcher[] = [], opts: LabelQueryOptions = {}): string[] {
    let names: string[];
    if (matchers.length === 0) {
      names = this.head.postings.labelNames();
    } else {
      const set = new Set<string>();
      for (const s of this.seriesFor(matchers))
        for (let i = 0; i < s.pairs.length; i += 2) set.add(s.pairs[i]);
      names = [...set];
    }
    return limitSorted(names, opts.limit);
  }

  /** Sorted distinct values of `name` among series matching the matchers. */
  labelValues(
    name: string,
    matchers: readonly Matcher[] = [],
    opts: LabelQueryOptions = {},
  ): string[] {
    let values: string[];
    if (matchers.length === 0) {
      values = [...this.head.postings.labelValuesFor(name)];
    } else {
      const set = new Set<string>();
      for (const s of this.seriesFor(matchers)) {
        for (let i = 0; i < s.pairs.length; i += 2)
          if (s.pairs[i] === name) set.add(s.pairs[i + 1]);
      }
      values = [...set];
    }
    return limitSorted(values, opts.limit);
  }

  /** Series refs selected by the matchers, without time filtering. */
  postings(matchers: readonly Matcher[]): Postings {
    return postingsForMatchers(this.head.postings, matchers);
  }

  private *seriesFor(matchers: readonly Matcher[]): Generator<MemSeries> {
    for (const ref of this.postings(matchers)) {
      const s = this.head.seriesByRef(ref);
      if (s) yield s;
    }
  }
}

function limitSorted(xs: string[], limit: number | undefined): string[] {
  xs.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return limit !== undefined && limit > 0 && xs.length > limit ? xs.slice(0, limit) : xs;
}
