import { endianness } from 'node:os';
import { xxh32 } from '@node-rs/xxhash';
import { type Label, type Labels } from '@strata/tsdb';
import { RemoteWriteError } from './errors';
import { seriesHash } from './series-hash';
import { type Exemplar, METRIC_TYPES, type MetricMetadata } from './types';

/** First two bytes of every ingest message ("SI"). */
export const INGEST_MAGIC = 0x5349;
/** Current ingest message format version. */
export const INGEST_VERSION = 1;
const HEADER_BYTES = 12;
const FLAG_EXEMPLARS = 1;
const FLAG_CREATED = 2;
const FLAG_METADATA = 4;
const KNOWN_FLAGS = FLAG_EXEMPLARS | FLAG_CREATED | FLAG_METADATA;
const LITTLE_ENDIAN_HOST = endianness() === 'LE';

/** A series as carried on the ingest stream: labels, its identity hash and samples. */
export interface IngestSeries {
  readonly labels: Labels;
  /** {@link seriesHash} of the labels, computed once by the router. */
  readonly hash: bigint;
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
  readonly exemplars: readonly Exemplar[];
  /** Counter start time in ms, when the sender gave one (remote write 2.0). */
  readonly createdTimestamp?: number;
}

/** One tenant's samples routed to one partition. */
export interface IngestMessage {
  readonly tenant: string;
  readonly series: readonly IngestSeries[];
  /** Metric family metadata sent along (may be empty). */
  readonly metadata: readonly MetricMetadata[];
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

// Below this many floats a DataView loop beats creating byte views for a memcpy.
const COPY_THRESHOLD = 32;
// Refs within one message stay below this; a stored value is generation * stride + ref.
const GENERATION_STRIDE = 2 ** 26;
const MAX_REMEMBERED_SYMBOLS = 1_000_000;

/**
 * Writes the series section into a reusable scratch buffer while collecting the symbol table,
 * so each series is visited once; the final message is assembled with one allocation.
 */
class IngestEncoder {
  private buf = Buffer.allocUnsafe(1 << 16);
  private dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  private off = 0;
  // Symbol refs are remembered across messages, tagged with the message generation, because
  // successive messages carry mostly the same label strings: a steady-state lookup is then a
  // Map hit instead of an insert into a freshly cleared (and rehashing) Map.
  private symbols = new Map<string, number>();
  private generation = 0;
  private readonly symbolList: string[] = [];
  private symbolBytes = 0;

  encode(
    tenant: string,
    series: readonly IngestSeriesInput[],
    metadata: readonly MetricMetadata[],
  ): Buffer {
    this.off = 0;
    this.symbolList.length = 0;
    this.symbolBytes = 0;
    this.generation++;
    if (
      this.symbols.size > MAX_REMEMBERED_SYMBOLS ||
      this.generation * GENERATION_STRIDE >= Number.MAX_SAFE_INTEGER
    ) {
      this.symbols = new Map();
      this.generation = 1;
    }
    let flags = metadata.length > 0 ? FLAG_METADATA : 0;
    for (const s of series) {
      if (s.exemplars.length > 0) flags |= FLAG_EXEMPLARS;
      if (s.createdTimestamp !== undefined && s.createdTimestamp !== 0) flags |= FLAG_CREATED;
    }
    for (const s of series) this.writeSeries(s, flags);
    if (flags & FLAG_METADATA) this.writeMetadata(metadata);

    const tenantBytes = Buffer.byteLength(tenant, 'utf8');
    const size =
      uvarintSize(tenantBytes) +
      tenantBytes +
      uvarintSize(this.symbolList.length) +
      this.symbolBytes +
      uvarintSize(series.length) +
      this.off;
    const out = Buffer.allocUnsafe(HEADER_BYTES + size);
    let o = HEADER_BYTES;
    o = putUvarint(out, o, tenantBytes);
    o += out.write(tenant, o, 'utf8');
    o = putUvarint(out, o, this.symbolList.length);
    for (const sym of this.symbolList) {
      o = putUvarint(out, o, Buffer.byteLength(sym, 'utf8'));
      o += out.write(sym, o, 'utf8');
    }
    o = putUvarint(out, o, series.length);
    this.buf.copy(out, o, 0, this.off);
    out.writeUInt16BE(INGEST_MAGIC, 0);
    out[2] = INGEST_VERSION;
    out[3] = flags;
    out.writeUInt32LE(size, 4);
    out.writeUInt32LE(xxh32(out.subarray(HEADER_BYTES)), 8);
    return out;
  }

