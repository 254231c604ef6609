// html/template's JavaScript escapers as Go 1.19.8 has them: a value becomes a JSON-like literal
// (encoding/json with its HTML escapes, padded with spaces where it could run into a keyword);
// text inside a JS string or regexp literal gets `\uXXXX` escapes for quotes, HTML specials and
// control characters, and backslashes for regexp operators.
import { sprint } from './fmt';
import { GoMap, GoObject, GoSlice, GoStruct, type GoValue } from './values';

const HEX = '0123456789abcdef';

/** Go's encoding/json string with HTML escaping (`<` as `\u003c`), as `json.Marshal` writes it. */
function jsonString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (cp < 0x20 || ch === '<' || ch === '>' || ch === '&')
      out += `\\u00${HEX[cp >> 4]}${HEX[cp & 15]}`;
    else if (cp === 0x2028 || cp === 0x2029) out += `\\u${cp.toString(16)}`;
    // A lone surrogate is what Go sees as invalid UTF-8.
    else if (cp >= 0xd800 && cp <= 0xdfff) out += '\\ufffd';
    else out += ch;
  }
  return out + '"';
}

class JsonError extends Error {}

/** Go's `json.Marshal` of a template value. */
function toJson(v: GoValue): string {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'string':
      return jsonString(v);
    case 'boolean':
      return String(v);
    case 'bigint':
      return String(v);
    case 'number':
      if (!Number.isFinite(v))
        throw new JsonError(
          `json: unsupported value: ${Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf'}`,
        );
      // JavaScript's shortest form is Go's ('f' below 1e21, 'e' with a short exponent above).
      return Object.is(v, -0) ? '-0' : String(v);
    case 'object':
    case 'undefined':
    case 'function':
    case 'symbol':
      break;
  }
  if (v instanceof GoMap)
    return `{${v
      .sortedKeys()
      .map((k) => `${jsonString(k)}:${toJson(v.entries.get(k))}`)
      .join(',')}}`;
  if (v instanceof GoSlice) return `[${v.items.map(toJson).join(',')}]`;
  if (v instanceof GoStruct)
    return `{${v.fields.map(([k, x]) => `${jsonString(v.jsonName(k))}:${toJson(x)}`).join(',')}}`;
  if (v instanceof GoObject) return v.json?.() ?? jsonString(v.string());
  return 'null';
}

const isJsIdentPart = (ch: string | undefined): boolean =>
  ch !== undefined && /^[$0-9A-Z_a-z]$/.test(ch);

/** html/template's `jsValEscaper`: the arguments as a JavaScript expression without side effects. */
export function jsValEscaper(args: GoValue[]): string {
  let a: GoValue;
  if (args.length === 1) {
    a = args[0];
    // A fmt.Stringer that is not a json.Marshaler is marshalled as its string.
    if (a instanceof GoObject && a.json === undefined) a = a.string();
  } else a = sprint(args);
  let b: string;
  try {
    b = toJson(a);
  } catch (e) {
    if (!(e instanceof JsonError)) throw e;
    // The leading space keeps `x/{{.}}` from turning into a line comment.
    return ` /* ${e.message.replaceAll('*/', '* /')} */null `;
  }
  // Padding keeps identifiers and numbers from running into keywords: `x in{{.}}`.
  return isJsIdentPart(b[0]) || isJsIdentPart(b[b.length - 1]) ? ` ${b} ` : b;
}

type Table = Readonly<Record<string, string>>;

const LOW: Table = Object.fromEntries(
  Array.from({ length: 0x20 }, (_, i) => [
    String.fromCharCode(i),
    `\\u00${HEX[i >> 4]}${HEX[i & 15]}`,
  ]),
);
const CONTROL: Table = { ...LOW, '\t': '\\t', '\n': '\\n', '\f': '\\f', '\r': '\\r' };

const JS_STR: Table = {
  ...CONTROL,
  '"': '\\u0022',
  '`': '\\u0060',
  '&': '\\u0026',
  "'": '\\u0027',
  '+': '\\u002b',
  '/': '\\/',
  '<': '\\u003c',
  '>': '\\u003e',
  '\\': '\\\\',
};

const JS_REGEXP: Table = {
  ...CONTROL,
  '"': '\\u0022',
  $: '\\$',
  '&': '\\u0026',
  "'": '\\u0027',
  '(': '\\(',
  ')': '\\)',
  '*': '\\*',
  '+': '\\u002b',
  '-': '\\-',
  '.': '\\.',
  '/': '\\/',
  '<': '\\u003c',
  '>': '\\u003e',
  '?': '\\?',
  '[': '\\[',
  '\\': '\\\\',
  ']': '\\]',
  '^': '\\^',
  '{': '\\{',
  '|': '\\|',
  '}': '\\}',
};

function replace(s: string, table: Table): string {
  let out = '';
  for (const ch of s) {
    const r = table[ch];
    if (r !== undefined) out += r;
    else if (ch === '\u2028') out += '\\u2028';
    else if (ch === '\u2029') out += '\\u2029';
    else out += ch;
  }
  return out;
}

/** html/template's `jsStrEscaper`: text for inside a JavaScript string literal. */
export const jsStrEscaper = (s: string): string => replace(s, JS_STR);

/** html/template's `jsRegexpEscaper`: text matched literally inside a JavaScript regexp literal. */
export function jsRegexpEscaper(s: string): string {
  // An empty regexp `//` would be a line comment.
  return s === '' ? '(?:)' : replace(s, JS_REGEXP);
}
