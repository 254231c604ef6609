import { type Matcher } from './matchers';

/** Sorted, duplicate-free series refs. */
export type Postings = readonly number[];

/** Intersection of sorted postings lists. */
export function intersect(lists: readonly Postings[]): Postings {
  if (lists.length === 0) return [];
  const sorted = [...lists].sort((a, b) => a.length - b.length);
  let acc: Postings = sorted[0];
  for (let k = 1; k < sorted.length && acc.length > 0; k++) acc = intersect2(acc, sorted[k]);
  return acc;
}

function intersect2(a: Postings, b: Postings): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      out.push(a[i]);
      i++;
      j++;
    } else if (a[i] < b[j]) i++;
    else j++;
  }
  return out;
}

/** Union of sorted postings lists. */
export function merge(lists: readonly Postings[]): Postings {
  if (lists.length === 0) return [];
  if (lists.length === 1) return lists[0];
  let acc: Postings = lists[0];
  for (let k = 1; k < lists.length; k++) acc = merge2(acc, lists[k]);
  return acc;
}

function merge2(a: Postings, b: Postings): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i] < b[j])) out.push(a[i++]);
    else if (i >= a.length || b[j] < a[i]) out.push(b[j++]);
    else {
      out.push(a[i++]);
      j++;
    }
  }
  return out;
}

/** Refs in `a` that are not in `b`. */
export function without(a: Postings, b: Postings): Postings {
  if (b.length === 0) return a;
  const out: number[] = [];
  let j = 0;
  for (const ref of a) {
    while (j < b.length && b[j] < ref) j++;
    if (j >= b.length || b[j] !== ref) out.push(ref);
  }
  return out;
}

/** What matcher evaluation needs from an index. */
export interface PostingsReader {
  /** Every series ref in the index. */
  allPostings(): Postings;
  /** Values of a label name, in any order. */
  labelValuesFor(name: string): Iterable<string>;
  /** Series refs carrying `name=value`. */
  postings(name: string, value: string): Postings;
}

/** An in-memory inverted index: label name → value → sorted series refs. */
export class MemPostings implements PostingsReader {
  // A value held by a single series (instance, pod, ...) stores the bare ref instead of a
  // one-element array; that is most values in practice and saves an array per value.
  private readonly m = new Map<string, Map<string, number[] | number>>();
  private all: number[] = [];

  /** Indexes a new series; refs normally arrive in increasing order, which keeps appends O(1). */
  add(ref: number, pairs: readonly string[]): void {
    insertSorted(this.all, ref);
    for (let i = 0; i < pairs.length; i += 2) {
      let values = this.m.get(pairs[i]);
      if (!values) this.m.set(pairs[i], (values = new Map()));
      const list = values.get(pairs[i + 1]);
      if (list === undefined) values.set(pairs[i + 1], ref);
      else if (typeof list === 'number')
        values.set(pairs[i + 1], list === ref ? list : list < ref ? [list, ref] : [ref, list]);
      else insertSorted(list, ref);
    }
  }

  /** Removes series from the index, dropping values and names left without series. */
  delete(refs: ReadonlySet<number>, pairsOf: (ref: number) => readonly string[]): void {
    if (refs.size === 0) return;
    const touched = new Map<string, Set<string>>();
    for (const ref of refs) {
      const pairs = pairsOf(ref);
      for (let i = 0; i < pairs.length; i += 2) {
        let s = touched.get(pairs[i]);
        if (!s) touched.set(pairs[i], (s = new Set()));
        s.add(pairs[i + 1]);
      }
    }
    for (const [name, vals] of touched) {
      const values = this.m.get(name);
      if (!values) continue;
      for (const v of vals) {
        const list = values.get(v) ?? [];
        const kept =
          typeof list === 'number'
            ? refs.has(list)
              ? []
              : [list]
            : list.filter((r) => !refs.has(r));
        if (kept.length === 0) values.delete(v);
        else values.set(v, kept.length === 1 ? kept[0] : kept);
      }
      if (values.size === 0) this.m.delete(name);
    }
    this.all = this.all.filter((r) => !refs.has(r));
  }

  allPostings(): Postings {
    return this.all;
  }

  postings(name: string, value: string): Postings {
    const list = this.m.get(name)?.get(value);
    return list === undefined ? [] : typeof list === 'number' ? [list] : list;
  }

  labelValuesFor(name: string): Iterable<string> {
    return this.m.get(name)?.keys() ?? [];
  }

  /** All label names present in the index. */
  labelNames(): string[] {
    return [...this.m.keys()];
  }
}

function insertSorted(list: number[], ref: number): void {
  if (list.length === 0 || list[list.length - 1] < ref) {
    list.push(ref);
    return;
  }
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid] < ref) lo = mid + 1;
    else hi = mid;
  }
  if (list[lo] !== ref) list.splice(lo, 0, ref);
}

/** Union of the postings of every value of `m.name` that `m` matches. */
export function postingsForMatcher(ix: PostingsReader, m: Matcher): Postings {
  if (m.type === '=') return ix.postings(m.name, m.value);
  const lists: Postings[] = [];
  for (const v of ix.labelValuesFor(m.name)) if (m.matches(v)) lists.push(ix.postings(m.name, v));
  return lists.length === 1 ? lists[0] : merge(lists.sort((a, b) => a.length - b.length));
}

/**
 * Series refs selected by all matchers, following Prometheus' `PostingsForMatchers`: a matcher
 * that matches the empty string also selects series lacking the label, so it is applied by
 * subtracting the series its inverse selects.
 */
export function postingsForMatchers(ix: PostingsReader, matchers: readonly Matcher[]): Postings {
  const its: Postings[] = [];
  const notIts: Postings[] = [];
  for (const m of matchers) {
    if (m.matches('')) {
      const inverse = postingsForMatcher(ix, m.inverse());
      if (inverse.length > 0) notIts.push(inverse);
    } else {
      const p = postingsForMatcher(ix, m);
      if (p.length === 0) return [];
      its.push(p);
    }
  }
  const base = its.length === 0 ? ix.allPostings() : intersect(its);
  return notIts.length === 0 ? base : without(base, merge(notIts));
}
