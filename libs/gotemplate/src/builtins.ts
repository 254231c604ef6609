import { sprint, sprintf, sprintln } from './fmt';
import { GoCallError, type GoFunc } from './funcs';
import {
  GoMap,
  GoSlice,
  GoStruct,
  type GoValue,
  compareGoStrings,
  goTypeName,
  isTrue,
  utf8Length,
} from './values';

type Kind = 'invalid' | 'bool' | 'int' | 'float' | 'string';

function basicKind(v: GoValue): Kind {
  switch (typeof v) {
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'int';
    case 'number':
      return 'float';
    case 'string':
      return 'string';
    case 'object':
    case 'undefined':
    case 'function':
    case 'symbol':
      return 'invalid';
  }
}

const BAD_TYPE = 'invalid type for comparison';
const INCOMPATIBLE = 'incompatible types for comparison';

function isNilValue(v: GoValue): boolean {
  return v === null || v === undefined;
}

function eq(arg1: GoValue, ...rest: GoValue[]): boolean {
  if (rest.length === 0) throw new GoCallError('missing argument for comparison');
  const k1 = basicKind(arg1);
  for (const arg of rest) {
    const k2 = basicKind(arg);
    let truth: boolean;
    if (k1 !== k2) {
      if (!isNilValue(arg1) && !isNilValue(arg)) throw new GoCallError(INCOMPATIBLE);
      truth = false;
    } else if (k1 !== 'invalid') {
      truth = arg1 === arg;
    } else if (isNilValue(arg1) || isNilValue(arg)) {
      truth = isNilValue(arg1) === isNilValue(arg);
    } else {
      if (arg instanceof GoMap || arg instanceof GoSlice) {
        throw new GoCallError(`non-comparable type ${sprint([arg])}: ${goTypeName(arg)}`);
      }
      truth = arg1 === arg;
    }
    if (truth) return true;
  }
  return false;
}

function lt(a: GoValue, b: GoValue): boolean {
  const k1 = basicKind(a);
  if (k1 === 'invalid') throw new GoCallError(BAD_TYPE);
  const k2 = basicKind(b);
  if (k2 === 'invalid') throw new GoCallError(BAD_TYPE);
  if (k1 !== k2) throw new GoCallError(INCOMPATIBLE);
  if (k1 === 'bool') throw new GoCallError(BAD_TYPE);
  if (k1 === 'string') return compareGoStrings(a as string, b as string) < 0;
  return (a as number) < (b as number);
}

function le(a: GoValue, b: GoValue): boolean {
  return lt(a, b) || eq(a, b);
}

/** The argument of html/js/urlquery: the single string, or fmt.Sprint of the printable arguments. */
function evalArgs(args: GoValue[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return sprint(
    args.map((a) =>
      a instanceof GoStruct && a.pointer ? new GoStruct(a.structType, a.fields) : a,
    ),
  );
}

/** Go's template.HTMLEscapeString. */
export function htmlEscape(s: string): string {
  return s.replace(
    /[<>&'"\0]/g,
    (c) =>
      ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&#39;', '"': '&#34;', '\0': '\ufffd' })[
        c
      ] as string,
  );
}

/** Go's template.JSEscapeString. */
export function jsEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    if (ch === '\\') out += '\\\\';
    else if (ch === "'") out += "\\'";
    else if (ch === '"') out += '\\"';
    else if (ch === '<') out += '\\u003C';
    else if (ch === '>') out += '\\u003E';
    else if (ch === '&') out += '\\u0026';
    else if (ch === '=') out += '\\u003D';
    else if (c < 0x20) out += `\\u00${c.toString(16).toUpperCase().padStart(2, '0')}`;
    else if (c >= 0x80 && !/[\p{L}\p{M}\p{N}\p{P}\p{S}\u0020]/u.test(ch))
      out += `\\u${c.toString(16).toUpperCase().padStart(4, '0')}`;
    else out += ch;
  }
  return out;
}

