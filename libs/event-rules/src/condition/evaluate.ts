import { goSprint, type FlatEvent, type FlatValue } from '../go-values';
import type { CompareOp, Condition } from './ast';
import {
  compare,
  interpretCondition,
  isNil,
  leaf,
  mayFail,
  parseBoolOrFail,
  patternOf,
} from './interpret';

/** A condition compiled into a closure over a flattened event. */
export type ConditionTest = (event: FlatEvent) => boolean;

const COMPILED = new WeakMap<Condition, ConditionTest>();
const PROBES = new WeakMap<Condition, ((event: FlatEvent) => void) | null>();

const ORDER: Record<CompareOp, (order: number) => boolean> = {
  '=': (o) => o === 0,
  '!=': (o) => o !== 0,
  '>': (o) => o > 0,
  '<': (o) => o < 0,
  '>=': (o) => o >= 0,
  '<=': (o) => o <= 0,
};

const text = (v: FlatValue): string => (typeof v === 'string' ? v : goSprint(v));

/**
 * A substring every match of `source` contains, when that is plain to see: the longest run of
 * literal characters at the top level of a pattern without alternation, classes, escapes or
 * flags (a run followed by a quantifier loses its last character). Lets a `like` or `regex`
 * leaf refuse most values with `includes` before the regexp runs.
 */
