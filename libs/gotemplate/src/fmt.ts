import { formatGoFloat } from './go-float';
import { canBackquote, goQuote } from './go-quote';
import { GoMap, GoObject, GoSlice, GoStruct, type GoValue, goTypeName } from './values';

interface Flags {
  plus: boolean;
  minus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width: number | null;
  prec: number | null;
}

const NO_FLAGS: Flags = {
  plus: false,
  minus: false,
  sharp: false,
  space: false,
  zero: false,
  width: null,
  prec: null,
};

/** Go's fmt.Sprint: operands in %v, a space between two operands when neither is a string. */
export function sprint(args: readonly GoValue[]): string {
  let out = '';
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += formatValue(a, 'v', NO_FLAGS, 0);
  });
  return out;
}

/** Go's fmt.Sprintln: operands in %v separated by spaces, then a newline. */
export function sprintln(args: readonly GoValue[]): string {
  return `${args.map((a) => formatValue(a, 'v', NO_FLAGS, 0)).join(' ')}\n`;
}

/** Go's fmt.Sprintf, with its verbs, flags, widths, precisions, argument indexes and `%!` error texts. */
export function sprintf(format: string, args: readonly GoValue[]): string {
  let out = '';
  let argNum = 0;
  let reordered = false;
  let i = 0;
  const n = format.length;
  while (i < n) {
    const pct = format.indexOf('%', i);
    if (pct < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    i = pct + 1;
    const f: Flags = { ...NO_FLAGS };
    for (; i < n; i++) {
      const c = format[i];
      if (c === '#') f.sharp = true;
      else if (c === '0') f.zero = !f.minus;
      else if (c === '+') f.plus = true;
      else if (c === '-') {
        f.minus = true;
        f.zero = false;
      } else if (c === ' ') f.space = true;
      else break;
    }
    let goodArgNum = true;
    const argIndex = (): void => {
      if (format[i] !== '[') return;
      reordered = true;
      const close = format.indexOf(']', i);
      const idx = close > 0 ? Number(format.slice(i + 1, close)) : NaN;
      if (close < 0 || !Number.isInteger(idx) || idx < 1 || format.slice(i + 1, close) === '') {
        goodArgNum = false;
        i = close < 0 ? n : close + 1;
        return;
      }
      argNum = idx - 1;
      i = close + 1;
    };
    argIndex();
    const readNumber = (): number | null => {
      const m = /^\d+/.exec(format.slice(i));
      if (!m) return null;
      i += m[0].length;
      return Number(m[0]);
    };
    if (format[i] === '*') {
      i++;
      const w = args[argNum++];
      if (typeof w === 'bigint') {
        f.width = Number(w);
        if (f.width < 0) {
          f.minus = true;
          f.zero = false;
          f.width = -f.width;
        }
      } else out += '%!(BADWIDTH)';
      argIndex();
    } else {
      f.width = readNumber();
    }
    if (format[i] === '.') {
      i++;
      argIndex();
      if (format[i] === '*') {
        i++;
        const p = args[argNum++];
        if (typeof p === 'bigint' && p >= 0n) f.prec = Number(p);
        else {
          f.prec = null;
          out += '%!(BADPREC)';
        }
        argIndex();
      } else {
        f.prec = readNumber() ?? 0;
      }
    }
    if (!reordered) argIndex();
    if (i >= n) {
      out += '%!(NOVERB)';
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i) as number);
    i += verb.length;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (!goodArgNum) {
      out += `%!${verb}(BADINDEX)`;
      continue;
    }
    if (argNum >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    out += formatValue(args[argNum++], verb, f, 0);
  }
  if (!reordered && argNum < args.length) {
    out += `%!(EXTRA ${args
      .slice(argNum)
      .map((a) =>
        a === null || a === undefined
          ? '<nil>'
          : `${goTypeName(a)}=${formatValue(a, 'v', NO_FLAGS, 0)}`,
      )
      .join(', ')})`;
  }
  return out;
}

function badVerb(v: GoValue, verb: string): string {
  if (v === null || v === undefined) return `%!${verb}(<nil>)`;
  return `%!${verb}(${goTypeName(v)}=${formatValue(v, 'v', NO_FLAGS, 0)})`;
}

function pad(s: string, f: Flags, numeric: boolean): string {
  if (f.width === null) return s;
  const len = [...s].length;
  if (len >= f.width) return s;
  const fill = f.width - len;
  if (f.minus) return s + ' '.repeat(fill);
  if (f.zero && numeric) {
    const sign = /^[+\- ]/.test(s) ? s[0] : '';
    return sign + '0'.repeat(fill) + s.slice(sign.length);
  }
  return ' '.repeat(fill) + s;
}

/** Formats one operand for a verb, as fmt's printArg does. */
export function formatValue(v: GoValue, verb: string, f: Flags, depth: number): string {
  if (v === undefined || v === null) {
    return verb === 'v' || verb === 's' ? pad('<nil>', f, false) : badVerb(v, verb);
  }
  if (v instanceof GoObject && 'vsxXq'.includes(verb)) return formatString(v.string(), verb, f);
  switch (typeof v) {
    case 'boolean':
      return verb === 't' || verb === 'v' ? pad(v ? 'true' : 'false', f, false) : badVerb(v, verb);
    case 'bigint':
      return formatInt(v, verb, f);
    case 'number':
      return formatFloat(v, verb, f);
    case 'string':
      return formatString(v, verb, f);
    case 'object':
    case 'undefined':
    case 'function':
    case 'symbol':
      break;
  }
  if (v instanceof GoMap) {
    const inner = v
      .sortedKeys()
      .map(
        (k) =>
          `${formatValue(k, verb, f, depth + 1)}:${formatValue(v.entries.get(k), verb, f, depth + 1)}`,
      );
    return `map[${inner.join(' ')}]`;
  }
  if (v instanceof GoSlice)
    return `[${v.items.map((x) => formatValue(x, verb, f, depth + 1)).join(' ')}]`;
  if (v instanceof GoStruct) {
    const inner = v.fields
      .map(([name, x]) => (f.plus ? `${name}:` : '') + formatValue(x, verb, f, depth + 1))
      .join(' ');
    return `${v.pointer && depth === 0 ? '&' : ''}{${inner}}`;
  }
  return badVerb(v, verb);
}

function formatString(s: string, verb: string, f: Flags): string {
  if (f.prec !== null && (verb === 's' || verb === 'v' || verb === 'q'))
    s = [...s].slice(0, f.prec).join('');
  switch (verb) {
    case 'v':
    case 's':
      return pad(s, f, false);
    case 'q':
      return pad(f.sharp && canBackquote(s) ? `\`${s}\`` : goQuote(s), f, false);
    case 'x':
    case 'X': {
      const hex = Buffer.from(s, 'utf8').toString('hex');
      const h = verb === 'X' ? hex.toUpperCase() : hex;
      if (f.space)
        return pad(
          h
            .match(/../g)
            ?.map((b) => (f.sharp ? `0${verb === 'X' ? 'X' : 'x'}${b}` : b))
            .join(' ') ?? '',
          f,
          false,
        );
      return pad((f.sharp && h.length > 0 ? (verb === 'X' ? '0X' : '0x') : '') + h, f, false);
    }
    default:
      return badVerb(s, verb);
  }
}

function formatInt(v: bigint, verb: string, f: Flags): string {
  const neg = v < 0n;
  const abs = neg ? -v : v;
  let digits: string;
  let prefix = '';
  switch (verb) {
    case 'd':
    case 'v':
      digits = abs.toString(10);
      break;
    case 'b':
      digits = abs.toString(2);
      if (f.sharp) prefix = '0b';
      break;
    case 'o':
      digits = abs.toString(8);
      if (f.sharp) prefix = '0';
      break;
    case 'O':
      digits = abs.toString(8);
      prefix = '0o';
      break;
    case 'x':
      digits = abs.toString(16);
      if (f.sharp) prefix = '0x';
      break;
    case 'X':
      digits = abs.toString(16).toUpperCase();
      if (f.sharp) prefix = '0X';
      break;
    case 'c':
      return pad(safeCodePoint(v), f, false);
    case 'q':
      return pad(`'${safeCodePoint(v)}'`, f, false);
    case 'U': {
      const u = `U+${abs.toString(16).toUpperCase().padStart(4, '0')}`;
      return pad(f.sharp ? `${u} '${safeCodePoint(v)}'` : u, f, false);
    }
    default:
      return badVerb(v, verb);
  }
  if (f.prec !== null) {
    if (f.prec === 0 && v === 0n) digits = '';
    digits = digits.padStart(f.prec, '0');
  }
  const sign = neg ? '-' : f.plus ? '+' : f.space ? ' ' : '';
  const body = prefix + digits;
  if (f.zero && f.prec === null && f.width !== null && !f.minus) {
    return sign + body.padStart(f.width - sign.length, '0');
  }
  return pad(sign + body, f, false);
}

function safeCodePoint(v: bigint): string {
  const n = Number(v);
  return n >= 0 && n <= 0x10ffff && !(n >= 0xd800 && n < 0xe000)
    ? String.fromCodePoint(n)
    : '\ufffd';
}

function formatFloat(v: number, verb: string, f: Flags): string {
  let s: string;
  switch (verb) {
    case 'v':
    case 'g':
    case 'G':
      s = formatGoFloat(v, verb === 'G' ? 'G' : 'g', f.prec ?? -1);
      break;
    case 'e':
    case 'E':
      s = formatGoFloat(v, verb, f.prec ?? 6);
      break;
    case 'f':
    case 'F':
      s = formatGoFloat(v, 'f', f.prec ?? 6);
      break;
    default:
      return badVerb(v, verb);
  }
  if (f.plus && !s.startsWith('-') && !s.startsWith('+')) s = `+${s}`;
  else if (f.space && !s.startsWith('-') && !s.startsWith('+')) s = ` ${s}`;
  else if (!f.plus && s === '+Inf' && !f.space) s = '+Inf';
  if (!Number.isFinite(v)) return pad(s, { ...f, zero: false }, false);
  return pad(s, f, true);
}