/** Go's url.QueryEscape. */
export function queryEscape(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function indexArg(index: GoValue, cap: number): number {
  if (typeof index !== 'bigint') {
    if (index === undefined || index === null)
      throw new GoCallError('cannot index slice/array with nil');
    throw new GoCallError(`cannot index slice/array with type ${goTypeName(index)}`);
  }
  if (index < 0n || index > BigInt(cap)) throw new GoCallError(`index out of range: ${index}`);
  return Number(index);
}

function index(item: GoValue, ...indexes: GoValue[]): GoValue {
  if (item === undefined) throw new GoCallError('index of untyped nil');
  for (const idx of indexes) {
    if (item === null) throw new GoCallError('index of nil pointer');
    if (item instanceof GoSlice || typeof item === 'string') {
      const size: number = typeof item === 'string' ? utf8Length(item) : item.items.length;
      const x = indexArg(idx, size);
      if (x === size) throw new GoCallError(`index out of range: ${x}`);
      item = typeof item === 'string' ? BigInt(Buffer.from(item, 'utf8')[x]) : item.items[x];
    } else if (item instanceof GoMap) {
      if (typeof idx !== 'string')
        throw new GoCallError(`value has type ${goTypeName(idx)}; should be string`);
      item = item.entries.has(idx) ? item.entries.get(idx) : item.zero();
    } else {
      throw new GoCallError(`can't index item of type ${goTypeName(item)}`);
    }
  }
  return item;
}

function length(item: GoValue): bigint {
  if (item === null) throw new GoCallError('len of nil pointer');
  if (typeof item === 'string') return BigInt(utf8Length(item));
  if (item instanceof GoMap) return BigInt(item.entries.size);
  if (item instanceof GoSlice) return BigInt(item.items.length);
  throw new GoCallError(`len of type ${goTypeName(item)}`);
}

function slice(item: GoValue, ...idx: GoValue[]): GoValue {
  if (item === undefined || item === null) throw new GoCallError('slice of untyped nil');
  if (idx.length > 3) throw new GoCallError(`too many slice indexes: ${idx.length}`);
  if (typeof item === 'string') {
    if (idx.length === 3) throw new GoCallError('cannot 3-index slice a string');
    const bytes = Buffer.from(item, 'utf8');
    const lo = idx.length > 0 ? indexArg(idx[0], bytes.length) : 0;
    const hi = idx.length > 1 ? indexArg(idx[1], bytes.length) : bytes.length;
    if (lo > hi) throw new GoCallError(`invalid slice index: ${lo} > ${hi}`);
    return bytes.subarray(lo, hi).toString('utf8');
  }
  if (item instanceof GoSlice) {
    const lo = idx.length > 0 ? indexArg(idx[0], item.items.length) : 0;
    const hi = idx.length > 1 ? indexArg(idx[1], item.items.length) : item.items.length;
    if (lo > hi) throw new GoCallError(`invalid slice index: ${lo} > ${hi}`);
    return new GoSlice(item.typeName, item.elemType, item.items.slice(lo, hi));
  }
  throw new GoCallError(`can't slice item of type ${goTypeName(item)}`);
}

const anyArgs = { params: [], variadic: 'interface {}' } as const;
const twoValues = { params: ['reflect.Value', 'reflect.Value'] } as const;

/** Go text/template's predefined functions. */
export const BUILTINS: ReadonlyMap<string, GoFunc> = new Map<string, GoFunc>([
  [
    'and',
    { params: ['reflect.Value'], variadic: 'reflect.Value', lazy: 'and', call: () => undefined },
  ],
  [
    'or',
    { params: ['reflect.Value'], variadic: 'reflect.Value', lazy: 'or', call: () => undefined },
  ],
  ['not', { params: ['reflect.Value'], call: ([v]) => !isTrue(v)[0] }],
  ['len', { params: ['reflect.Value'], call: ([v]) => length(v) }],
  [
    'index',
    {
      params: ['reflect.Value'],
      variadic: 'reflect.Value',
      call: ([item, ...rest]) => index(item, ...rest),
    },
  ],
  [
    'slice',
    {
      params: ['reflect.Value'],
      variadic: 'reflect.Value',
      call: ([item, ...rest]) => slice(item, ...rest),
    },
  ],
  [
    'call',
    {
      params: ['reflect.Value'],
      variadic: 'reflect.Value',
      call: ([fn]) => {
        throw new GoCallError(`non-function ${sprint([fn])} of type ${goTypeName(fn)}`);
      },
    },
  ],
  [
    'eq',
    {
      params: ['reflect.Value'],
      variadic: 'reflect.Value',
      call: ([a, ...rest]) => eq(a, ...rest),
    },
  ],
  ['ne', { ...twoValues, call: ([a, b]) => !eq(a, b) }],
  ['lt', { ...twoValues, call: ([a, b]) => lt(a, b) }],
  ['le', { ...twoValues, call: ([a, b]) => le(a, b) }],
  ['gt', { ...twoValues, call: ([a, b]) => !le(a, b) }],
  ['ge', { ...twoValues, call: ([a, b]) => !lt(a, b) }],
  ['print', { ...anyArgs, call: (args) => sprint(args) }],
  ['println', { ...anyArgs, call: (args) => sprintln(args) }],
  [
    'printf',
    {
      params: ['string'],
      variadic: 'interface {}',
      call: ([f, ...args]) => sprintf(f as string, args),
    },
  ],
  ['html', { ...anyArgs, call: (args) => htmlEscape(evalArgs(args)) }],
  ['js', { ...anyArgs, call: (args) => jsEscape(evalArgs(args)) }],
  ['urlquery', { ...anyArgs, call: (args) => queryEscape(evalArgs(args)) }],
]);
