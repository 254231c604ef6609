/**
 * Go values as templates see them. JavaScript types stand for Go's: `number` is float64, `bigint`
 * is int, `string`, `boolean`; `null` is a nil interface and `undefined` an invalid reflect.Value
 * (what Go prints as `<no value>`). Composite values carry their Go type name.
 */
export type GoValue =
  number | bigint | string | boolean | null | undefined | GoMap | GoSlice | GoStruct | GoObject;

/** A Go map with string keys. */
export class GoMap {
  constructor(
    /** Go's name of the element type: `string` or `interface {}`. */
    readonly elemType: string,
    readonly entries: Map<string, GoValue>,
    /** Methods of a named map type, callable from templates like a GoObject's. */
    readonly methods?: ReadonlyMap<string, (...args: GoValue[]) => GoValue>,
  ) {}

  /** A map[string]string from a record. */
  static ofStrings(record: Readonly<Record<string, string>>): GoMap {
    return new GoMap('string', new Map(Object.entries(record)));
  }

  get typeName(): string {
    return `map[string]${this.elemType}`;
  }

  /** The zero value of the element type, which a missing key yields. */
  zero(): GoValue {
    return zeroOf(this.elemType);
  }

  /** Keys in Go's printing and ranging order (sorted). */
  sortedKeys(): string[] {
    return [...this.entries.keys()].sort(compareGoStrings);
  }
}

/** A Go slice. */
export class GoSlice {
  constructor(
    readonly typeName: string,
    readonly elemType: string,
    readonly items: GoValue[],
    /** Methods of a named slice type, callable from templates like a GoObject's. */
    readonly methods?: ReadonlyMap<string, (...args: GoValue[]) => GoValue>,
  ) {}
}

/** A Go struct value, or a pointer to one when `pointer` is set (nil pointers are `null`). */
export class GoStruct {
  constructor(
    /** The struct type's name without the pointer star. */
    readonly structType: string,
    readonly fields: ReadonlyArray<readonly [name: string, value: GoValue]>,
    readonly pointer = false,
    /** The fields' `json:"..."` tag names where they have one. */
    readonly jsonNames: Readonly<Record<string, string>> = {},
  ) {}

  get typeName(): string {
    return this.pointer ? `*${this.structType}` : this.structType;
  }

  /** The key encoding/json writes for a field: its tag name, else the field name. */
  jsonName(field: string): string {
    return this.jsonNames[field] ?? field;
  }

  field(name: string): { value: GoValue } | null {
    const f = this.fields.find(([n]) => n === name);
    return f ? { value: f[1] } : null;
  }
}

/** A Go value with methods (time.Time and the like); `string()` is its fmt.Stringer. */
export abstract class GoObject {
  abstract readonly typeName: string;
  /** The methods templates may call, by Go name. */
  abstract method(name: string): ((...args: GoValue[]) => GoValue) | null;
  abstract string(): string;
  /** Its `MarshalJSON`, for a json.Marshaler. */
  json?(): string;
}

/** Go's type name of a value, as `%T` and error messages print it. */
export function goTypeName(v: GoValue): string {
  if (v === null || v === undefined) return '<nil>';
  switch (typeof v) {
    case 'number':
      return 'float64';
    case 'bigint':
      return 'int';
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'object':
    case 'undefined':
    case 'function':
    case 'symbol':
      return v.typeName;
  }
}

/** The zero value of a Go type named as above. */
export function zeroOf(typeName: string): GoValue {
  switch (typeName) {
    case 'string':
      return '';
    case 'float64':
      return 0;
    case 'int':
      return 0n;
    case 'bool':
      return false;
    case 'interface {}':
      // A nil interface taken out of a pipeline is no value at all.
      return undefined;
    default:
      return null;
  }
}

/** Go's `isTrue`: [truth, ok]; ok is false for values `if` cannot judge. */
export function isTrue(v: GoValue): [boolean, boolean] {
  if (v === undefined) return [false, false];
  if (v === null) return [false, true];
  switch (typeof v) {
    case 'boolean':
      return [v, true];
    case 'number':
      return [v !== 0, true];
    case 'bigint':
      return [v !== 0n, true];
    case 'string':
      return [v.length > 0, true];
    case 'object':
    case 'undefined':
    case 'function':
    case 'symbol':
      if (v instanceof GoMap) return [v.entries.size > 0, true];
      if (v instanceof GoSlice) return [v.items.length > 0, true];
      return [true, true];
  }
}

/** Orders strings by their UTF-8 bytes, as Go compares strings. */
export function compareGoStrings(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = (x[i].codePointAt(0) as number) - (y[i].codePointAt(0) as number);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** Length in bytes of the UTF-8 encoding, which Go's `len` returns for strings. */
export function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}
