import { type MatchType } from '@strata/contracts';

/** The label holding a series' metric name. */
export const METRIC_NAME = '__name__';

/** One label matcher, as a selector writes it and storage applies it; `__name__` for the metric name. */
export interface Matcher {
  name: string;
  op: MatchType;
  value: string;
}

const SEP = '\xff';

/**
 * An immutable label set kept sorted by name, with a precomputed string key used as its hash,
 * so that map lookups and equality checks cost one string comparison.
 */
export class Labels {
  private keyCache: string | null = null;

  private constructor(
    readonly names: readonly string[],
    readonly values: readonly string[],
  ) {}

  /** The empty label set. */
  static readonly EMPTY = new Labels([], []);

  /** Builds a label set from a plain record; empty values are dropped like Prometheus does. */
  static fromRecord(rec: Record<string, string>): Labels {
    return Labels.fromPairs(Object.entries(rec));
  }

  /** Builds a label set from name/value pairs in any order; later duplicates win, empty values are dropped. */
  static fromPairs(pairs: ReadonlyArray<readonly [string, string]>): Labels {
    const m = new Map<string, string>();
    for (const [n, v] of pairs) m.set(n, v);
    const names = [...m.keys()].filter((n) => m.get(n) !== '').sort(cmpStr);
    return new Labels(
      names,
      names.map((n) => m.get(n) as string),
    );
  }

  /**
   * Builds a label set from parallel name and value lists, taken as they are when the names
   * ascend strictly and no value is empty (as stores send them), else as {@link Labels.fromPairs}.
   */
  static fromLists(names: string[], values: string[]): Labels {
    for (let i = 0; i < names.length; i++) {
      if (values[i] === '' || (i > 0 && !(names[i - 1] < names[i])))
        return Labels.fromPairs(names.map((n, j) => [n, values[j]] as const));
    }
    return new Labels(names, values);
  }

  /** Number of labels. */
  get length(): number {
    return this.names.length;
  }

  /** A string that is equal for two label sets exactly when they are equal. */
  get key(): string {
    if (this.keyCache === null) {
      let k = '';
      for (let i = 0; i < this.names.length; i++) k += this.names[i] + SEP + this.values[i] + SEP;
      this.keyCache = k;
    }
    return this.keyCache;
  }

  /** The value of a label, or '' when absent. */
  get(name: string): string {
    const i = this.indexOf(name);
    return i < 0 ? '' : this.values[i];
  }

  /** Whether the label is present. */
  has(name: string): boolean {
    return this.indexOf(name) >= 0;
  }

  private indexOf(name: string): number {
    let lo = 0;
    let hi = this.names.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const n = this.names[mid];
      if (n === name) return mid;
      if (n < name) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** Whether two label sets are identical. */
  equals(o: Labels): boolean {
    return this === o || this.key === o.key;
  }

  /** A copy with the given label set (or removed when value is ''). */
  with(name: string, value: string): Labels {
    const b = this.toMap();
    if (value === '') b.delete(name);
    else b.set(name, value);
    return Labels.fromMap(b);
  }

  /** A copy without the given labels. */
  without(...drop: string[]): Labels {
    if (!drop.some((d) => this.has(d))) return this;
    const names: string[] = [];
    const values: string[] = [];
    for (let i = 0; i < this.names.length; i++) {
      if (!drop.includes(this.names[i])) {
        names.push(this.names[i]);
        values.push(this.values[i]);
      }
    }
    return new Labels(names, values);
  }

  /** A copy keeping only the given labels. */
  keep(keepNames: readonly string[]): Labels {
    const names: string[] = [];
    const values: string[] = [];
    for (let i = 0; i < this.names.length; i++) {
      if (keepNames.includes(this.names[i])) {
        names.push(this.names[i]);
        values.push(this.values[i]);
      }
    }
    return new Labels(names, values);
  }

  /** A copy without `__name__`. */
  dropMetricName(): Labels {
    return this.without(METRIC_NAME);
  }

  /** Key made of only the given labels (on) or all but the given labels (ignoring). */
  matchKey(on: boolean, names: readonly string[]): string {
    let k = '';
    for (let i = 0; i < this.names.length; i++) {
      const inList = names.includes(this.names[i]);
      if (on === inList) k += this.names[i] + SEP + this.values[i] + SEP;
    }
    return k;
  }

  /** Name to value map copy. */
  toMap(): Map<string, string> {
    const m = new Map<string, string>();
    for (let i = 0; i < this.names.length; i++) m.set(this.names[i], this.values[i]);
    return m;
  }

  /** Plain record copy. */
  toRecord(): Record<string, string> {
    const r: Record<string, string> = {};
    for (let i = 0; i < this.names.length; i++) r[this.names[i]] = this.values[i];
    return r;
  }

  /** Builds from a map, dropping empty values. */
  static fromMap(m: Map<string, string>): Labels {
    const names = [...m.keys()].filter((n) => m.get(n) !== '').sort(cmpStr);
    return new Labels(
      names,
      names.map((n) => m.get(n) as string),
    );
  }

  /** Prometheus' text form: `name{a="b"}` with the name outside the braces. */
  toString(): string {
    const parts: string[] = [];
    let name = '';
    for (let i = 0; i < this.names.length; i++) {
      if (this.names[i] === METRIC_NAME) name = this.values[i];
      else parts.push(`${this.names[i]}=${JSON.stringify(this.values[i])}`);
    }
    if (name !== '' && parts.length === 0) return name;
    return `${name}{${parts.join(', ')}}`;
  }
}

/** Byte-wise string order, as Go compares strings. */
export function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Orders label sets the way Prometheus' `labels.Compare` does. */
export function compareLabels(a: Labels, b: Labels): number {
  const l = Math.min(a.length, b.length);
  for (let i = 0; i < l; i++) {
    if (a.names[i] !== b.names[i]) return cmpStr(a.names[i], b.names[i]);
    if (a.values[i] !== b.values[i]) return cmpStr(a.values[i], b.values[i]);
  }
  return a.length - b.length;
}
