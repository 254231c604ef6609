import { endianness } from 'node:os';
import { xxh32 } from '@node-rs/xxhash';
import {
  type LabelBlockRef,
  type Labels,
  decodeLabelBlock,
  labelBlockHash,
  labelBlockOf,
  putUvarint,
} from '@strata/tsdb';
import { DecodedSeries } from './decoded-series';
import { readIngestV1 } from './ingest-codec-v1';
import { Reader, fail } from './ingest-reader';
import { low52OfWords } from './series-hash';
import { compressBlock, expandBlock } from './snappy';
import { type Exemplar, METRIC_TYPES, type MetricMetadata } from './types';

// Read once: an imported binding is a property lookup on every use.
const writeUvarint = putUvarint;

/** First two bytes of every ingest message ("SI"). */
export const INGEST_MAGIC = 0x5349;
/** Current ingest message format version (2: series carry label blocks). */
export const INGEST_VERSION = 2;
const HEADER_BYTES = 12;
const FLAG_EXEMPLARS = 1;
const FLAG_CREATED = 2;
const FLAG_METADATA = 4;
/** The body after the header is one snappy block. */
const FLAG_SNAPPY = 8;
/** The tenant's out-of-order window follows the tenant name. */
const FLAG_OOO_WINDOW = 16;
const KNOWN_FLAGS = FLAG_EXEMPLARS | FLAG_CREATED | FLAG_METADATA | FLAG_SNAPPY | FLAG_OOO_WINDOW;
/** Largest body a message may expand to; the router keeps messages far below this. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;
const LITTLE_ENDIAN_HOST = endianness() === 'LE';
const NO_EXEMPLARS: readonly Exemplar[] = Object.freeze([]);

/**
 * A series as read from the ingest stream: its label block (bytes of the message), the hash the
 * router computed, and samples. The ingester matches known series by hash and block without
 * making label strings; `labels` decodes them on first use.
 */
export class IngestSeries implements LabelBlockRef {
  private decoded: Labels | undefined;

  constructor(
    readonly buf: Buffer,
    readonly start: number,
    readonly end: number,
    /** {@link seriesHash} of the labels. */
    readonly hash: bigint,
    readonly timestamps: Float64Array,
    readonly values: Float64Array,
    readonly exemplars: readonly Exemplar[],
    /** Counter start time in ms, when the sender gave one (remote write 2.0). */
    readonly createdTimestamp?: number,
  ) {}

  get labels(): Labels {
    return (this.decoded ??= decodeLabelBlock(this));
  }
}

/**
 * The tenant's head settings a message carries, so that the ingester applies the stream the same
 * way on every replay whatever the quota says by then.
 */
export interface IngestTenantSettings {
  /** The tenant's out-of-order window in ms (0: none, and then not written). */
  readonly outOfOrderWindowMs: number;
}

const NO_SETTINGS: IngestTenantSettings = Object.freeze({ outOfOrderWindowMs: 0 });

/** One tenant's samples routed to one partition. */
export interface IngestMessage {
  readonly tenant: string;
  readonly settings: IngestTenantSettings;
  readonly series: readonly IngestSeries[];
  /** Metric family metadata sent along (may be empty). */
  readonly metadata: readonly MetricMetadata[];
}

interface IngestSamples {
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
  readonly exemplars: readonly Exemplar[];
  readonly createdTimestamp?: number;
}

/**
 * A series to encode: a label block with its hash (what the router's decoder produced), or
 * labels, whose block and hash are computed here.
 */
export type IngestSeriesInput =
  | (IngestSamples & LabelBlockRef & { readonly hash: bigint })
  | (IngestSamples & { readonly labels: Labels; readonly hash?: bigint });

// Below this many floats a DataView loop beats creating byte views for a memcpy.
const COPY_THRESHOLD = 32;

/** Writes messages into a reusable scratch buffer; the final message is one allocation. */
class IngestEncoder {
  private buf = Buffer.allocUnsafe(1 << 16);
  private dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  private off = 0;

