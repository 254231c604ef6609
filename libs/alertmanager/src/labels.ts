/** A label set as Alertmanager's `model.LabelSet`: names to values, order irrelevant. */
export type LabelSet = Readonly<Record<string, string>>;

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK = 0xffffffffffffffffn;
const encoder = new TextEncoder();

/** Go's byte-wise string order (UTF-8 code units), which sorted label names follow. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** Names of a label set in Go's sort order. */
export function sortedNames(ls: LabelSet): string[] {
  return Object.keys(ls).sort(compareStrings);
}

/**
 * Alertmanager's fingerprint of a label set (`model.LabelSet.Fingerprint`): FNV-1a 64 over sorted
 * `name 0xff value 0xff`, printed as 16 hex digits. Webhook bodies carry it, so it must be Go's.
 */
export function fingerprint(ls: LabelSet): string {
  let h = FNV_OFFSET;
  for (const name of sortedNames(ls)) {
    for (const part of [name, ls[name]]) {
      for (const byte of encoder.encode(part)) h = ((h ^ BigInt(byte)) * FNV_PRIME) & MASK;
      h = ((h ^ 0xffn) * FNV_PRIME) & MASK;
    }
  }
  return h.toString(16).padStart(16, '0');
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
