import { type LogRecord } from '@strata/contracts';
import { LogInputError } from './errors';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Decodes UTF-8 bytes, refusing invalid sequences instead of replacing them with U+FFFD. */
export function decodeUtf8(bytes: Uint8Array, where: string): string {
  try {
    return strictUtf8.decode(bytes);
  } catch (cause) {
    throw new LogInputError('invalid_utf8', where, 'is not valid UTF-8', { cause });
  }
}

/** What every source checks on each line: the operator's cap on its UTF-8 size. */
export interface LineRules {
  /** Longest line accepted, in UTF-8 bytes (`STRATA_LOGS_MAX_LINE_BYTES`). */
  maxLineBytes: number;
}

/** Throws `line_too_long` when the line passes the cap; lone surrogates count as invalid UTF-8. */
export function checkLine(line: string, rules: LineRules, where: string): void {
  // String length is a lower bound of the UTF-8 size, so most lines skip the exact count.
  if (line.length * 3 > rules.maxLineBytes && Buffer.byteLength(line) > rules.maxLineBytes)
    throw new LogInputError(
      'line_too_long',
      where,
      `line of ${Buffer.byteLength(line)} bytes exceeds the limit of ${rules.maxLineBytes}`,
    );
  if (LONE_SURROGATE.test(line))
    throw new LogInputError('invalid_utf8', where, 'line holds a lone surrogate (not UTF-8)');
}

/** Nanoseconds since the epoch as the decimal string `LogRecord.timestampNs` holds. */
export function nsFromMs(ms: number): string {
  return (BigInt(Math.trunc(ms)) * 1_000_000n).toString();
}

/** A record's timestamp from a decimal nanosecond string, or `fallbackNs` when the text is empty or zero. */
export function nsOrDefault(ns: string, fallbackNs: string): string {
  const trimmed = ns.replace(/^0+/, '');
  return trimmed === '' ? fallbackNs : trimmed;
}

/** Bytes of the lines of records, which the tenant's daily quota and rate count. */
export function lineBytes(records: readonly LogRecord[]): number {
  let n = 0;
  for (const r of records) n += Buffer.byteLength(r.line);
  return n;
}