  encode(
    tenant: string,
    series: readonly IngestSeriesInput[],
    metadata: readonly MetricMetadata[],
    settings: IngestTenantSettings,
  ): Buffer {
    this.off = HEADER_BYTES;
    let flags = metadata.length > 0 ? FLAG_METADATA : 0;
    for (const s of series) {
      if (s.exemplars.length > 0) flags |= FLAG_EXEMPLARS;
      if (s.createdTimestamp !== undefined && s.createdTimestamp !== 0) flags |= FLAG_CREATED;
    }
    const window = settings.outOfOrderWindowMs;
    if (!Number.isSafeInteger(window) || window < 0)
      throw new RangeError(`out-of-order window must be a whole number of ms >= 0, not ${window}`);
    if (window > 0) flags |= FLAG_OOO_WINDOW;
    this.str(tenant);
    if (window > 0) {
      this.ensure(10);
      this.uvarint(window);
    }
    this.ensure(10);
    this.uvarint(series.length);
    for (const s of series) this.writeSeries(s, flags);
    if (flags & FLAG_METADATA) this.writeMetadata(metadata);
    // Label blocks repeat names and values from series to series, so a message shrinks several
    // times; that halves what nats-server stores and delivers per sample, at less CPU than it saves.
    const body = compressBlock(this.buf.subarray(HEADER_BYTES, this.off));
    const out = Buffer.allocUnsafe(HEADER_BYTES + body.length);
    body.copy(out, HEADER_BYTES);
    out.writeUInt16BE(INGEST_MAGIC, 0);
    out[2] = INGEST_VERSION;
    out[3] = flags | FLAG_SNAPPY;
    out.writeUInt32LE(body.length, 4);
    out.writeUInt32LE(xxh32(out.subarray(HEADER_BYTES)), 8);
    return out;
  }

  private writeSeries(s: IngestSeriesInput, flags: number): void {
    const block = 'buf' in s ? s : labelBlockOf(s.labels);
    const blockBytes = block.end - block.start;
    const n = s.values.length;
    this.ensure(8 + 10 + blockBytes + 10 + 16 * n);
    // A decoded series holds its hash as two words: writing them spares making it a BigInt.
    if (s instanceof DecodedSeries) {
      this.dv.setInt32(this.off, s.hashLo, true);
      this.dv.setInt32(this.off + 4, s.hashHi, true);
    } else this.dv.setBigUint64(this.off, s.hash ?? labelBlockHash(block), true);
    this.off += 8;
    this.uvarint(blockBytes);
    this.bytes(block);
    this.uvarint(n);
    this.f64s(s.timestamps);
    this.f64s(s.values);
    // Optional sections live in their own methods so the common path stays small enough to inline.
    if (flags & FLAG_EXEMPLARS) this.writeExemplars(s.exemplars);
    if (flags & FLAG_CREATED) this.writeCreated(s.createdTimestamp ?? 0);
  }

  private bytes(block: LabelBlockRef): void {
    const src = block.buf;
    const n = block.end - block.start;
    // Below this a byte loop beats the native copy's call overhead.
    if (n >= 64 && Buffer.isBuffer(src)) {
      src.copy(this.buf, this.off, block.start, block.end);
      this.off += n;
      return;
    }
    const out = this.buf;
    let o = this.off;
    for (let i = block.start; i < block.end; i++) out[o++] = src[i];
    this.off = o;
  }

  private writeExemplars(exemplars: readonly Exemplar[]): void {
    this.ensure(10);
    this.uvarint(exemplars.length);
    for (const e of exemplars) {
      const block = labelBlockOf(e.labels);
      this.ensure(10 + block.end + 16);
      this.uvarint(block.end);
      this.bytes(block);
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
      this.str(m.metricFamilyName);
      this.ensure(1);
      this.buf[this.off++] = Math.max(0, METRIC_TYPES.indexOf(m.type));
      this.str(m.help);
      this.str(m.unit);
    }
  }

  private str(s: string): void {
    const len = Buffer.byteLength(s, 'utf8');
    this.ensure(10 + len);
    this.uvarint(len);
    this.off += this.buf.write(s, this.off, 'utf8');
  }

