import { isUtf8 } from 'node:buffer';
import { Reader } from 'protobufjs';
import { RemoteWriteError } from './errors';

/** Protobuf wire types used by the remote write messages. */
export const WT_VARINT = 0;
export const WT_I64 = 1;
export const WT_LEN = 2;

/** A protobufjs reader over a Buffer (so string slicing stays native). */
export function readerOf(buf: Buffer): Reader {
  return Reader.create(buf);
}

/** Refuses a message whose bytes do not parse. */
export function invalid(what: string): never {
  throw new RemoteWriteError('invalid_protobuf', `invalid protobuf: ${what}`);
}

/** Checks a known field arrived with its declared wire type, as a strict decoder must. */
export function expectWire(field: string, got: number, want: number): void {
  if (got !== want) invalid(`field ${field} has wire type ${got}, expected ${want}`);
}

/** Reads a length prefix and returns the end offset of the delimited bytes. */
export function delimitedEnd(r: Reader): number {
  const len = r.uint32();
  const end = r.pos + len;
  if (end > r.len) invalid('length-delimited field runs past the end of its message');
  return end;
}

/**
 * Reads a varint int64 as a Number without going through Long objects; exact below 2^53,
 * which covers millisecond timestamps for the next 285,000 years.
 */
export function readInt64(r: Reader): number {
  const buf = r.buf;
  let pos = r.pos;
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < 10; i++) {
    if (pos >= r.len) invalid('truncated varint');
    const b = buf[pos++];
    if (i < 4) lo |= (b & 0x7f) << (7 * i);
    else if (i === 4) {
      lo |= (b & 0x0f) << 28;
      hi |= (b & 0x7f) >>> 4;
    } else hi |= (b & 0x7f) << (7 * i - 32);
    if (b < 0x80) {
      r.pos = pos;
      return (hi | 0) * 4294967296 + (lo >>> 0);
    }
  }
  return invalid('varint longer than 10 bytes');
}

// Label names and values repeat across series and across requests (every scrape resends the
// same label sets), so short ASCII strings are served from a small direct-mapped cache instead
// of being allocated again; an entry is only used after comparing its characters to the bytes.
const CACHE_SIZE = 8192;
const CACHE_MAX_LEN = 64;
const cache: Array<string | undefined> = new Array<string | undefined>(CACHE_SIZE);

/** Which text field is being read, for the error message if it is not UTF-8. */
export type TextField = 'label name' | 'label value' | 'symbol' | 'metadata text';

/**
 * Reads a length-delimited UTF-8 string, refusing invalid UTF-8 rather than substituting U+FFFD.
 * `cached` suits text that repeats (label names); unique text would only churn the cache and
 * keep garbage alive long enough to be promoted.
 */
export function readText(r: Reader, field: TextField, index: number, cached = false): string {
  const end = delimitedEnd(r);
  const start = r.pos;
  r.pos = end;
  const buf = r.buf as Buffer;
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) {
    const b = buf[i];
    if (b >= 0x80) return nonAscii(buf, start, end, field, index);
    h = Math.imul(h ^ b, 0x01000193);
  }
  const len = end - start;
  if (!cached || len > CACHE_MAX_LEN) return buf.toString('latin1', start, end);
  const slot = (h ^ len) & (CACHE_SIZE - 1);
  const hit = cache[slot];
  if (hit !== undefined && hit.length === len) {
    let same = true;
    for (let i = 0; i < len; i++) {
      if (hit.charCodeAt(i) !== buf[start + i]) {
        same = false;
        break;
      }
    }
    if (same) return hit;
  }
  const s = buf.toString('latin1', start, end);
  cache[slot] = s;
  return s;
}

// Context is passed as plain values because building a message closure per string would be
// most of the garbage a decode produces.
function nonAscii(
  buf: Buffer,
  start: number,
  end: number,
  field: TextField,
  index: number,
): string {
  const bytes = buf.subarray(start, end);
  if (!isUtf8(bytes)) {
    const where =
      field === 'symbol'
        ? `symbols[${index}]`
        : field === 'metadata text'
          ? `metadata ${index} text`
          : `series ${index}: ${field}`;
    throw new RemoteWriteError(
      'invalid_utf8',
      `${where} ${JSON.stringify(bytes.toString('utf8').slice(0, 64))} is not valid UTF-8`,
    );
  }
  return buf.toString('utf8', start, end);
}

/** Reads a repeated uint32 field, packed (wire type 2) or not (wire type 0), onto `out`. */
export function readUint32s(r: Reader, wireType: number, out: number[]): void {
  if (wireType === WT_VARINT) {
    out.push(r.uint32());
    return;
  }
  expectWire('labels_refs', wireType, WT_LEN);
  const end = delimitedEnd(r);
  while (r.pos < end) out.push(r.uint32());
  if (r.pos !== end) invalid('packed varints overrun their field');
}

/** Runs a protobufjs reader call, turning its range errors into `invalid_protobuf`. */
export function guarded<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof RemoteWriteError) throw e;
    return invalid((e as Error).message);
  }
}
