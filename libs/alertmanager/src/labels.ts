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

/** Names of a label set in Go's sort order. */
export function sortedNames(ls: LabelSet): string[] {
  return Object.keys(ls).sort(compareStrings);
}

/**
 * FNV-1a 64 kept in four 16-bit limbs (low first): exact in doubles, no BigInt per byte. The
 * prime 2^40 + 0x1b3 multiplies as `h * 0x1b3 + (h << 40)`.
 */
class Fnv64 {
  private h0 = 0x2325;
  private h1 = 0x8422;
  private h2 = 0x9ce4;
  private h3 = 0xcbf2;

  byte(b: number): void {
    const t0 = (this.h0 ^ b) * 0x1b3;
    let t1 = this.h1 * 0x1b3;
    let t2 = this.h2 * 0x1b3 + ((this.h0 ^ b) << 8);
    const t3 = this.h3 * 0x1b3 + (this.h1 << 8);
    t1 += t0 >>> 16;
    t2 += t1 >>> 16;
    this.h0 = t0 & 0xffff;
    this.h1 = t1 & 0xffff;
    this.h2 = t2 & 0xffff;
    this.h3 = (t3 + (t2 >>> 16)) & 0xffff;
  }

  string(s: string): void {
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        for (const b of encoder.encode(s.slice(i))) this.byte(b);
        return;
      }
      this.byte(c);
    }
  }

  hex(): string {
    const h = (x: number) => x.toString(16).padStart(4, '0');
    return h(this.h3) + h(this.h2) + h(this.h1) + h(this.h0);
  }
}

/**
 * Alertmanager's fingerprint of a label set (`model.LabelSet.Fingerprint`): FNV-1a 64 over sorted
 * `name 0xff value 0xff`, printed as 16 hex digits. Webhook bodies carry it, so it must be Go's.
 */
export function fingerprint(ls: LabelSet): string {
  const h = new Fnv64();
  for (const name of sortedNames(ls)) {
    h.string(name);
    h.byte(0xff);
    h.string(ls[name]);
    h.byte(0xff);
  }
  return h.hex();
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
  for (const n of [...an, ...bn].sort(compareStrings)) {
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
