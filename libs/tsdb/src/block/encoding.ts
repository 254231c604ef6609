import { crc32c } from '@node-rs/crc32';
import { CorruptBlockError } from '../errors';
import {
  type ByteCursor,
  UVARINT_TRUNCATED,
  putUvarint,
  readUvarint,
  unzigzag,
  zigzag,
} from '../varint';

const TWO_32 = 4294967296;
const utf8 = new TextDecoder('utf-8', { fatal: false });
// Read once: an imported binding is a property lookup on every use.
const uvarintOf = readUvarint;
const writeUvarint = putUvarint;

/** CRC32 with the Castagnoli polynomial over `bytes`, continuing from `prev` when given. */
export function crc32cOf(bytes: Uint8Array, prev?: number): number {
  return crc32c(bytes, prev) >>> 0;
}

/**
 * A growable big-endian byte buffer with Go's varint encodings, the `Encbuf` of the index and
 * chunk formats. Integers up to 2^53 are exact; block offsets and timestamps stay far below that.
 */
export class ByteWriter {
  private buf: Buffer;
  private len = 0;

  constructor(initialCapacity = 256) {
    this.buf = Buffer.allocUnsafe(initialCapacity);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.len;
  }

  /** A view of the written bytes, valid until the next write or reset. */
  bytes(): Buffer {
    return this.buf.subarray(0, this.len);
  }

  /** Forgets the content, keeping the capacity. */
  reset(): void {
    this.len = 0;
  }

  /** Appends one byte. */
  putByte(b: number): void {
    this.ensure(1);
    this.buf[this.len++] = b & 0xff;
  }

  /** Appends raw bytes. */
  putBytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  /** Appends an unsigned 32-bit big-endian integer. */
  putBE32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.len);
    this.len += 4;
  }

  /** Appends an unsigned 64-bit big-endian integer (exact up to 2^53). */
  putBE64(v: number): void {
    this.ensure(8);
    this.buf.writeUInt32BE(Math.floor(v / TWO_32) >>> 0, this.len);
    this.buf.writeUInt32BE((v % TWO_32) >>> 0, this.len + 4);
    this.len += 8;
  }

  /** Appends Go's unsigned varint (7 bits per byte, low groups first). */
  putUvarint(v: number): void {
    if (v < 0 || !Number.isInteger(v)) throw new RangeError(`uvarint of ${v}`);
    this.ensure(10);
    this.len = writeUvarint(this.buf, this.len, v);
  }

  /** Appends Go's signed (zig-zag) varint. */
  putVarint(v: number): void {
    this.putUvarint(zigzag(v));
  }

  /** Appends a string as uvarint byte length followed by its UTF-8 bytes. */
  putUvarintStr(s: string): void {
    const n = Buffer.byteLength(s, 'utf8');
    this.putUvarint(n);
    this.ensure(n);
    this.len += this.buf.write(s, this.len, 'utf8');
  }

  /** Appends the big-endian CRC32C of the bytes written since `from`. */
  putCrcSince(from: number): void {
    this.putBE32(crc32cOf(this.buf.subarray(from, this.len)));
  }

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
}

/** A cursor over bytes with the decoding counterparts of {@link ByteWriter}; overruns raise {@link CorruptBlockError}. */
export class ByteReader implements ByteCursor {
  off: number;

  constructor(
    readonly buf: Uint8Array,
    start = 0,
    readonly end = buf.length,
    /** Named in error messages, e.g. `index series 42`. */
    readonly what = 'block data',
  ) {
    this.off = start;
  }

  /** Bytes left before `end`. */
  remaining(): number {
    return this.end - this.off;
  }

  /** Reads one byte. */
  byte(): number {
    this.need(1);
    return this.buf[this.off++];
  }

  /** Reads an unsigned 32-bit big-endian integer. */
  be32(): number {
    this.need(4);
    const b = this.buf;
    const p = this.off;
    this.off += 4;
    return ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
  }

  /** Reads an unsigned 64-bit big-endian integer (exact up to 2^53). */
  be64(): number {
    const hi = this.be32();
    return hi * TWO_32 + this.be32();
  }

  /** Reads Go's unsigned varint. */
  uvarint(): number {
    const v = uvarintOf(this);
    if (v >= 0) return v;
    throw new CorruptBlockError(
      v === UVARINT_TRUNCATED
        ? `${this.what}: unexpected end of data in a varint at offset ${this.off}`
        : `${this.what}: varint overflows 64 bits at offset ${this.off}`,
    );
  }

  /** Reads Go's signed (zig-zag) varint. */
  varint(): number {
    return unzigzag(this.uvarint());
  }

  /** Reads `n` raw bytes as a view. */
  bytes(n: number): Uint8Array {
    this.need(n);
    const out = this.buf.subarray(this.off, this.off + n);
    this.off += n;
    return out;
  }

  /** Reads a uvarint-length-prefixed UTF-8 string. */
  uvarintStr(): string {
    return utf8.decode(this.bytes(this.uvarint()));
  }

  /** Skips `n` bytes. */
  skip(n: number): void {
    this.need(n);
    this.off += n;
  }

  private need(n: number): void {
    if (this.off + n > this.end) {
      throw new CorruptBlockError(
        `${this.what}: unexpected end of data (need ${n} bytes at offset ${this.off}, have ${this.end - this.off})`,
      );
    }
  }
}

/** Reads a big-endian uint32 at `off` without a cursor. */
export function be32At(b: Uint8Array, off: number): number {
  return ((b[off] << 24) | (b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3]) >>> 0;
}

/** Throws {@link CorruptBlockError} naming `what` when the CRC32C of `data` differs from `expected`. */
export function verifyCrc(data: Uint8Array, expected: number, what: string): void {
  const actual = crc32cOf(data);
  if (actual !== expected) {
    throw new CorruptBlockError(
      `${what}: checksum mismatch (stored crc32c ${hex(expected)}, computed ${hex(actual)})`,
    );
  }
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

/**
 * Compares strings by their UTF-8 bytes, the order Prometheus sorts symbols, label values and
 * series in. UTF-16 code-unit order agrees except between surrogates (code points above U+FFFF)
 * and U+E000–U+FFFF, which this corrects.
 */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return adjust(x) - adjust(y);
  }
  return a.length - b.length;
}

function adjust(u: number): number {
  if (u < 0xd800) return u;
  return u >= 0xe000 ? u - 0x800 : u + 0x2000;
}
