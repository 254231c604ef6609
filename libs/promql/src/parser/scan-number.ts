const DEC = '0123456789';
const HEX = '0123456789abcdefABCDEF';

function isAlnum(c: number): boolean {
  return c === 95 || (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57);
}

/** Outcome of scanning a number: whether it is well formed, and where scanning stopped. */
export interface ScanResult {
  ok: boolean;
  end: number;
}

/**
 * Scans a numeric literal starting at `from` with Prometheus' rules: optional hex prefix,
 * one dot, one exponent, `_` only between digits, and no letter directly after the number
 * (except `x` in series descriptions, where it means repetition). The stop position matters
 * because the lexer retries the same text as a duration and quotes it in error messages.
 */
export function scanNumber(input: string, from: number, seriesDesc: boolean): ScanResult {
  let pos = from;
  const peek = (): string => (pos < input.length ? input[pos] : '');
  const accept = (valid: string): boolean => {
    const c = peek();
    if (c !== '' && valid.includes(c)) {
      pos++;
      return true;
    }
    return false;
  };
  const is = (valid: string): boolean => {
    const c = peek();
    return c !== '' && valid.includes(c);
  };
  let digits = DEC;
  if (!seriesDesc && accept('0')) {
    if (accept('xX')) {
      accept('_');
      digits = HEX;
    }
  }
  accept('.');
  accept(digits);
  let dotConsumed = false;
  let exponentConsumed = false;
  while (is(`${digits}._eE`)) {
    if (is('.') && dotConsumed) {
      accept('.');
      return { ok: false, end: pos };
    }
    if (is('eE') && exponentConsumed) {
      accept('eE');
      return { ok: false, end: pos };
    }
    if (accept('.')) {
      dotConsumed = true;
      if (accept('_.')) return { ok: false, end: pos };
      if (digits === HEX) return { ok: false, end: pos };
      continue;
    }
    if (accept('eE')) {
      exponentConsumed = true;
      accept('+-');
      if (accept('._eE') || peek() === '') return { ok: false, end: pos };
      continue;
    }
    if (accept('_')) {
      if (accept('._eE') || peek() === '') return { ok: false, end: pos };
      continue;
    }
    while (accept(digits));
  }
  if (pos === from) return { ok: false, end: pos };
  const next = pos < input.length ? input.charCodeAt(pos) : -1;
  return { ok: (seriesDesc && next === 120) || !isAlnum(next), end: pos };
}
