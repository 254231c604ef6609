import { CorruptChunkError } from '../errors';
import { unzigzag, zigzag } from '../varint';

/** An append-only big-endian bit stream, the layout Prometheus' `bstream` writes. */
export class BitWriter {
  private buf: Uint8Array;
  private len = 0;
  /** Bits still free in the last byte (0 means a new byte is needed). */
  private free = 0;

  constructor(initialCapacity = 32) {
    this.buf = new Uint8Array(initialCapacity);
  }

  /** Number of bytes written so far, the last one possibly partial. */
  get length(): number {
    return this.len;
  }

  /** The written bytes; a view, so later appends may be visible through it. */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }

  /** Overwrites a byte already written, used for the chunk's sample count header. */
  setByte(index: number, value: number): void {
    this.buf[index] = value;
  }

  /** Appends a whole byte regardless of bit alignment. */
  writeByte(b: number): void {
    this.writeBits(b & 0xff, 8);
  }

  /** Appends one bit. */
  writeBit(bit: number): void {
    if (this.free === 0) this.grow();
    if (bit) this.buf[this.len - 1] |= 1 << (this.free - 1);
    this.free--;
  }

  /** Appends the low `nbits` (at most 32) bits of `value`, most significant first. */
  writeBits(value: number, nbits: number): void {
    while (nbits > 0) {
      if (this.free === 0) this.grow();
      const take = nbits < this.free ? nbits : this.free;
      const bits = (value >>> (nbits - take)) & ((1 << take) - 1);
      this.buf[this.len - 1] |= bits << (this.free - take);
      this.free -= take;
      nbits -= take;
    }
  }

  /** Appends the low `nbits` (at most 64) bits of the 64-bit value `hi:lo`. */
  writeBits64(hi: number, lo: number, nbits: number): void {
    if (nbits > 32) {
      this.writeBits(hi, nbits - 32);
      this.writeBits(lo, 32);
    } else {
      this.writeBits(lo, nbits);
    }
  }

  /** Drops spare capacity so closed chunks cost only their encoded size. */
  compact(): Uint8Array {
    if (this.buf.length !== this.len) this.buf = this.buf.slice(0, this.len);
    return this.buf;
  }

  private grow(): void {
    if (this.len === this.buf.length) {
      const next = new Uint8Array(Math.max(16, this.buf.length * 2));
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.len++] = 0;
    this.free = 8;
  }
}

/** Reads a big-endian bit stream written by {@link BitWriter} or Prometheus. */
export class BitReader {
  private pos: number;
  private readonly endBit: number;
  /** High 32 bits of the last {@link readBits64} result. */
  hi = 0;
  /** Low 32 bits of the last {@link readBits64} result. */
  lo = 0;

  constructor(
    private readonly buf: Uint8Array,
    startByte: number,
    endByte: number,
  ) {
    this.pos = startByte * 8;
    this.endBit = endByte * 8;
  }

  /** Reads one bit. */
  readBit(): number {
    if (this.pos >= this.endBit) throw new CorruptChunkError('unexpected end of chunk');
    const p = this.pos++;
    return (this.buf[p >>> 3] >>> (7 - (p & 7))) & 1;
  }

  /** Reads `nbits` (at most 32) bits as an unsigned number. */
  readBits(nbits: number): number {
    if (this.pos + nbits > this.endBit) throw new CorruptChunkError('unexpected end of chunk');
    let v = 0;
    while (nbits > 0) {
      const avail = 8 - (this.pos & 7);
      const take = nbits < avail ? nbits : avail;
      const bits = (this.buf[this.pos >>> 3] >>> (avail - take)) & ((1 << take) - 1);
      v = ((v << take) | bits) >>> 0;
      this.pos += take;
      nbits -= take;
    }
    return v;
  }

  /** Reads `nbits` (at most 64) bits into {@link hi} and {@link lo}. */
  readBits64(nbits: number): void {
    if (nbits > 32) {
      this.hi = this.readBits(nbits - 32);
      this.lo = this.readBits(32);
    } else {
      this.hi = 0;
      this.lo = this.readBits(nbits);
    }
  }

  /** Reads an unsigned LEB128 varint as Go's `binary.ReadUvarint` does. */
  readUvarint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.readBits(8);
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 128;
    }
    throw new CorruptChunkError('varint overflows 64 bits');
  }

  /** Reads a zig-zag signed varint as Go's `binary.ReadVarint` does. */
  readVarint(): number {
    return unzigzag(this.readUvarint());
  }
}

/** Writes an unsigned varint; exact for values below 2^53. */
export function writeUvarint(w: BitWriter, v: number): void {
  while (v >= 0x80) {
    w.writeByte((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  w.writeByte(v);
}

/** Writes a zig-zag signed varint; exact for magnitudes below 2^52. */
export function writeVarint(w: BitWriter, v: number): void {
  writeUvarint(w, zigzag(v));
}
