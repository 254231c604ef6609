import { type NumberConst } from './nodes';
import { unquoteChar } from './unquote';

/** Parses a number or character constant as parse.newNumber does; a string is the error. */
export function parseNumber(text: string, isChar: boolean): NumberConst | string {
  if (isChar) {
    const r = unquoteChar(text);
    if (r === null) return `malformed character constant: ${text}`;
    return {
      isInt: true,
      isUint: true,
      isFloat: true,
      int: BigInt(r),
      float: r,
      isChar: true,
      text,
    };
  }
  const n: NumberConst = {
    isInt: false,
    isUint: false,
    isFloat: false,
    int: 0n,
    float: 0,
    isChar: false,
    text,
  };
  if (text.endsWith('i')) return `illegal number syntax: ${JSON.stringify(text)}`;
  const i = goParseInt(text);
  if (i !== null) {
    n.isInt = i >= -(2n ** 63n) && i < 2n ** 63n;
    n.isUint = i >= 0n && i < 2n ** 64n;
    if (n.isInt || n.isUint) {
      n.int = i;
      n.isFloat = true;
      n.float = Number(i);
      return n;
    }
  }
  const f = goParseFloat(text);
  if (f !== null) {
    if (!/[.eEpP]/.test(text)) return `integer overflow: ${JSON.stringify(text)}`;
    n.isFloat = true;
    n.float = f;
    if (Number.isInteger(f) && Math.abs(f) < 2 ** 63) {
      n.isInt = true;
      n.int = BigInt(f);
      n.isUint = f >= 0;
    }
    return n;
  }
  return `illegal number syntax: ${JSON.stringify(text)}`;
}

/** strconv.ParseInt(text, 0, ...) without the range check: base prefixes, leading-0 octal, underscores. */
function goParseInt(text: string): bigint | null {
  const m = /^([+-]?)(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|0[0-7_]*|[1-9][0-9_]*)$/.exec(
    text,
  );
  if (!m) return null;
  let body = m[2];
  if (body.includes('_')) {
    if (
      !/^(0[xXoObB])?(_?[0-9a-fA-F])+$/.test(
        body.length > 1 && /^0[xXoObB]/.test(body) ? body : `x${body}`.slice(1),
      )
    )
      return null;
    body = body.replace(/_/g, '');
  }
  if (/^0[0-7]+$/.test(body)) body = `0o${body.slice(1)}`;
  const v = BigInt(body);
  return m[1] === '-' ? -v : v;
}

function goParseFloat(text: string): number | null {
  const t = text.replace(/_/g, '');
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return null;
  return Number(t);
}
