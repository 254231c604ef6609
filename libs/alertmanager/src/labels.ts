/** A label set as Alertmanager's `model.LabelSet`: names to values, order irrelevant. */
export type LabelSet = Readonly<Record<string, string>>;

const encoder = new TextEncoder();

/** Go's byte-wise string order (UTF-8 code units), which sorted label names follow. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Below the surrogates, UTF-16 order is UTF-8 byte order; above, only the bytes tell.
    if (x < 0xd800 && y < 0xd800) return x - y;
    return Buffer.compare(Buffer.from(a.slice(i)), Buffer.from(b.slice(i)));
  }
  return a.length - b.length;
}

/** Longest list sorted by insertion; longer ones go to `Array.prototype.sort`. */
const INSERTION_SORT_MAX = 32;

/**
 * Sorts strings in place in Go's order. Label sets are small and nearly always sorted already
 * (Prometheus sends them so): an insertion sort is one pass over them, where
 * `Array.prototype.sort` with a comparator allocates work arrays on every call (in the
 * notification benchmark, the most allocated memory of the whole process: one sort per alert
 * posted, for its fingerprint).
 */
export function sortGoStrings(names: string[]): string[] {
  if (names.length > INSERTION_SORT_MAX) return names.sort(compareStrings);
  for (let i = 1; i < names.length; i++) {
    const x = names[i];
    let j = i - 1;
    for (; j >= 0 && compareStrings(names[j], x) > 0; j--) names[j + 1] = names[j];
    names[j + 1] = x;
  }
  return names;
}

/** Names of a label set in Go's sort order. */
export function sortedNames(ls: LabelSet): string[] {
  return sortGoStrings(Object.keys(ls));
}

/** Hex digits' char codes, for printing a fingerprint as one flat string. */
const HEX = [...'0123456789abcdef'].map((c) => c.charCodeAt(0));

/** The hash's four 16-bit limbs, low first: one hash at a time, as JavaScript runs. */
let h0 = 0;
let h1 = 0;
let h2 = 0;
let h3 = 0;

/** FNV-1a 64's step for one byte; the prime 2^40 + 0x1b3 multiplies as `h * 0x1b3 + (h << 40)`. */
function hashByte(b: number): void {
  const x = h0 ^ b;
  const t0 = x * 0x1b3;
  let t1 = h1 * 0x1b3;
  let t2 = h2 * 0x1b3 + (x << 8);
  const t3 = h3 * 0x1b3 + (h1 << 8);
  t1 += t0 >>> 16;
  t2 += t1 >>> 16;
  h0 = t0 & 0xffff;
  h1 = t1 & 0xffff;
  h2 = t2 & 0xffff;
  h3 = (t3 + (t2 >>> 16)) & 0xffff;
}

function hashString(s: string): void {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) {
      for (const b of encoder.encode(s.slice(i))) hashByte(b);
      return;
    }
    hashByte(c);
  }
}

/**
 * Alertmanager's fingerprint of a label set (`model.LabelSet.Fingerprint`): FNV-1a 64 over sorted
 * `name 0xff value 0xff`, printed as 16 hex digits. Webhook bodies carry it, so it must be Go's.
 * It runs for every alert posted, so the hash lives in 16-bit limbs (exact in doubles, no BigInt,
 * no object per call), and the digits are made as one flat string, which the maps keyed by
 * fingerprint hash without flattening a concatenation first.
 */
export function fingerprint(ls: LabelSet): string {
  h0 = 0x2325;
  h1 = 0x8422;
  h2 = 0x9ce4;
  h3 = 0xcbf2;
  for (const name of sortedNames(ls)) {
    hashString(name);
    hashByte(0xff);
    hashString(ls[name]);
    hashByte(0xff);
  }
  return String.fromCharCode(
    HEX[h3 >>> 12],
    HEX[(h3 >>> 8) & 15],
    HEX[(h3 >>> 4) & 15],
    HEX[h3 & 15],
    HEX[h2 >>> 12],
    HEX[(h2 >>> 8) & 15],
    HEX[(h2 >>> 4) & 15],
    HEX[h2 & 15],
    HEX[h1 >>> 12],
    HEX[(h1 >>> 8) & 15],
    HEX[(h1 >>> 4) & 15],
    HEX[h1 & 15],
    HEX[h0 >>> 12],
    HEX[(h0 >>> 8) & 15],
    HEX[(h0 >>> 4) & 15],
    HEX[h0 & 15],
  );
}

/** `model.LabelSet.String()`: `{a="1", b="2"}` sorted, values Go-quoted. */
export function labelSetString(ls: LabelSet): string {
  return `{${sortedNames(ls)
    .map((n) => `${n}=${JSON.stringify(ls[n])}`)
    .join(', ')}}`;
}

/** `model.LabelSet.Before`: smaller sets first, then the first differing value in name order. */
export function labelSetBefore(a: LabelSet, b: LabelSet): boolean {
  const an = Object.keys(a);
  const bn = Object.keys(b);
  if (an.length !== bn.length) return an.length < bn.length;
  for (const n of sortGoStrings([...an, ...bn])) {
    const av = a[n];
    const bv = b[n];
    if (av === undefined) return true;
    if (bv === undefined) return false;
    const c = compareStrings(av, bv);
    if (c !== 0) return c < 0;
  }
  return false;
}

/** Label names as Alertmanager accepts them (the legacy Prometheus grammar). */
export function isValidLabelName(name: string): boolean {
  return /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name);
}
