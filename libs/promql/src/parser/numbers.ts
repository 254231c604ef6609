const INT64_MAX = 2n ** 63n - 1n;

function parseGoInt(text: string): bigint | null {
  // Go's ParseInt with base 0: 0x hex, a leading 0 means octal, underscores only between digits.
  const s = text.replace(/_/g, '');
  let v: bigint;
  if (/^0[xX][0-9a-fA-F]+$/.test(s)) v = BigInt(s);
  else if (/^0[0-7]+$/.test(s)) v = BigInt(`0o${s.slice(1)}`);
  else if (/^[0-9]+$/.test(s) && !(s.length > 1 && s[0] === '0')) v = BigInt(s);
  else return null;
  return v > INT64_MAX ? null : v;
}

/**
 * Converts a NUMBER token's text to a float as Prometheus does (integer parse first, so `0x1f`
 * and octal `010` work, then float parse), throwing with Go's error text when neither works.
 */
export function parseNumber(text: string): number {
  const asInt = parseGoInt(text);
  if (asInt !== null) return Number(asInt);
  const lower = text.toLowerCase();
  if (lower === 'inf' || lower === '+inf') return Infinity;
  if (lower === '-inf') return -Infinity;
  if (lower === 'nan') return NaN;
  const cleaned = text.replace(/_/g, '');
  if (/^[0-9]*\.?[0-9]*([eE][+-]?[0-9]+)?$/.test(cleaned) && /[0-9]/.test(cleaned)) {
    const v = Number(cleaned.endsWith('.') ? cleaned.slice(0, -1) : cleaned);
    if (!Number.isFinite(v)) {
      throw new Error(`strconv.ParseFloat: parsing ${JSON.stringify(text)}: value out of range`);
    }
    return v;
  }
  throw new Error(`strconv.ParseFloat: parsing ${JSON.stringify(text)}: invalid syntax`);
}

function expandExponent(repr: string): string {
  const [mantissa, expPart] = repr.split('e');
  const exp = Number(expPart);
  const negative = mantissa.startsWith('-');
  const digitsWithDot = negative ? mantissa.slice(1) : mantissa;
  const dot = digitsWithDot.indexOf('.');
  const digits = digitsWithDot.replace('.', '');
  const intLen = (dot < 0 ? digitsWithDot.length : dot) + exp;
  let out: string;
  if (intLen <= 0) out = `0.${'0'.repeat(-intLen)}${digits}`;
  else if (intLen >= digits.length) out = digits + '0'.repeat(intLen - digits.length);
  else out = `${digits.slice(0, intLen)}.${digits.slice(intLen)}`;
  return negative ? `-${out}` : out;
}

/** Formats a float like Go's `strconv.FormatFloat(v, 'f', -1, 64)`: shortest digits, never an exponent. */
export function formatFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Object.is(v, -0)) return '-0';
  const repr = String(v);
  return repr.includes('e') ? expandExponent(repr) : repr;
}