  private writeSeries(s: IngestSeriesInput, flags: number): void {
    const n = s.values.length;
    this.ensure(8 + 10 + s.labels.length * 10 + 10 + 16 * n);
    this.dv.setBigUint64(this.off, s.hash ?? seriesHash(s.labels), true);
    this.off += 8;
    this.writeLabels(s.labels);
    this.uvarint(n);
    this.f64s(s.timestamps);
    this.f64s(s.values);
    // Optional sections live in their own methods so the common path stays small enough to inline.
    if (flags & FLAG_EXEMPLARS) this.writeExemplars(s.exemplars);
    if (flags & FLAG_CREATED) this.writeCreated(s.createdTimestamp ?? 0);
  }

  private writeExemplars(exemplars: readonly Exemplar[]): void {
    this.ensure(10);
    this.uvarint(exemplars.length);
    for (const e of exemplars) {
      this.ensure(10 + e.labels.length * 10 + 16);
      this.writeLabels(e.labels);
      this.dv.setFloat64(this.off, e.value, true);
      this.dv.setFloat64(this.off + 8, e.timestamp, true);
      this.off += 16;
    }
  }

  private writeCreated(t: number): void {
    this.ensure(8);
    this.dv.setFloat64(this.off, t, true);
    this.off += 8;
  }

  private writeMetadata(metadata: readonly MetricMetadata[]): void {
    this.ensure(10);
    this.uvarint(metadata.length);
    for (const m of metadata) {
      this.ensure(31);
      this.uvarint(this.ref(m.metricFamilyName));
      this.buf[this.off++] = Math.max(0, METRIC_TYPES.indexOf(m.type));
      this.uvarint(this.ref(m.help));
      this.uvarint(this.ref(m.unit));
    }
  }

  private writeLabels(labels: Labels): void {
    this.uvarint(labels.length);
    for (let k = 0; k < labels.length; k++) {
      this.uvarint(this.ref(labels[k].name));
      this.uvarint(this.ref(labels[k].value));
    }
  }

  private ref(sym: string): number {
    const base = this.generation * GENERATION_STRIDE;
    const tagged = this.symbols.get(sym);
    if (tagged !== undefined && tagged >= base) return tagged - base;
    const r = this.symbolList.length;
    this.symbols.set(sym, base + r);
    this.symbolList.push(sym);
    const len = Buffer.byteLength(sym, 'utf8');
    this.symbolBytes += uvarintSize(len) + len;
    return r;
  }

  private uvarint(v: number): void {
    this.off = putUvarint(this.buf, this.off, v);
  }

  private f64s(a: Float64Array): void {
    if (a.length < COPY_THRESHOLD || !LITTLE_ENDIAN_HOST) {
      for (let i = 0; i < a.length; i++, this.off += 8) this.dv.setFloat64(this.off, a[i], true);
    } else {
      this.buf.set(new Uint8Array(a.buffer, a.byteOffset, a.length * 8), this.off);
      this.off += a.length * 8;
    }
  }

  private ensure(n: number): void {
    if (this.off + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.off + n));
    this.buf.copy(next, 0, 0, this.off);
    this.buf = next;
    this.dv = new DataView(next.buffer, next.byteOffset, next.byteLength);
  }
}

function putUvarint(buf: Buffer, off: number, v: number): number {
  while (v >= 0x80) {
    buf[off++] = (v & 0x7f) | 0x80;
    v = Math.floor(v / 128);
  }
  buf[off++] = v;
  return off;
}

const encoder = new IngestEncoder();

