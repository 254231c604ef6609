import type { Condition } from '../condition/ast';
import { conditionProbe, requiredLiteral } from '../condition/evaluate';
import { isNil, mayFail } from '../condition/interpret';
import { goSprint, type FlatEvent, type FlatValue } from '../go-values';

/**
 * A conjunct every match of a rule satisfies: the field equals one of `values`, starts with
 * `prefix`, or contains `needle` (`contains`, and the literal every `like`/`regex` match holds).
 */
type Guard =
  | { readonly path: string; readonly values: readonly string[] }
  | { readonly path: string; readonly prefix: string }
  | { readonly path: string; readonly needle: string };

/** Needles are found by one of their runs of this many characters. */
const GRAM = 3;
/** A run of {@link GRAM} characters as one small integer (10 bits each: a collision only adds a candidate). */
const GRAM_MASK = (1 << (10 * GRAM)) - 1;

function gramAt(s: string, at: number): number {
  let key = 0;
  for (let i = at; i < at + GRAM; i++) key = ((key << 10) | (s.charCodeAt(i) & 1023)) & GRAM_MASK;
  return key;
}

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
    else if (c.kind === 'contains' && !c.negated && c.value.length >= GRAM)
      guards.push({ path: c.path, needle: c.value });
    else if (c.kind === 'match' && (c.op === 'regex' || c.op === 'like')) {
      const prefix = c.op === 'regex' ? anchoredPrefix(c.pattern) : null;
      if (prefix !== null) guards.push({ path: c.path, prefix });
      else {
        // The compiled leaf refuses a value without this literal before it runs the regexp.
        const needle = requiredLiteral(
          c.op === 'like' ? c.pattern.replace(/[*?]+/g, '(.*)') : c.pattern,
        );
        if (needle !== null && needle.length >= GRAM) guards.push({ path: c.path, needle });
      }
    }
  }
  return guards;
}

/**
 * The paths of a condition's leaves that can fail when each of them is a numeric comparison on a
 * plain path (which fails only on a value that is neither nil nor a number); null otherwise.
 */
function numericFailurePaths(cond: Condition): string[] | null {
  if (!mayFail(cond)) return [];
  if (cond.kind === 'andOr') {
    const left = numericFailurePaths(cond.left);
    const right = numericFailurePaths(cond.right);
    return left === null || right === null ? null : [...new Set([...left, ...right])];
  }
  if (cond.kind === 'not') return numericFailurePaths(cond.operand);
  if (cond.kind === 'compare' && cond.value.type === 'number' && !cond.path.includes('['))
    return [cond.path];
  return null;
}

/** The key of a guard's value in the field's selectivity count. */
function distinctKey(g: Guard): string[] {
  if ('values' in g) return [...g.values];
  return 'prefix' in g ? [`^${g.prefix}`] : [`*${g.needle}`];
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
  /** Per field: rule numbers by one run of each rule's needle (the run fewest needles share). */
  private readonly grams = new Map<string, Map<number, number[]>>();
  private readonly probes: ReadonlyArray<((event: FlatEvent) => void) | null>;
  /** Per rule: the fields whose numeric comparisons are its only leaves that can fail, or null. */
  private readonly numericProbes: ReadonlyArray<readonly number[] | null>;
  private readonly numericPaths: readonly string[];
  /** Per entry of `numericPaths`, for the last event: 1 when its value can fail no comparison. */
  private readonly numericSafe: Uint8Array;

  constructor(conditions: readonly Condition[]) {
    this.always = new Uint8Array(conditions.length);
    this.scratch = new Uint8Array(conditions.length);
    this.probes = conditions.map(conditionProbe);
    const paths: string[] = [];
    const slot = (path: string) => {
      if (!paths.includes(path)) paths.push(path);
      return paths.indexOf(path);
    };
    this.numericProbes = conditions.map((c, i) => {
      const failing = this.probes[i] === null ? null : numericFailurePaths(c);
      return failing === null ? null : failing.map(slot);
    });
    this.numericPaths = paths;
    this.numericSafe = new Uint8Array(paths.length);
    const all = conditions.map(guardsOf);
    // A field's selectivity: how many distinct values the rules' guards name on it.
    const distinct = new Map<string, Set<string>>();
    for (const guards of all)
      for (const g of guards) {
        const seen = distinct.get(g.path) ?? new Set<string>();
        for (const v of distinctKey(g)) seen.add(v);
        distinct.set(g.path, seen);
      }
    // How many needles of a field hold each run, so each needle is found by its rarest run.
    const shared = new Map<string, Map<number, number>>();
    for (const guards of all)
      for (const g of guards) {
        if (!('needle' in g)) continue;
        const counts = shared.get(g.path) ?? new Map<number, number>();
        shared.set(g.path, counts);
        const runs = new Set<number>();
        for (let at = 0; at + GRAM <= g.needle.length; at++) runs.add(gramAt(g.needle, at));
        for (const run of runs) counts.set(run, (counts.get(run) ?? 0) + 1);
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
      } else if ('needle' in best) {
        const counts = shared.get(best.path) as Map<number, number>;
        let rarest = gramAt(best.needle, 0);
        for (let at = 1; at + GRAM <= best.needle.length; at++) {
          const run = gramAt(best.needle, at);
          if ((counts.get(run) ?? 0) < (counts.get(rarest) ?? 0)) rarest = run;
        }
        const m = this.grams.get(best.path) ?? new Map<number, number[]>();
        this.grams.set(best.path, m);
        const list = m.get(rarest);
        if (list === undefined) m.set(rarest, [i]);
        else if (list[list.length - 1] !== i) list.push(i);
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
    for (const [path, m] of this.grams) {
      const v = event.get(path);
      if (isNil(v)) continue;
      const s = text(v);
      if (s.length < GRAM) continue;
      let key = gramAt(s, 0);
      mark(m.get(key));
      for (let at = GRAM; at < s.length; at++) {
        key = ((key << 10) | (s.charCodeAt(at) & 1023)) & GRAM_MASK;
        mark(m.get(key));
      }
    }
    for (let p = 0; p < this.numericPaths.length; p++) {
      const v = event.get(this.numericPaths[p]);
      this.numericSafe[p] = isNil(v) || typeof v === 'number' ? 1 : 0;
    }
    return out;
  }

  /**
   * What rule `i` would throw on the event of the last {@link candidates} call had it been
   * evaluated; null when it cannot fail on that event (a numeric comparison cannot fail on a
   * number or an absent field, so most probes are skipped without a read).
   */
  probe(i: number): ((event: FlatEvent) => void) | null {
    const numeric = this.numericProbes[i];
    if (numeric !== null && numeric !== undefined) {
      let safe = true;
      for (const p of numeric) if (this.numericSafe[p] !== 1) safe = false;
      if (safe) return null;
    }
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
