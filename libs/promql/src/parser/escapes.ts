import { formatRuneU } from './strings';

const EOF = -1;
const SIMPLE_ESCAPE = new Set(['a', 'b', 'f', 'n', 'r', 't', 'v', '\\']);

function digitVal(ch: number): number {
  if (ch >= 48 && ch <= 57) return ch - 48;
  if (ch >= 97 && ch <= 102) return ch - 97 + 10;
  if (ch >= 65 && ch <= 70) return ch - 65 + 10;
  return 16;
}

/** Where an escape sequence ends and, if it is malformed, Prometheus' lexer message for it. */
export interface EscapeScan {
  end: number;
  error: string | null;
}

/**
 * Validates the escape sequence right after a backslash at `pos` with Go's rules (`\n`, octal,
 * `\x`, `\u`, `\U`, the string's own quote), so bad escapes fail in the lexer as in Prometheus.
 */
export function scanEscape(input: string, pos: number, quote: number): EscapeScan {
  let p = pos;
  const next = (): number => (p < input.length ? input.charCodeAt(p++) : EOF);
  let ch = p < input.length ? (input.codePointAt(p) ?? EOF) : EOF;
  if (ch !== EOF) p += ch > 0xffff ? 2 : 1;
  if (ch === quote || (ch >= 0 && ch < 0x80 && SIMPLE_ESCAPE.has(String.fromCharCode(ch))))
    return { end: p, error: null };
  let n: number;
  let base: number;
  let max: number;
  if (ch >= 48 && ch <= 55) {
    n = 3;
    base = 8;
    max = 255;
  } else if (ch === 120 || ch === 117 || ch === 85) {
    n = ch === 120 ? 2 : ch === 117 ? 4 : 8;
    base = 16;
    max = ch === 120 ? 255 : 0x10ffff;
    ch = next();
  } else if (ch === EOF) {
    return { end: p, error: 'escape sequence not terminated' };
  } else {
    return { end: p, error: `unknown escape sequence ${formatRuneU(ch)}` };
  }
  let x = 0;
  while (n > 0) {
    const d = digitVal(ch);
    if (d >= base) {
      return {
        end: p,
        error:
          ch === EOF
            ? 'escape sequence not terminated'
            : `illegal character ${formatRuneU(ch)} in escape sequence`,
      };
    }
    x = x * base + d;
    n--;
    if (n > 0) ch = next();
  }
  if (x > max || (x >= 0xd800 && x < 0xe000))
    return { end: p, error: 'escape sequence is an invalid Unicode code point' };
  return { end: p, error: null };
}