/**
 * Encodes a tenant's series for the ingest stream. Layout (integers little-endian, see the
 * README): 12-byte header {magic u16 BE, version u8, flags u8, body length u32, xxh32(body) u32},
 * then tenant, symbol table and per series: hash u64, label refs, sample count, timestamps[] f64,
 * values[] f64 and, when flagged, exemplars.
 */
export function encodeIngestMessage(
  tenant: string,
  series: readonly IngestSeriesInput[],
  metadata: readonly MetricMetadata[] = [],
): Buffer {
  return encoder.encode(tenant, series, metadata);
}

class Reader {
  off: number;
  private readonly dv: DataView;
  constructor(
    readonly buf: Buffer,
    start: number,
  ) {
    this.off = start;
    this.dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  u64(): bigint {
    const v = this.dv.getBigUint64(this.off, true);
    this.off += 8;
    return v;
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
    if (n < COPY_THRESHOLD || !LITTLE_ENDIAN_HOST) {
      // Touching `.buffer` of a small on-heap typed array forces V8 to materialize it; a loop avoids that.
      for (let i = 0; i < n; i++) out[i] = this.dv.getFloat64(this.off + i * 8, true);
    } else {
      new Uint8Array(out.buffer).set(this.buf.subarray(this.off, this.off + n * 8));
    }
    this.off += n * 8;
    return out;
  }
  symbol(symbols: readonly string[]): string {
    const ref = this.uvarint();
    if (ref >= symbols.length) fail('symbol ref out of range');
    return symbols[ref];
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
  const buf = Buffer.isBuffer(data)
    ? data
    : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buf.length < HEADER_BYTES) fail('shorter than its header');
  if (buf.readUInt16BE(0) !== INGEST_MAGIC) fail('bad magic');
  if (buf[2] !== INGEST_VERSION) fail(`unsupported version ${buf[2]}`);
  const size = buf.readUInt32LE(4);
  if (buf.length !== HEADER_BYTES + size)
    fail(`length ${buf.length} does not match header (${HEADER_BYTES + size})`);
  if (buf.readUInt32LE(8) !== xxh32(buf.subarray(HEADER_BYTES))) fail('checksum mismatch');
  const flags = buf[3];
  if (flags & ~KNOWN_FLAGS) fail(`unknown flags 0x${flags.toString(16)}`);
  const hasExemplars = (flags & FLAG_EXEMPLARS) !== 0;
  const r = new Reader(buf, HEADER_BYTES);
  const tenant = r.str();
  const nsym = r.uvarint();
  const symbols: string[] = new Array<string>(nsym);
  for (let i = 0; i < nsym; i++) symbols[i] = r.str();
  const nseries = r.uvarint();
  const series: IngestSeries[] = new Array<IngestSeries>(nseries);
  for (let i = 0; i < nseries; i++) {
    r.need(8);
    const hash = r.u64();
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
        exemplars.push({
          labels: el,
          value: buf.readDoubleLE(r.off),
          timestamp: buf.readDoubleLE(r.off + 8),
        });
        r.off += 16;
      }
    }
    if (flags & FLAG_CREATED) {
      r.need(8);
      const created = buf.readDoubleLE(r.off);
      r.off += 8;
      series[i] =
        created !== 0
          ? { labels, hash, timestamps, values, exemplars, createdTimestamp: created }
          : { labels, hash, timestamps, values, exemplars };
    } else {
      series[i] = { labels, hash, timestamps, values, exemplars };
    }
  }
  const metadata: MetricMetadata[] = [];
  if (flags & FLAG_METADATA) {
    const nm = r.uvarint();
    for (let k = 0; k < nm; k++) {
      const name = r.symbol(symbols);
      r.need(1);
      const type = METRIC_TYPES[buf[r.off++]] ?? 'unknown';
      metadata.push({
        metricFamilyName: name,
        type,
        help: r.symbol(symbols),
        unit: r.symbol(symbols),
      });
    }
  }
  if (r.off !== buf.length) fail('trailing bytes');
  return { tenant, series, metadata };
}
