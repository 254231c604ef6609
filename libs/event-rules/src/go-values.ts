/**
 * A value of a flattened event, as the Go engines hold it in `map[string]interface{}`: strings,
 * float64 numbers, booleans, `nil` (null), `[]interface{}` (arrays), maps, and slices of a typed
 * Go struct field ({@link TypedSlice}), which print like arrays but are not `[]interface{}`.
 */
export type FlatValue =
  | string
  | number
  | boolean
  | null
  | readonly FlatValue[]
  | TypedSlice
  | { readonly [key: string]: FlatValue };

/** A slice field of a typed Go struct (`[]string`, `[]OwnerReference`): the array operators refuse it, as Go's type switch does. */
export class TypedSlice {
  constructor(readonly items: readonly FlatValue[]) {}
}

/** A flattened event: dotted keys to values. */
export type FlatEvent = ReadonlyMap<string, FlatValue>;

/** Go's `fmt.Sprint` of a float64 (`%v`: shortest digits, exponent form below 1e-4 and from 1e6). */
export function goFormatFloat(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (f === Infinity) return '+Inf';
  if (f === -Infinity) return '-Inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const [mantissa, expText] = Math.abs(f).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const exp = Number(expText);
  const sign = f < 0 ? '-' : '';
  // strconv's 'g' with the shortest precision decides on an exponent limit of 6.
  if (exp < -4 || exp >= 6) {
    const frac = digits.length > 1 ? `.${digits.slice(1)}` : '';
    const e = Math.abs(exp);
    return `${sign}${digits[0]}${frac}e${exp < 0 ? '-' : '+'}${e < 10 ? `0${e}` : e}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return `${sign}${digits}${'0'.repeat(exp + 1 - digits.length)}`;
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

/** Go's `fmt.Sprint` of a flattened value (`<nil>`, `[a b]`, `map[k:v]` with sorted keys). */
export function goSprint(value: FlatValue | undefined): string {
  if (value === null || value === undefined) return '<nil>';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return goFormatFloat(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof TypedSlice) return `[${value.items.map(goSprint).join(' ')}]`;
  if (Array.isArray(value)) return `[${(value as readonly FlatValue[]).map(goSprint).join(' ')}]`;
  const map = value as { readonly [key: string]: FlatValue };
  const keys = Object.keys(map).sort();
  return `map[${keys.map((k) => `${k}:${goSprint(map[k])}`).join(' ')}]`;
}

const GO_DECIMAL = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const GO_SPECIAL = /^[+-]?(?:inf|infinity|nan)$/i;

/** Go's `strconv.ParseFloat(s, 64)` for decimal forms, `Inf` and `NaN`, or null where Go returns an error. */
export function goParseFloat(s: string): number | null {
  if (GO_DECIMAL.test(s)) return Number(s);
  if (!GO_SPECIAL.test(s)) return null;
  const body = s.replace(/^[+-]/, '').toLowerCase();
  if (body === 'nan') return NaN;
  return s.startsWith('-') ? -Infinity : Infinity;
}

/** Go's `strconv.ParseBool`, or null where Go returns an error. */
export function goParseBool(s: string): boolean | null {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  return null;
}
