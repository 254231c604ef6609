const SIMPLE: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
};

/** Go's strconv.Unquote for "..." and `...` literals; null where Go reports invalid syntax. */
export function unquoteGo(quoted: string): string | null {
  if (quoted.length < 2) return null;
  const q = quoted[0];
  if (q !== quoted[quoted.length - 1]) return null;
  const body = quoted.slice(1, -1);
  if (q === '`') return body.includes('`') ? null : body.replace(/\r/g, '');
  if (q !== '"') return null;
  let out = '';
  for (let i = 0; i < body.length;) {
    const c = body[i];
    if (c === '"' || c === '\n') return null;
    if (c !== '\\') {
      out += c;
      i++;
      continue;
    }
    const r = escape(body, i + 1, '"');
    if (r === null) return null;
    out += r.text;
    i = r.next;
  }
  return out;
}

/** The code point of a Go character constant such as 'a' or '\n'; null when malformed. */
export function unquoteChar(quoted: string): number | null {
  if (quoted.length < 3 || quoted[0] !== "'" || quoted[quoted.length - 1] !== "'") return null;
  const body = quoted.slice(1, -1);
  if (body[0] !== '\\') {
    const cp = body.codePointAt(0) as number;
    return String.fromCodePoint(cp).length === body.length ? cp : null;
  }
  const r = escape(body, 1, "'");
  if (r === null || r.next !== body.length) return null;
  return r.text.codePointAt(0) ?? null;
}

function escape(s: string, i: number, quote: string): { text: string; next: number } | null {
  const c = s[i];
  if (c === undefined) return null;
  if (SIMPLE[c] !== undefined) return { text: SIMPLE[c], next: i + 1 };
  if (c === quote) return { text: c, next: i + 1 };
  const hex = (n: number): { text: string; next: number } | null => {
    const digits = s.slice(i + 1, i + 1 + n);
    if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(digits)) return null;
    const v = parseInt(digits, 16);
    if (n === 2) return { text: String.fromCharCode(v), next: i + 1 + n };
    if (v > 0x10ffff || (v >= 0xd800 && v < 0xe000)) return null;
    return { text: String.fromCodePoint(v), next: i + 1 + n };
  };
  if (c === 'x') return hex(2);
  if (c === 'u') return hex(4);
  if (c === 'U') return hex(8);
  if (c >= '0' && c <= '7') {
    const digits = s.slice(i, i + 3);
    if (!/^[0-7]{3}$/.test(digits)) return null;
    const v = parseInt(digits, 8);
    return v > 255 ? null : { text: String.fromCharCode(v), next: i + 3 };
  }
  return null;
}