  private uvarint(v: number): void {
    this.off = writeUvarint(this.buf, this.off, v);
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

const encoder = new IngestEncoder();

/**
 * Encodes a tenant's series for the ingest stream. Layout (integers little-endian, see the
 * README): 12-byte header {magic u16 BE, version u8, flags u8, body length u32, xxh32(body) u32},
 * then tenant and per series: hash u64, label block (length-prefixed), sample count,
 * timestamps[] f64, values[] f64 and, when flagged, exemplars and the created timestamp.
 */
export function encodeIngestMessage(
  tenant: string,
  series: readonly IngestSeriesInput[],
  metadata: readonly MetricMetadata[] = [],
  settings: IngestTenantSettings = NO_SETTINGS,
): Buffer {
  return encoder.encode(tenant, series, metadata, settings);
}

function readExemplars(r: Reader, count: number): Exemplar[] {
  const out: Exemplar[] = [];
  for (let k = 0; k < count; k++) {
    const start = r.block();
    let labels;
    try {
      labels = decodeLabelBlock({ buf: r.buf, start, end: r.off });
    } catch {
      return fail('exemplar label block is malformed');
    }
    const value = r.f64();
    out.push({ labels, value, timestamp: r.f64() });
  }
  return out;
}

/** Checks header and checksum and returns the body, expanded when it is compressed. */
function verifiedBody(wire: Buffer): Buffer {
  if (wire.length < HEADER_BYTES) fail('shorter than its header');
  if (wire.readUInt16BE(0) !== INGEST_MAGIC) fail('bad magic');
  if (wire[2] !== INGEST_VERSION) fail(`unsupported version ${wire[2]}`);
  const size = wire.readUInt32LE(4);
  if (wire.length !== HEADER_BYTES + size)
    fail(`length ${wire.length} does not match header (${HEADER_BYTES + size})`);
  const body = wire.subarray(HEADER_BYTES);
  if (wire.readUInt32LE(8) !== xxh32(body)) fail('checksum mismatch');
  const flags = wire[3];
  if (flags & ~KNOWN_FLAGS) fail(`unknown flags 0x${flags.toString(16)}`);
  if (!(flags & FLAG_SNAPPY)) return body;
  try {
    return expandBlock(body, MAX_BODY_BYTES);
  } catch (error) {
    return fail(`body does not expand: ${(error as Error).message}`);
  }
}

/**
 * One series of an ingest message, read in place: a cursor that {@link IngestMessageView.forEach}
 * moves from series to series, so applying a message allocates nothing per series. Copy what
 * you keep; the cursor changes on the next step.
 */
export class IngestSeriesCursor implements LabelBlockRef {
  /** Label block at [start, end) of `buf`. */
  start = 0;
  end = 0;
  private hashLo = 0;
  private hashHi = 0;
  /** Number of samples. */
  count = 0;
  private samplesAt = 0;
  exemplars: readonly Exemplar[] = NO_EXEMPLARS;
  /** Counter start time in ms, 0 when the sender gave none. */
  createdTimestamp = 0;

  private readonly reader: Reader;

  constructor(readonly buf: Buffer) {
    this.reader = new Reader(buf, 0);
  }

  /**
   * The low 32 bits of the router's hash as a small integer: a map key V8 need not box (a
   * million series share a key in about a hundred pairs; collisions are settled by labels).
   */
  get hashKey(): number {
    return this.hashLo | 0;
  }

  /** The low 52 bits of the router's hash as a Number, exact (the key a head files series under). */
  get hashLow52(): number {
    return low52OfWords(this.hashLo, this.hashHi);
  }

  get hash(): bigint {
    return (BigInt(this.hashHi) << 32n) | BigInt(this.hashLo);
  }

  timestamp(i: number): number {
    return this.buf.readDoubleLE(this.samplesAt + i * 8);
  }

  value(i: number): number {
    return this.buf.readDoubleLE(this.samplesAt + (this.count + i) * 8);
  }

  /** @internal Reads the series at `off` (already validated); returns where the next one starts. */
  read(off: number, flags: number): number {
    const buf = this.buf;
    this.hashLo = buf.readUInt32LE(off);
    this.hashHi = buf.readUInt32LE(off + 4);
    const r = this.reader;
    r.off = off + 8;
    this.start = r.block();
    this.end = r.off;
    this.count = r.uvarint();
    this.samplesAt = r.off;
    r.off += this.count * 16;
    this.exemplars = NO_EXEMPLARS;
    if (flags & FLAG_EXEMPLARS) {
      const ne = r.uvarint();
      if (ne > 0) this.exemplars = readExemplars(r, ne);
    }
    this.createdTimestamp = flags & FLAG_CREATED ? r.f64() : 0;
    return r.off;
  }
}

/** A verified ingest message: tenant, metadata and its series, read in place. */
export class IngestMessageView {
  private constructor(
    readonly tenant: string,
    /** The tenant's head settings as the router sent them (none: the defaults). */
    readonly settings: IngestTenantSettings,
    readonly seriesCount: number,
    readonly metadata: readonly MetricMetadata[],
    private readonly body: Buffer,
    private readonly flags: number,
    private readonly seriesAt: number,
  ) {}

  /**
   * Verifies a message written by {@link encodeIngestMessage}: magic, version, checksum and the
   * whole structure, so a message is refused before anything of it is applied.
   */
  static read(data: Uint8Array): IngestMessageView {
    const wire = Buffer.isBuffer(data)
      ? data
      : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    // Messages written before label blocks may still sit in the stream after an upgrade.
    if (wire.length > 2 && wire.readUInt16BE(0) === INGEST_MAGIC && wire[2] === 1) {
      const old = readIngestV1(wire);
      return IngestMessageView.read(encodeIngestMessage(old.tenant, old.series, old.metadata));
    }
    const buf = verifiedBody(wire);
    const flags = wire[3];
    const r = new Reader(buf, 0);
    const tenant = r.str();
    const settings: IngestTenantSettings =
      flags & FLAG_OOO_WINDOW ? { outOfOrderWindowMs: r.uvarint() } : NO_SETTINGS;
    const nseries = r.uvarint();
    const seriesAt = r.off;
    for (let i = 0; i < nseries; i++) {
      r.need(8);
      r.off += 8;
      r.block();
      const n = r.uvarint();
      r.need(n * 16);
      r.off += n * 16;
      if (flags & FLAG_EXEMPLARS) {
        const ne = r.uvarint();
        if (ne > 0) readExemplars(r, ne);
      }
      if (flags & FLAG_CREATED) r.f64();
    }
    const metadata: MetricMetadata[] = [];
    if (flags & FLAG_METADATA) {
      const nm = r.uvarint();
      for (let k = 0; k < nm; k++) {
        const name = r.str();
        r.need(1);
        const type = METRIC_TYPES[buf[r.off++]] ?? 'unknown';
        metadata.push({ metricFamilyName: name, type, help: r.str(), unit: r.str() });
      }
    }
    if (r.off !== buf.length) fail('trailing bytes');
    return new IngestMessageView(tenant, settings, nseries, metadata, buf, flags, seriesAt);
  }

  /** Visits every series in order with one reused cursor. */
  forEach(visit: (series: IngestSeriesCursor) => void): void {
    const cursor = new IngestSeriesCursor(this.body);
    let off = this.seriesAt;
    for (let i = 0; i < this.seriesCount; i++) {
      off = cursor.read(off, this.flags);
      visit(cursor);
    }
  }
}

/** Decodes a message written by {@link encodeIngestMessage} into objects, verifying it first. */
export function decodeIngestMessage(data: Uint8Array): IngestMessage {
  const view = IngestMessageView.read(data);
  const series: IngestSeries[] = [];
  view.forEach((c) => {
    const timestamps = new Float64Array(c.count);
    const values = new Float64Array(c.count);
    for (let i = 0; i < c.count; i++) {
      timestamps[i] = c.timestamp(i);
      values[i] = c.value(i);
    }
    series.push(
      new IngestSeries(
        c.buf,
        c.start,
        c.end,
        c.hash,
        timestamps,
        values,
        c.exemplars,
        c.createdTimestamp !== 0 ? c.createdTimestamp : undefined,
      ),
    );
  });
  return { tenant: view.tenant, settings: view.settings, series, metadata: view.metadata };
}
