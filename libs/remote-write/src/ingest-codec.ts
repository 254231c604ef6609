import { endianness } from 'node:os';
import { xxh32 } from '@node-rs/xxhash';
import { type Label, type Labels } from '@strata/tsdb';
import { RemoteWriteError } from './errors';
import { seriesHash } from './series-hash';
import { type Exemplar } from './types';

/** First two bytes of every ingest message ("SI"). */
export const INGEST_MAGIC = 0x5349;
/** Current ingest message format version. */
export const INGEST_VERSION = 1;
const HEADER_BYTES = 12;
const FLAG_EXEMPLARS = 1;
const LITTLE_ENDIAN_HOST = endianness() === 'LE';

/** A series as carried on the ingest stream: labels, its identity hash and samples. */
export interface IngestSeries {
  readonly labels: Labels;
  /** {@link seriesHash} of the labels, computed once by the router. */
  readonly hash: bigint;
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
  readonly exemplars: readonly Exemplar[];
}

/** One tenant's samples routed to one partition. */
export interface IngestMessage {
  readonly tenant: string;
  readonly series: readonly IngestSeries[];
}

/** Input series; the hash is computed when absent. */
export type IngestSeriesInput = Omit<IngestSeries, 'hash'> & { readonly hash?: bigint };

function uvarintSize(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

class Writer {
  off = 0;
  constructor(readonly buf: Buffer) {}
  uvarint(v: number): void {
    while (v >= 0x80) {
      this.buf[this.off++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.off++] = v;
  }
  f64s(a: Float64Array): void {
    if (LITTLE_ENDIAN_HOST) {
      this.buf.set(new Uint8Array(a.buffer, a.byteOffset, a.length * 8), this.off);
      this.off += a.length * 8;
    } else {
      for (let i = 0; i < a.length; i++, this.off += 8) this.buf.writeDoubleLE(a[i], this.off);
    }
  }
}

/**
 * Encodes a tenant's series for the ingest stream. Layout (all integers little-endian, see the
 * README): 12-byte header {magic u16 BE, version u8, flags u8, body length u32, xxh32(body) u32},
 * then a symbol table and per series: hash u64, label refs, sample count, timestamps[] f64,
 * values[] f64 and, when flagged, exemplars.
 */
export function encodeIngestMessage(tenant: string, series: readonly IngestSeriesInput[]): Buffer {
  const symbols = new Map<string, number>();
  let symBytes = 0;
  const intern = (s: string): number => {
    let r = symbols.get(s);
    if (r === undefined) {
      r = symbols.size;
      symbols.set(s, r);
      const n = Buffer.byteLength(s, 'utf8');
      symBytes += uvarintSize(n) + n;
    }
    return r;
  };
  const tenantBytes = Buffer.byteLength(tenant, 'utf8');
  let hasExemplars = false;
  let size = uvarintSize(tenantBytes) + tenantBytes + uvarintSize(series.length);
  const labelRefs: number[][] = new Array<number[]>(series.length);
  for (let i = 0; i < series.length; i++) {
    const s = series[i];
    const refs: number[] = new Array<number>(s.labels.length * 2);
    for (let k = 0; k < s.labels.length; k++) {
      refs[2 * k] = intern(s.labels[k].name);
      refs[2 * k + 1] = intern(s.labels[k].value);
    }
    labelRefs[i] = refs;
    size += 8 + uvarintSize(s.labels.length) + refsSize(refs) + uvarintSize(s.values.length) + 16 * s.values.length;
    if (s.exemplars.length > 0) hasExemplars = true;
  }
  const exRefs: number[][][] = [];
  if (hasExemplars) {
    for (const s of series) {
      size += uvarintSize(s.exemplars.length);
      const perSeries: number[][] = [];
      for (const e of s.exemplars) {
        const refs = e.labels.flatMap((l) => [intern(l.name), intern(l.value)]);
        perSeries.push(refs);
        size += uvarintSize(e.labels.length) + refsSize(refs) + 16;
      }
      exRefs.push(perSeries);
    }
  }
  size += uvarintSize(symbols.size) + symBytes;

  const buf = Buffer.allocUnsafe(HEADER_BYTES + size);
  const w = new Writer(buf);
  w.off = HEADER_BYTES;
  w.uvarint(tenantBytes);
  w.off += buf.write(tenant, w.off, 'utf8');
  w.uvarint(symbols.size);
  for (const s of symbols.keys()) {
    w.uvarint(Buffer.byteLength(s, 'utf8'));
    w.off += buf.write(s, w.off, 'utf8');
  }
  w.uvarint(series.length);
  for (let i = 0; i < series.length; i++) {
    const s = series[i];
    buf.writeBigUInt64LE(s.hash ?? seriesHash(s.labels), w.off);
    w.off += 8;
    w.uvarint(s.labels.length);
    for (const r of labelRefs[i]) w.uvarint(r);
    w.uvarint(s.values.length);
    w.f64s(s.timestamps);
    w.f64s(s.values);
    if (hasExemplars) {
      w.uvarint(s.exemplars.length);
      s.exemplars.forEach((e, k) => {
        w.uvarint(e.labels.length);
        for (const r of exRefs[i][k]) w.uvarint(r);
        buf.writeDoubleLE(e.value, w.off);
        buf.writeDoubleLE(e.timestamp, w.off + 8);
        w.off += 16;
      });
    }
  }
  buf.writeUInt16BE(INGEST_MAGIC, 0);
  buf[2] = INGEST_VERSION;
  buf[3] = hasExemplars ? FLAG_EXEMPLARS : 0;
  buf.writeUInt32LE(size, 4);
  buf.writeUInt32LE(xxh32(buf.subarray(HEADER_BYTES)), 8);
  return buf;
}

function refsSize(refs: readonly number[]): number {
  let n = 0;
  for (const r of refs) n += uvarintSize(r);
  return n;
}

class Reader {
  off: number;
  constructor(
    readonly buf: Buffer,
    start: number,
  ) {
    this.off = start;
  }
  need(n: number): void {
    if (this.off + n > this.buf.length) fail('truncated body');
  }
  uvarint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 8; i++) {
      this.need(1);
      const b = this.buf[this.off++];
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 128;
    }
    return fail('varint too long');
  }
  str(): string {
    const n = this.uvarint();
    this.need(n);
    const s = this.buf.toString('utf8', this.off, this.off + n);
    this.off += n;
    return s;
  }
  f64s(n: number): Float64Array {
    this.need(n * 8);
    const out = new Float64Array(n);
    if (LITTLE_ENDIAN_HOST) {
      new Uint8Array(out.buffer).set(this.buf.subarray(this.off, this.off + n * 8));
    } else {
      for (let i = 0; i < n; i++) out[i] = this.buf.readDoubleLE(this.off + i * 8);
    }
    this.off += n * 8;
    return out;
  }
  labels(symbols: readonly string[]): Label[] {
    const n = this.uvarint();
    const out: Label[] = new Array<Label>(n);
    for (let k = 0; k < n; k++) {
      const a = this.uvarint();
      const b = this.uvarint();
      if (a >= symbols.length || b >= symbols.length) fail(`symbol ref out of range`);
      out[k] = { name: symbols[a], value: symbols[b] };
    }
    return out;
  }
}

