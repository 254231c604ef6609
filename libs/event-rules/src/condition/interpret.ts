import { compileGoRegexp } from '@strata/prom-regex';
import { ConditionEvaluationError } from '../errors';
import {
  TypedSlice,
  goParseBool,
  goParseFloat,
  goSprint,
  type FlatEvent,
  type FlatValue,
} from '../go-values';
import type { Condition } from './ast';
import { likeToRegexp } from './parse';

type Kind = Condition['kind'];
type Operator = 'contains' | 'other';
type ArrayOp = 'any' | 'all';
type FlatMap = { readonly [key: string]: FlatValue };

/** Whether a flattened value is absent or Go's nil. */
export const isNil = (v: FlatValue | undefined): v is null | undefined =>
  v === null || v === undefined;
const isArray = (v: FlatValue | undefined): v is readonly FlatValue[] => Array.isArray(v);
const isMap = (v: FlatValue | undefined): v is FlatMap =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof TypedSlice);

const SURROGATE = /[\uD800-\uDFFF]/;

/** Go's byte-wise string order; UTF-16 order is the same unless a surrogate is involved. */
export function compareBytes(a: string, b: string): number {
  if (a === b) return 0;
  if (!SURROGATE.test(a) && !SURROGATE.test(b)) return a < b ? -1 : 1;
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** Each `like` / `regex` condition's compiled pattern, kept as long as its parsed rule. */
const PATTERNS = new WeakMap<Condition, ReturnType<typeof compileGoRegexp>>();

/** The compiled Go regexp of a `like` or `regex` condition. */
export function patternOf(
  cond: Extract<Condition, { kind: 'match' }>,
): ReturnType<typeof compileGoRegexp> {
  let re = PATTERNS.get(cond);
  if (re === undefined) {
    const like = cond.op === 'like' || cond.op === 'not like';
    re = compileGoRegexp(like ? likeToRegexp(cond.pattern) : cond.pattern);
    PATTERNS.set(cond, re);
  }
  return re;
}

/** A comparison leaf over one value, as the Go engine orders strings and float64s. */
export function compare(
  cond: Extract<Condition, { kind: 'compare' }>,
  value: FlatValue | undefined,
): boolean {
  if (isNil(value)) return false;
  let order: number;
  if (cond.value.type === 'string') {
    order = compareBytes(goSprint(value), cond.value.text);
  } else {
    // A number prints as its shortest form, which parses back to the same float64.
    const num = typeof value === 'number' ? value : goParseFloat(goSprint(value));
    if (num === null) throw new ConditionEvaluationError(`${goSprint(value)} is not number`);
    const ref = Number(cond.value.text);
    // NaN compares unequal and unordered, as Go's float comparisons.
    if (Number.isNaN(num)) return cond.op === '!=';
    order = num < ref ? -1 : num > ref ? 1 : 0;
  }
  switch (cond.op) {
    case '=':
      return order === 0;
    case '!=':
      return order !== 0;
    case '>':
      return order > 0;
    case '<':
      return order < 0;
    case '>=':
      return order >= 0;
    case '<=':
      return order <= 0;
  }
}

/** A value read as Go's `strconv.ParseBool` of its print, or the engine's panic. */
export function parseBoolOrFail(value: FlatValue): boolean {
  const text = goSprint(value);
  const b = goParseBool(text);
  if (b === null) throw new ConditionEvaluationError(`${text} is not bool`);
  return b;
}

/** A leaf condition over one value of the event. */
export function leaf(cond: Condition, value: FlatValue | undefined): boolean {
  switch (cond.kind) {
    case 'compare':
      return compare(cond, value);
    case 'boolCompare': {
      if (isNil(value)) return false;
      const equal = parseBoolOrFail(value) === cond.value;
      return cond.op === '=' ? equal : !equal;
    }
    case 'contains': {
      if (isNil(value)) return false;
      const found = goSprint(value).includes(cond.value);
      return cond.negated ? !found : found;
    }
    case 'in': {
      if (isNil(value)) return false;
      const text = goSprint(value);
      const found = cond.values.includes(text);
      return cond.negated ? !found : found;
    }
    case 'match': {
      if (isNil(value)) return false;
      const found = patternOf(cond).test(goSprint(value));
      return cond.op === 'regex' || cond.op === 'like' ? found : !found;
    }
    case 'exists': {
      const present = !isNil(value);
      return cond.negated ? !present : present;
    }
    case 'variable':
    case 'andOr':
    case 'not':
      throw new Error(`not a leaf: ${cond.kind}`);
  }
}

function childValues(
  segment: string,
  values: readonly FlatValue[],
): [readonly FlatValue[], ArrayOp] {
  const inner = segment.slice(segment.indexOf('[') + 1, -1);
  if (inner === '*') return [values, 'any'];
  const colon = inner.indexOf(':');
  if (colon >= 0) {
    const startText = inner.slice(0, colon);
    const endText = inner.slice(colon + 1);
    const start = startText === '' ? 0 : Math.min(Number(startText), values.length);
    const end = endText === '' ? values.length : Math.min(Number(endText), values.length);
    if (start > end) {
      throw new ConditionEvaluationError(`wrong array range start ${start}, end ${end}`);
    }
    return [values.slice(start, end), 'all'];
  }
  const index = Number(inner);
  return [index < values.length ? [values[index]] : [], 'all'];
}

function arrayMatch(
  op: ArrayOp,
  values: readonly FlatValue[],
  rest: readonly string[],
  match: (v: FlatValue) => boolean,
): boolean {
  let result = false;
  for (const v of values) {
    let b: boolean;
    if (rest.length === 0) {
      b = match(v);
    } else {
      if (!isMap(v)) throw new ConditionEvaluationError('the value not a map');
      const segment = rest[0];
      const bracket = segment.indexOf('[');
      const key = bracket >= 0 ? segment.slice(0, bracket) : segment;
      // As the Go engine: an element without the key ends the whole search, even under `[*]`.
      if (!Object.hasOwn(v, key)) return false;
      const sub = v[key];
      let child: readonly FlatValue[];
      let childOp: ArrayOp;
      if (bracket >= 0) {
        if (!isArray(sub)) throw new ConditionEvaluationError('the value not a array');
        [child, childOp] = childValues(segment, sub);
        if (child.length === 0) return false;
      } else {
        child = [sub];
        childOp = 'any';
      }
      b = arrayMatch(childOp, child, rest.slice(1), match);
    }
    if (op === 'any') {
      if (b) return true;
    } else {
      if (!b) return false;
      result = true;
    }
  }
  return result;
}

/** A leaf condition over a path with `[...]`: the Go engine's walk of `[]interface{}` arrays. */
export function arrayOperator(
  event: FlatEvent,
  path: string,
  operator: Operator,
  match: (v: FlatValue) => boolean,
): boolean {
  if (path.endsWith(']') && operator !== 'contains') {
    throw new ConditionEvaluationError('array only support contains or not contains method');
  }
  const parts = path.split('.');
  let key = '';
  let rest: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const bracket = parts[i].indexOf('[');
    if (bracket < 0) {
      key += `${parts[i]}.`;
      continue;
    }
    key += parts[i].slice(0, bracket);
    rest = parts.slice(i);
    break;
  }
  const value = event.get(key);
  if (isNil(value)) return false;
  if (!isArray(value)) throw new ConditionEvaluationError(`${key} is not array`);
  if (value.length === 0) return false;
  const [child, op] = childValues(rest[0], value);
  if (child.length === 0) return false;
  return arrayMatch(op, child, rest.slice(1), match);
}

