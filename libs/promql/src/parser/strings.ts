/** Result of decoding a quoted PromQL string literal. */
export interface Unquoted {
  value: string;
  /** True when `\x`/octal escapes produced a byte sequence that is not valid UTF-8. */
  invalidUtf8: boolean;
}

const SIMPLE_ESCAPES: Record<string, number> = {
  a: 7,
  b: 8,
  f: 12,
  n: 10,
  r: 13,
  t: 9,
  v: 11,
  '\\': 92,
  "'": 39,
  '"': 34,
};

const strictDecoder = new TextDecoder('utf-8', { fatal: true });
const lenientDecoder = new TextDecoder('utf-8');

/**
 * Decodes a quoted literal (`"..."`, `'...'` or a backtick raw string) with Go escape semantics,
 * as Prometheus' `strutil.Unquote`. The lexer has already rejected malformed escapes, so this
 * throws only on input that did not come from the lexer.
 */
export function unquote(quoted: string): Unquoted {
  const quote = quoted[0];
  const body = quoted.slice(1, -1);
  if (quoted.length < 2 || quoted[quoted.length - 1] !== quote) throw new Error('invalid syntax');
  if (quote === '`') return { value: body, invalidUtf8: false };
  if (!body.includes('\\')) return { value: body, invalidUtf8: false };
  // Escapes can produce raw bytes, so the result is assembled as UTF-8 and decoded once.
  const bytes: number[] = [];
  const pushText = (text: string): void => {
    for (const b of Buffer.from(text, 'utf8')) bytes.push(b);
  };
  let i = 0;
  while (i < body.length) {
    const c = body[i];
    if (c !== '\\') {
      const cp = body.codePointAt(i) ?? 0;
      const ch = String.fromCodePoint(cp);
      pushText(ch);
      i += ch.length;
      continue;
    }
    const e = body[i + 1];
    if (e === undefined) throw new Error('invalid syntax');
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      bytes.push(simple);
      i += 2;
      continue;
    }
    if (e >= '0' && e <= '7') {
      bytes.push(parseInt(body.slice(i + 1, i + 4), 8) & 0xff);
      i += 4;
      continue;
    }
    const width = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    if (width === 0) throw new Error('invalid syntax');
    const v = parseInt(body.slice(i + 2, i + 2 + width), 16);
    if (e === 'x') bytes.push(v);
    else pushText(String.fromCodePoint(v));
    i += 2 + width;
  }
  const buf = Uint8Array.from(bytes);
  try {
    return { value: strictDecoder.decode(buf), invalidUtf8: false };
  } catch {
    return { value: lenientDecoder.decode(buf), invalidUtf8: true };
  }
}

const PRINTABLE = /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u;

/** Whether Go's `strconv.IsPrint` would accept the code point (letters, marks, numbers, punctuation, symbols, ASCII space). */
export function isGoPrintable(cp: number): boolean {
  if (cp === 0x20) return true;
  if (cp < 0x20 || cp === 0x7f) return false;
  return PRINTABLE.test(String.fromCodePoint(cp));
}

function hex(v: number, width: number): string {
  return v.toString(16).padStart(width, '0');
}

/** Quotes a string like Go's `strconv.Quote` (and so `%q`), which the PromQL printer relies on. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case '\\':
        out += '\\\\';
        continue;
      case '\x07':
        out += '\\a';
        continue;
      case '\b':
        out += '\\b';
        continue;
      case '\f':
        out += '\\f';
        continue;
      case '\n':
        out += '\\n';
        continue;
      case '\r':
        out += '\\r';
        continue;
      case '\t':
        out += '\\t';
        continue;
      case '\v':
        out += '\\v';
        continue;
    }
    if (isGoPrintable(cp)) out += ch;
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${hex(cp, 2)}`;
    else if (cp >= 0xd800 && cp <= 0xdfff) out += '\\ufffd';
    else if (cp < 0x10000) out += `\\u${hex(cp, 4)}`;
    else out += `\\U${hex(cp, 8)}`;
  }
  return `${out}"`;
}

/** Formats a rune like Go's `%#U` (`U+0063 'c'`), used in lexer error messages. */
export function formatRuneU(cp: number): string {
  const code = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  return isGoPrintable(cp) ? `${code} '${String.fromCodePoint(cp)}'` : code;
}

/** Formats a rune like Go's `%q` on a rune (`'x'`), used in lexer error messages. */
export function quoteRune(cp: number): string {
  switch (cp) {
    case 0x27:
      return "'\\''";
    case 0x5c:
      return "'\\\\'";
    case 0x0a:
      return "'\\n'";
    case 0x09:
      return "'\\t'";
    case 0x0d:
      return "'\\r'";
  }
  if (cp < 0) return "'\\ufffd'";
  if (isGoPrintable(cp)) return `'${String.fromCodePoint(cp)}'`;
  if (cp < 0x80) return `'\\x${hex(cp, 2)}'`;
  return cp < 0x10000 ? `'\\u${hex(cp, 4)}'` : `'\\U${hex(cp, 8)}'`;
}