function fail(why: string): never {
  throw new RemoteWriteError('invalid_ingest_message', `invalid ingest message: ${why}`);
}

/** Decodes a message written by {@link encodeIngestMessage}, verifying magic, version and checksum. */
export function decodeIngestMessage(data: Uint8Array): IngestMessage {
  const buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buf.length < HEADER_BYTES) fail('shorter than its header');
  if (buf.readUInt16BE(0) !== INGEST_MAGIC) fail('bad magic');
  if (buf[2] !== INGEST_VERSION) fail(`unsupported version ${buf[2]}`);
  const size = buf.readUInt32LE(4);
  if (buf.length !== HEADER_BYTES + size) fail(`length ${buf.length} does not match header (${HEADER_BYTES + size})`);
  if (buf.readUInt32LE(8) !== xxh32(buf.subarray(HEADER_BYTES))) fail('checksum mismatch');
  const hasExemplars = (buf[3] & FLAG_EXEMPLARS) !== 0;
  const r = new Reader(buf, HEADER_BYTES);
  const tenant = r.str();
  const nsym = r.uvarint();
  const symbols: string[] = new Array<string>(nsym);
  for (let i = 0; i < nsym; i++) symbols[i] = r.str();
  const nseries = r.uvarint();
  const series: IngestSeries[] = new Array<IngestSeries>(nseries);
  for (let i = 0; i < nseries; i++) {
    r.need(8);
    const hash = buf.readBigUInt64LE(r.off);
    r.off += 8;
    const labels = r.labels(symbols);
    const n = r.uvarint();
    const timestamps = r.f64s(n);
    const values = r.f64s(n);
    const exemplars: Exemplar[] = [];
    if (hasExemplars) {
      const ne = r.uvarint();
      for (let k = 0; k < ne; k++) {
        const el = r.labels(symbols);
        r.need(16);
        exemplars.push({ labels: el, value: buf.readDoubleLE(r.off), timestamp: buf.readDoubleLE(r.off + 8) });
        r.off += 16;
      }
    }
    series[i] = { labels, hash, timestamps, values, exemplars };
  }
  if (r.off !== buf.length) fail('trailing bytes');
  return { tenant, series };
}