const FAILS = new WeakMap<Condition, boolean>();

/** Whether evaluating `cond` can throw: numeric and boolean reads, and array walks. */
export function mayFail(cond: Condition): boolean {
  let fails = FAILS.get(cond);
  if (fails !== undefined) return fails;
  switch (cond.kind) {
    case 'andOr':
      fails = mayFail(cond.left) || mayFail(cond.right);
      break;
    case 'not':
      fails = mayFail(cond.operand);
      break;
    case 'variable':
    case 'boolCompare':
      fails = true;
      break;
    case 'compare':
      fails = cond.value.type !== 'string' || cond.path.includes('[');
      break;
    case 'contains':
    case 'in':
    case 'match':
    case 'exists':
      fails = cond.path.includes('[');
      break;
  }
  FAILS.set(cond, fails);
  return fails;
}

const operatorOf = (kind: Kind): Operator => (kind === 'contains' ? 'contains' : 'other');

/**
 * The reference interpreter of a parsed condition over a flattened event, with the Go engine's semantics: values are
 * compared as `fmt.Sprint` prints them, an absent field makes every comparison (negated ones too)
 * false, both sides of `and`/`or` are evaluated, and paths with `[...]` walk `[]interface{}` arrays
 * (`[*]` any element, `[n]` and `[a:b]` every selected one). Throws {@link ConditionEvaluationError}
 * where the Go engine panics.
 */
export function interpretCondition(cond: Condition, event: FlatEvent): boolean {
  switch (cond.kind) {
    case 'andOr': {
      const left = interpretCondition(cond.left, event);
      // The Go engine evaluates both sides, which matters only when the right one can fail.
      if (!mayFail(cond.right) && left === (cond.op === 'or')) return left;
      const right = interpretCondition(cond.right, event);
      return cond.op === 'and' ? left && right : left || right;
    }
    case 'not':
      return !interpretCondition(cond.operand, event);
    case 'variable': {
      const value = event.get(cond.path);
      if (cond.path.includes('[')) {
        // The Go engine looks the bracketed path itself up for each element, which is never set.
        return arrayOperator(event, cond.path, 'other', () => false);
      }
      if (isNil(value)) return false;
      return parseBoolOrFail(value) === !cond.negated;
    }
    case 'exists':
      if (!cond.path.includes('[')) {
        let present = !isNil(event.get(cond.path));
        if (!present) {
          const prefix = `${cond.path}.`;
          for (const [k, v] of event) {
            if (k.startsWith(prefix) && !isNil(v)) {
              present = true;
              break;
            }
          }
        }
        return cond.negated ? !present : present;
      }
      return arrayOperator(event, cond.path, 'other', (v) => leaf(cond, v));
    case 'compare':
    case 'boolCompare':
    case 'contains':
    case 'in':
    case 'match':
      if (!cond.path.includes('[')) return leaf(cond, event.get(cond.path));
      // `contains` over arrays sees each element printed first, so a nil element reads "<nil>".
      return arrayOperator(event, cond.path, operatorOf(cond.kind), (v) =>
        leaf(cond, cond.kind === 'contains' ? goSprint(v) : v),
      );
  }
}