export function requiredLiteral(source: string): string | null {
  if (/[|\\[]|\(\?/.test(source)) return null;
  let best = '';
  let run = '';
  let depth = 0;
  const end = () => {
    if (run.length > best.length) best = run;
    run = '';
  };
  for (const c of source) {
    if (c === '(') {
      end();
      depth++;
    } else if (c === ')') {
      depth--;
    } else if (depth > 0) {
      continue;
    } else if (/[A-Za-z0-9 _\-/:,=@~"'!%&;<>#]/.test(c)) {
      run += c;
    } else {
      if ('?*+{'.includes(c)) run = run.slice(0, -1);
      end();
    }
  }
  end();
  return best.length >= 2 ? best : null;
}

function compileLeaf(cond: Condition): ConditionTest {
  switch (cond.kind) {
    case 'compare': {
      const { path, op } = cond;
      const want = cond.value.text;
      if (cond.value.type === 'string' && (op === '=' || op === '!=')) {
        // Byte order is equal exactly when the strings are.
        return op === '='
          ? (e) => {
              const v = e.get(path);
              return !isNil(v) && text(v) === want;
            }
          : (e) => {
              const v = e.get(path);
              return !isNil(v) && text(v) !== want;
            };
      }
      if (cond.value.type === 'number') {
        const ref = Number(want);
        const holds = ORDER[op];
        return (e) => {
          const v = e.get(path);
          // Numbers read as they are; anything else as the interpreter reads it (which may fail).
          if (typeof v !== 'number' || Number.isNaN(v)) return compare(cond, v);
          return holds(v < ref ? -1 : v > ref ? 1 : 0);
        };
      }
      return (e) => compare(cond, e.get(path));
    }
    case 'in': {
      const { path, negated } = cond;
      const values = new Set(cond.values);
      return (e) => {
        const v = e.get(path);
        return !isNil(v) && values.has(text(v)) !== negated;
      };
    }
    case 'contains': {
      const { path, negated, value } = cond;
      return (e) => {
        const v = e.get(path);
        return !isNil(v) && text(v).includes(value) !== negated;
      };
    }
    case 'match': {
      const { path } = cond;
      const like = cond.op === 'like' || cond.op === 'not like';
      const positive = cond.op === 'regex' || cond.op === 'like';
      const re = patternOf(cond);
      // A `like` glob becomes a regexp (`*` → `(.*)`, `?` → `.`); its other characters stay regexp syntax.
      const literal = requiredLiteral(like ? cond.pattern.replace(/[*?]+/g, '(.*)') : cond.pattern);
      return (e) => {
        const v = e.get(path);
        if (isNil(v)) return false;
        const s = text(v);
        const found = (literal === null || s.includes(literal)) && re.test(s);
        return found === positive;
      };
    }
    case 'exists': {
      const { path, negated } = cond;
      const prefix = `${path}.`;
      return (e) => {
        let present = !isNil(e.get(path));
        if (!present) {
          for (const [k, v] of e) {
            if (k.startsWith(prefix) && !isNil(v)) {
              present = true;
              break;
            }
          }
        }
        return present !== negated;
      };
    }
    case 'variable': {
      const { path, negated } = cond;
      return (e) => {
        const v = e.get(path);
        return !isNil(v) && parseBoolOrFail(v) === !negated;
      };
    }
    case 'boolCompare':
      return (e) => leaf(cond, e.get(cond.path));
    case 'andOr':
    case 'not':
      throw new Error(`not a leaf: ${cond.kind}`);
  }
}

function compile(cond: Condition): ConditionTest {
  switch (cond.kind) {
    case 'andOr': {
      const left = compiledCondition(cond.left);
      const right = compiledCondition(cond.right);
      // The Go engine evaluates both sides, which matters only when the right one can fail.
      const rightFails = mayFail(cond.right);
      if (cond.op === 'and')
        return rightFails
          ? (e) => {
              const l = left(e);
              return right(e) && l;
            }
          : (e) => left(e) && right(e);
      return rightFails
        ? (e) => {
            const l = left(e);
            return right(e) || l;
          }
        : (e) => left(e) || right(e);
    }
    case 'not': {
      const operand = compiledCondition(cond.operand);
      return (e) => !operand(e);
    }
    case 'compare':
    case 'boolCompare':
    case 'contains':
    case 'in':
    case 'match':
    case 'exists':
    case 'variable':
      // Paths into arrays keep the interpreter's walk; they are rare and their rules subtle.
      if (cond.path.includes('[')) return (e) => interpretCondition(cond, e);
      return compileLeaf(cond);
  }
}

/** The closure of a parsed condition, built once per condition and kept as long as it is. */
export function compiledCondition(cond: Condition): ConditionTest {
  let test = COMPILED.get(cond);
  if (test === undefined) {
    test = compile(cond);
    COMPILED.set(cond, test);
  }
  return test;
}

function failingLeaves(cond: Condition, out: Condition[]): void {
  if (!mayFail(cond)) return;
  if (cond.kind === 'andOr') {
    failingLeaves(cond.left, out);
    failingLeaves(cond.right, out);
  } else if (cond.kind === 'not') {
    failingLeaves(cond.operand, out);
  } else {
    out.push(cond);
  }
}

/**
 * What evaluating `cond` would throw, without its result: each leaf that can fail, in the order
 * the Go engine reaches them (every one is reached, since both sides of `and`/`or` are
 * evaluated when the right one can fail). Null when nothing in `cond` can fail. A rule the index
 * rules out still runs its probe, so its failures are counted as if it had been evaluated.
 */
export function conditionProbe(cond: Condition): ((event: FlatEvent) => void) | null {
  let probe = PROBES.get(cond);
  if (probe === undefined) {
    const leaves: Condition[] = [];
    failingLeaves(cond, leaves);
    const tests = leaves.map(compiledCondition);
    probe =
      tests.length === 0
        ? null
        : (e) => {
            for (const t of tests) t(e);
          };
    PROBES.set(cond, probe);
  }
  return probe;
}

/**
 * Evaluates a parsed condition over a flattened event with the Go engine's semantics: values are
 * compared as `fmt.Sprint` prints them, an absent field makes every comparison (negated ones too)
 * false, both sides of `and`/`or` are evaluated, and paths with `[...]` walk `[]interface{}` arrays
 * (`[*]` any element, `[n]` and `[a:b]` every selected one). Throws {@link ConditionEvaluationError}
 * where the Go engine panics. The condition is compiled into a closure on first use.
 */
export function evaluateCondition(cond: Condition, event: FlatEvent): boolean {
  return compiledCondition(cond)(event);
}
