import type { Condition } from '../condition/ast';
import { conditionProbe } from '../condition/evaluate';
import { isNil } from '../condition/interpret';
import { goSprint, type FlatEvent, type FlatValue } from '../go-values';

/** A conjunct every match of a rule satisfies: the field equals one of `values`, or starts with `prefix`. */
type Guard =
  | { readonly path: string; readonly values: readonly string[] }
  | { readonly path: string; readonly prefix: string };

const text = (v: FlatValue): string => (typeof v === 'string' ? v : goSprint(v));

/** The conjuncts of the top-level `and` chain (`and`/`or` share one level, grouped to the left). */
function conjuncts(cond: Condition): Condition[] {
  const out: Condition[] = [];
  let c = cond;
  while (c.kind === 'andOr' && c.op === 'and') {
    out.push(c.right);
    c = c.left;
  }
  out.push(c);
  return out;
}

/** The literal text a `^`-anchored regexp's every match starts with (RE2 without `(?m)`: start of text). */
export function anchoredPrefix(pattern: string): string | null {
  if (!pattern.startsWith('^') || /[|\\[]|\(\?/.test(pattern)) return null;
  const m = /^\^([A-Za-z0-9 _\-/:,=@]*)(.?)/.exec(pattern);
  if (m === null) return null;
  // A quantifier after the run makes its last character optional.
  const prefix = '?*+{'.includes(m[2]) && m[2] !== '' ? m[1].slice(0, -1) : m[1];
  return prefix === '' ? null : prefix;
}

function guardsOf(cond: Condition): Guard[] {
  const guards: Guard[] = [];
  for (const c of conjuncts(cond)) {
    if (c.kind === 'andOr' || c.kind === 'not' || c.path.includes('[')) continue;
    if (c.kind === 'compare' && c.op === '=' && c.value.type === 'string')
      guards.push({ path: c.path, values: [c.value.text] });
    else if (c.kind === 'in' && !c.negated) guards.push({ path: c.path, values: c.values });
    else if (c.kind === 'match' && c.op === 'regex') {
      const prefix = anchoredPrefix(c.pattern);
      if (prefix !== null) guards.push({ path: c.path, prefix });
    }
  }
  return guards;
}

/**
 * Which rules of a list an event can match, by one equality, `in` or anchored-regex conjunct of
 * each rule's top-level `and` chain, looked up by the event's value of that field instead of
 * evaluated rule by rule. A rule without such a conjunct is always a candidate. A rule ruled out
 * would have evaluated to false, unless one of its leaves fails: {@link RuleIndex.probe} says so.
 */
export class RuleIndex {
  private readonly always: Uint8Array;
  private readonly scratch: Uint8Array;
  private readonly equal = new Map<string, Map<string, number[]>>();
  private readonly prefixes = new Map<string, Map<number, Map<string, number[]>>>();
  private readonly probes: ReadonlyArray<((event: FlatEvent) => void) | null>;

  constructor(conditions: readonly Condition[]) {
    this.always = new Uint8Array(conditions.length);
    this.scratch = new Uint8Array(conditions.length);
    this.probes = conditions.map(conditionProbe);
    const all = conditions.map(guardsOf);
    // A field's selectivity: how many distinct values the rules' guards name on it.
    const distinct = new Map<string, Set<string>>();
    for (const guards of all)
      for (const g of guards) {
        const seen = distinct.get(g.path) ?? new Set<string>();
        for (const v of 'values' in g ? g.values : [`^${g.prefix}`]) seen.add(v);
        distinct.set(g.path, seen);
      }
    all.forEach((guards, i) => {
      let best: Guard | null = null;
      let bestScore = 0;
      for (const g of guards) {
        const score =
          (distinct.get(g.path)?.size ?? 0) / ('values' in g ? Math.max(1, g.values.length) : 1);
        if (score > bestScore) [best, bestScore] = [g, score];
      }
      if (best === null) {
        this.always[i] = 1;
        return;
      }
      const add = (m: Map<string, number[]>, key: string) => {
        const list = m.get(key);
        if (list === undefined) m.set(key, [i]);
        else if (list[list.length - 1] !== i) list.push(i);
      };
      if ('values' in best) {
        const m = this.equal.get(best.path) ?? new Map<string, number[]>();
        this.equal.set(best.path, m);
        for (const v of best.values) add(m, v);
      } else {
        const byLength = this.prefixes.get(best.path) ?? new Map<number, Map<string, number[]>>();
        this.prefixes.set(best.path, byLength);
        const m = byLength.get(best.prefix.length) ?? new Map<string, number[]>();
        byLength.set(best.prefix.length, m);
        add(m, best.prefix);
      }
    });
  }

  /**
   * One byte per rule: 1 when `event` can match it. The array is reused by the next call (the
   * evaluation that reads it is synchronous).
   */
  candidates(event: FlatEvent): Uint8Array {
    const out = this.scratch;
    out.set(this.always);
    const mark = (list: readonly number[] | undefined) => {
      if (list !== undefined) for (const i of list) out[i] = 1;
    };
    for (const [path, m] of this.equal) {
      const v = event.get(path);
      if (!isNil(v)) mark(m.get(text(v)));
    }
    for (const [path, byLength] of this.prefixes) {
      const v = event.get(path);
      if (isNil(v)) continue;
      const s = text(v);
      for (const [length, m] of byLength) if (s.length >= length) mark(m.get(s.slice(0, length)));
    }
    return out;
  }

  /** What rule `i` would throw on `event` had it been evaluated (null when it cannot fail). */
  probe(i: number): ((event: FlatEvent) => void) | null {
    return this.probes[i];
  }
}

const INDEXES = new WeakMap<readonly unknown[], RuleIndex>();

/** The index of a compiled rule list, built on first use and kept as long as the list. */
export function ruleIndexOf(rules: ReadonlyArray<{ readonly parsed: Condition }>): RuleIndex {
  let index = INDEXES.get(rules);
  if (index === undefined) {
    index = new RuleIndex(rules.map((r) => r.parsed));
    INDEXES.set(rules, index);
  }
  return index;
}
