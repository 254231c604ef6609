// html/template's CSS escapers as Go 1.19.8 has them: a value outside strings passes only if it
// cannot change token boundaries or run script (else `ZgotmplZ`); text inside a CSS string gets
// `\<hex>` escapes for quotes, HTML specials and CSS delimiters.
import { decodeCss, isCssNmchar } from './html-context';

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

const isHex = (ch: string | undefined): boolean => ch !== undefined && /^[0-9a-fA-F]$/.test(ch);
const isCssSpace = (ch: string | undefined): boolean =>
  ch === '\t' || ch === '\n' || ch === '\f' || ch === '\r' || ch === ' ';

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
