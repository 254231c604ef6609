import { type ByteCursor, UVARINT_TRUNCATED, putUvarint, readUvarint } from '@strata/tsdb';

/** A growable little-endian writer for the snapshot format. */
export class ByteWriter {
  private buf = Buffer.allocUnsafe(1 << 16);
  off = 0;

  private ensure(n: number): void {
    if (this.off + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.off + n));
    this.buf.copy(next, 0, 0, this.off);
    this.buf = next;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.off++] = v;
  }

  u32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32LE(v, this.off);
    this.off += 4;
  }

  f64(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(v, this.off);
    this.off += 8;
  }

  uvarint(v: number): void {
    this.ensure(10);
    this.off = putUvarint(this.buf, this.off, v);
  }

  bytes(b: Uint8Array): void {
    this.uvarint(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.off);
    this.off += b.length;
  }

  str(s: string): void {
    const n = Buffer.byteLength(s, 'utf8');
    this.uvarint(n);
    this.ensure(n);
    this.off += this.buf.write(s, this.off, 'utf8');
  }

  /** The bytes written so far (a view, valid until the next write). */
  result(): Buffer {
    return this.buf.subarray(0, this.off);
  }
}

/** The reading side of {@link ByteWriter}; every read checks bounds and throws `fail(why)`. */
export class ByteReader implements ByteCursor {
  off = 0;

  constructor(
    readonly buf: Buffer,
    readonly end: number,
    private readonly fail: (why: string) => never,
  ) {}

  private need(n: number): void {
    if (this.off + n > this.end) this.fail('truncated');
  }

  u8(): number {
    this.need(1);
    return this.buf[this.off++];
  }

  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32LE(this.off);
    this.off += 4;
    return v;
  }

  f64(): number {
    this.need(8);
    const v = this.buf.readDoubleLE(this.off);
    this.off += 8;
    return v;
  }

  uvarint(): number {
    const v = readUvarint(this);
    if (v >= 0) return v;
    return this.fail(v === UVARINT_TRUNCATED ? 'truncated' : 'varint too long');
  }

  bytes(): Uint8Array {
    const n = this.uvarint();
    this.need(n);
    // A copy, so restored chunks do not pin the whole snapshot file in memory.
    const out = new Uint8Array(n);
    out.set(this.buf.subarray(this.off, this.off + n));
    this.off += n;
    return out;
  }

  str(): string {
    const n = this.uvarint();
    this.need(n);
    const s = this.buf.toString('utf8', this.off, this.off + n);
    this.off += n;
    return s;
  }

  get done(): boolean {
    return this.off === this.end;
  }
}
