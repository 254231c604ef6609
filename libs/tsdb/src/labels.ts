import { xxh64 } from '@node-rs/xxhash';
import { InvalidLabelsError } from './errors';

/** One label name/value pair. */
export interface Label {
  readonly name: string;
  readonly value: string;
}

/** A label set sorted by name with unique names, the identity of a series. */
export type Labels = readonly Label[];

/** The label name Prometheus stores the metric name under. */
export const METRIC_NAME = '__name__';

// Prometheus separates names and values with 0xff, a byte that never occurs in UTF-8, so
// ("a","bc") and ("ab","c") cannot collide; using the same layout keeps our hashes equal to theirs.
const SEP = 0xff;
let scratch = Buffer.allocUnsafe(1024);

/** Builds a sorted label set from an object or pairs, rejecting duplicate names. */
export function labelsFrom(
  input: Record<string, string> | ReadonlyArray<readonly [string, string]>,
): Labels {
  const pairs = Array.isArray(input) ? input : Object.entries(input);
  const out: Label[] = pairs.map(([name, value]) => ({ name, value }));
  out.sort((a, b) => compareStrings(a.name, b.name));
  for (let i = 1; i < out.length; i++) {
    if (out[i].name === out[i - 1].name)
      throw new InvalidLabelsError(`duplicate label name ${JSON.stringify(out[i].name)}`);
  }
  return out;
}

/** Compares two strings by UTF-16 code units, which orders ASCII names exactly like Go's byte compare. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Orders label sets the way Prometheus does: pairwise by name, then value, then by length. */
export function compareLabels(a: Labels, b: Labels): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareStrings(a[i].name, b[i].name) || compareStrings(a[i].value, b[i].value);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/** Returns whether two label sets are identical. */
export function labelsEqual(a: Labels, b: Labels): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i].name !== b[i].name || a[i].value !== b[i].value) return false;
  }
  return true;
}

/** Returns the value of the named label or undefined when the set lacks it. */
export function getLabel(labels: Labels, name: string): string | undefined {
  for (const l of labels) if (l.name === name) return l.value;
  return undefined;
}

/** Hashes a sorted label set with xxhash64 over Prometheus' canonical `name 0xff value 0xff` layout. */
export function labelsHash(labels: Labels): bigint {
  let off = 0;
  for (let i = 0; i < labels.length; i++) {
    off = writeUtf8(labels[i].name, off);
    scratch[off++] = SEP;
    off = writeUtf8(labels[i].value, off);
    scratch[off++] = SEP;
  }
  return xxh64(scratch.subarray(0, off));
}

// Label text is nearly always ASCII; copying char codes beats Buffer.write's native call per string.
function writeUtf8(s: string, off: number): number {
  const n = s.length;
  if (off + n * 3 + 2 > scratch.length) {
    const next = Buffer.allocUnsafe(Math.max(scratch.length * 2, off + n * 3 + 2));
    scratch.copy(next, 0, 0, off);
    scratch = next;
  }
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return off + scratch.write(s, off, 'utf8');
    scratch[off + i] = c;
  }
  return off + n;
}

/** Renders a label set in Prometheus' `{a="b", c="d"}` text form for error messages. */
export function labelsToString(labels: Labels): string {
  return `{${labels.map((l) => `${l.name}=${JSON.stringify(l.value)}`).join(', ')}}`;
}
