// html/template's CSS escapers as Go 1.19.8 has them: a value outside strings passes only if it
// cannot change token boundaries or run script (else `ZgotmplZ`); text inside a CSS string gets
// `\<hex>` escapes for quotes, HTML specials and CSS delimiters. The CSS lexing facts html-context.ts
// tracks CSS with (identifier characters, escape decoding) live here too.

/** What html/template writes instead of a value it refuses. */
const FAILSAFE = 'ZgotmplZ';

const CSS: Readonly<Record<string, string>> = {
  '\0': '\\0',
  '\t': '\\9',
  '\n': '\\a',
  '\f': '\\c',
  '\r': '\\d',
  '"': '\\22',
  '&': '\\26',
  "'": '\\27',
  '(': '\\28',
  ')': '\\29',
  '+': '\\2b',
  '/': '\\2f',
  ':': '\\3a',
  ';': '\\3b',
  '<': '\\3c',
  '>': '\\3e',
  '\\': '\\\\',
  '{': '\\7b',
  '}': '\\7d',
};

const isCssSpace = (ch: string | undefined): boolean =>
  ch === '\t' || ch === '\n' || ch === '\f' || ch === '\r' || ch === ' ';

/** Whether a code point may appear in a CSS identifier. */
export function isCssNmchar(r: number): boolean {
  return (
    (r >= 0x61 && r <= 0x7a) ||
    (r >= 0x41 && r <= 0x5a) ||
    (r >= 0x30 && r <= 0x39) ||
    r === 0x2d ||
    r === 0x5f ||
    (r >= 0x80 && r <= 0xd7ff) ||
    (r >= 0xe000 && r <= 0xfffd) ||
    (r >= 0x10000 && r <= 0x10ffff)
  );
}

const isHex = (ch: string | undefined): boolean => ch !== undefined && /^[0-9a-fA-F]$/.test(ch);

/** CSS3 escapes (`\26`, `\"`) decoded, as html/template's `decodeCSS`. */
export function decodeCss(s: string): string {
  if (!s.includes('\\')) return s;
  let out = '';
  let i = 0;
  while (i < s.length) {
    const j = s.indexOf('\\', i);
    if (j < 0) return out + s.slice(i);
    out += s.slice(i, j);
    i = j;
    if (s.length - i < 2) break;
    if (isHex(s[i + 1])) {
      let e = i + 2;
      while (e < s.length && e < i + 7 && isHex(s[e])) e++;
      let r = parseInt(s.slice(i + 1, e), 16);
      if (r > 0x10ffff) {
        r = Math.floor(r / 16);
        e--;
      }
      // Go encodes a surrogate code point as U+FFFD.
      out += String.fromCodePoint(r >= 0xd800 && r <= 0xdfff ? 0xfffd : r);
      // One space (or CRLF) after a hex escape belongs to it.
      if (s[e] === '\r' && s[e + 1] === '\n') e += 2;
      else if (isCssSpace(s[e])) e++;
      i = e;
    } else {
      const ch = String.fromCodePoint(s.codePointAt(i + 1) as number);
      out += ch;
      i += 1 + ch.length;
    }
  }
  return out;
}

/** html/template's `cssEscaper`: text for inside a CSS string. */
export function cssEscaper(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const repl = CSS[s[i]];
    if (repl === undefined) {
      out += s[i];
      continue;
    }
    out += repl;
    // A space ends a hex escape that a hex digit or a space would otherwise extend or eat.
    const next = s[i + 1];
    if (repl !== '\\\\' && (next === undefined || isHex(next) || isCssSpace(next))) out += ' ';
  }
  return out;
}

/** html/template's `cssValueFilter`: an innocuous CSS value (`10px`, `#888`, `bold`) or `ZgotmplZ`. */
export function cssValueFilter(s: string): string {
  const b = decodeCss(s);
  let id = '';
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    // Brackets, quotes and the like could end the declaration or a string around it.
    if ('\0"\'()/;@[\\]`{}'.includes(c)) return FAILSAFE;
    // `--` starts `-->` and never appears in an identifier.
    if (c === '-' && i !== 0 && b[i - 1] === '-') return FAILSAFE;
    const cp = c.charCodeAt(0);
    if (cp < 0x80 && isCssNmchar(cp)) id += c;
  }
  id = id.toLowerCase();
  if (id.includes('expression') || id.includes('mozbinding')) return FAILSAFE;
  return b;
}
