import { BitReader, BitWriter, writeUvarint, writeVarint } from './bstream';
import { CorruptChunkError } from '../errors';
import { readUvarint, unzigzag } from '../varint';
import { STALE_NAN_HI, STALE_NAN_LO } from '@strata/contracts';

/** Chunk encoding byte Prometheus uses for XOR float chunks (`chunkenc.EncXOR`). */
export const ENC_XOR = 1;

// Float bits are handled as two unsigned 32-bit halves so the hot path never touches BigInt.
const scratch = new DataView(new ArrayBuffer(8));
// Read once: an imported binding is a getter chain through the barrels on every access, which
// took ~7% of `append` in the ingester's profile.
const STALE_LO = STALE_NAN_LO;
const STALE_HI = STALE_NAN_HI;
const STALE_HI_QUIETED = STALE_NAN_HI | 0x00080000;

function ctz32(x: number): number {
  return 31 - Math.clz32(x & -x);
}

// Same ranges as Prometheus' bitRange: asymmetric because the reader maps values above
// 2^(n-1) to negatives, so +2^(n-1) fits while -2^(n-1) does not.
function bitRange(x: number, nbits: number): boolean {
  const half = 2 ** (nbits - 1);
  return -(half - 1) <= x && x <= half;
}

/**
 * A Gorilla/XOR float chunk whose bytes are identical to Prometheus' `chunkenc.XORChunk`:
 * a 2-byte big-endian sample count followed by the bit stream.
 */
export class XorChunk {
  private readonly w: BitWriter;
  private num = 0;
  private t = 0;
  private tDelta = 0;
  private vHi = 0;
  private vLo = 0;
  private leading = 0xff;
  private trailing = 0;

  constructor(initialCapacity = 32) {
    this.w = new BitWriter(initialCapacity);
    this.w.writeByte(0);
    this.w.writeByte(0);
  }

  /** Number of samples appended. */
  numSamples(): number {
    return this.num;
  }

  /** Timestamp of the first sample (0 while empty). */
  minT(): number {
    // Read back from the bytes rather than kept in a field: one boxed double less per series.
    if (this.num === 0) return 0;
    const b = this.w.bytes();
    // After the two-byte sample count.
    return unzigzag(readUvarint({ buf: b, off: 2, end: b.length }));
  }

  /** Timestamp of the last sample (0 while empty). */
  maxT(): number {
    return this.t;
  }

  /** The encoded chunk bytes as Prometheus would write them to disk. */
  bytes(): Uint8Array {
    return this.w.bytes();
  }

  /** Trims spare capacity once the chunk is closed and returns its final bytes. */
  compact(): Uint8Array {
    return this.w.compact();
  }

  /** Appends a sample; callers guarantee `t` is not before the previous sample. */
  append(t: number, v: number): void {
    scratch.setFloat64(0, v);
    let hi = scratch.getUint32(0);
    const lo = scratch.getUint32(4);
    // Store the stale marker with Prometheus' exact bits even if V8 quieted the NaN on the way.
    if (lo === STALE_LO && hi === STALE_HI_QUIETED) hi = STALE_HI;
    const w = this.w;
    if (this.num === 0) {
      writeVarint(w, t);
      w.writeBits64(hi, lo, 64);
      this.tDelta = 0;
    } else {
      const tDelta = t - this.t;
      if (tDelta < 0) throw new RangeError(`xor chunk: timestamp ${t} before previous ${this.t}`);
      if (this.num === 1) {
        writeUvarint(w, tDelta);
      } else {
        const dod = tDelta - this.tDelta;
        if (dod === 0) {
          w.writeBit(0);
        } else if (bitRange(dod, 14)) {
          w.writeBits(0b10, 2);
          w.writeBits(dod & 0x3fff, 14);
        } else if (bitRange(dod, 17)) {
          w.writeBits(0b110, 3);
          w.writeBits(dod & 0x1ffff, 17);
        } else if (bitRange(dod, 20)) {
          w.writeBits(0b1110, 4);
          w.writeBits(dod & 0xfffff, 20);
        } else {
          w.writeBits(0b1111, 4);
          w.writeBits64(Math.floor(dod / 4294967296) >>> 0, dod >>> 0, 64);
        }
      }
      this.writeValueDelta(hi, lo);
      this.tDelta = tDelta;
    }
    this.t = t;
    // Kept as signed int32 so V8 stores them as small integers instead of boxed doubles.
    this.vHi = hi | 0;
    this.vLo = lo | 0;
    this.num++;
    w.setByte(0, (this.num >>> 8) & 0xff);
    w.setByte(1, this.num & 0xff);
  }

  /** Iterates the samples present now; later appends are not observed. */
  iterator(): XorIterator {
    return new XorIterator(this.w.bytes());
  }

  private writeValueDelta(hi: number, lo: number): void {
    const w = this.w;
    const dHi = (hi ^ this.vHi) >>> 0;
    const dLo = (lo ^ this.vLo) >>> 0;
    if (dHi === 0 && dLo === 0) {
      w.writeBit(0);
      return;
    }
    w.writeBit(1);
    let leading = dHi !== 0 ? Math.clz32(dHi) : 32 + Math.clz32(dLo);
    const trailing = dLo !== 0 ? ctz32(dLo) : 32 + ctz32(dHi);
    // Five bits hold the leading count, so Prometheus clamps it to 31.
    if (leading >= 32) leading = 31;
    if (this.leading !== 0xff && leading >= this.leading && trailing >= this.trailing) {
      w.writeBit(0);
      writeShifted(w, dHi, dLo, this.trailing, 64 - this.leading - this.trailing);
    } else {
      this.leading = leading;
      this.trailing = trailing;
      w.writeBit(1);
      w.writeBits(leading, 5);
      const sigbits = 64 - leading - trailing;
      // 64 significant bits do not fit in 6 bits; Prometheus writes 0 and readers map it back.
      w.writeBits(sigbits & 0x3f, 6);
      writeShifted(w, dHi, dLo, trailing, sigbits);
    }
  }
}

function writeShifted(w: BitWriter, hi: number, lo: number, shift: number, nbits: number): void {
  if (shift >= 32) {
    w.writeBits64(0, hi >>> (shift - 32), nbits);
  } else if (shift === 0) {
    w.writeBits64(hi, lo, nbits);
  } else {
    w.writeBits64(hi >>> shift, ((lo >>> shift) | (hi << (32 - shift))) >>> 0, nbits);
  }
}

/** Loads an XOR chunk from bytes (e.g. read from a block) for iteration. */
export function xorIteratorFromBytes(bytes: Uint8Array): XorIterator {
  if (bytes.length < 2) throw new CorruptChunkError('xor chunk shorter than its 2-byte header');
  return new XorIterator(bytes);
}

/** Forward iterator over an XOR chunk, mirroring Prometheus' `xorIterator`. */
export class XorIterator {
  private readonly br: BitReader;
  private readonly numTotal: number;
  private numRead = 0;
  private tDelta = 0;
  private vHi = 0;
  private vLo = 0;
  private leading = 0;
  private trailing = 0;
  /** Timestamp of the current sample. */
  t = Number.MIN_SAFE_INTEGER;
  /** Value of the current sample. */
  v = 0;

  constructor(bytes: Uint8Array) {
    this.numTotal = (bytes[0] << 8) | bytes[1];
    this.br = new BitReader(bytes, 2, bytes.length);
  }

  /** Advances to the next sample; false once exhausted. */
  next(): boolean {
    if (this.numRead === this.numTotal) return false;
    const br = this.br;
    if (this.numRead === 0) {
      this.t = br.readVarint();
      br.readBits64(64);
      this.vHi = br.hi;
      this.vLo = br.lo;
      this.setValue();
      this.numRead++;
      return true;
    }
    if (this.numRead === 1) {
      this.tDelta = br.readUvarint();
    } else {
      let d = 0;
      for (let i = 0; i < 4; i++) {
        d <<= 1;
        if (br.readBit() === 0) break;
        d |= 1;
      }
      let dod = 0;
      let sz = 0;
      switch (d) {
        case 0b10:
          sz = 14;
          break;
        case 0b110:
          sz = 17;
          break;
        case 0b1110:
          sz = 20;
          break;
        case 0b1111:
          br.readBits64(64);
          dod = (br.hi | 0) * 4294967296 + br.lo;
          break;
        default:
          break;
      }
      if (sz !== 0) {
        let bits = br.readBits(sz);
        if (bits > 1 << (sz - 1)) bits -= 1 << sz;
        dod = bits;
      }
      this.tDelta += dod;
    }
    this.t += this.tDelta;
    this.readValue();
    this.numRead++;
    return true;
  }

  /** Advances to the first sample at or after `t`; false if there is none. */
  seek(t: number): boolean {
    while (this.numRead === 0 || this.t < t) {
      if (!this.next()) return false;
    }
    return true;
  }

  private readValue(): void {
    const br = this.br;
    if (br.readBit() === 0) return;
    if (br.readBit() !== 0) {
      this.leading = br.readBits(5);
      let mbits = br.readBits(6);
      if (mbits === 0) mbits = 64;
      this.trailing = 64 - this.leading - mbits;
    }
    const mbits = 64 - this.leading - this.trailing;
    br.readBits64(mbits);
    const tr = this.trailing;
    let hi: number;
    let lo: number;
    if (tr >= 32) {
      hi = br.lo << (tr - 32);
      lo = 0;
    } else if (tr === 0) {
      hi = br.hi;
      lo = br.lo;
    } else {
      hi = (br.hi << tr) | (br.lo >>> (32 - tr));
      lo = br.lo << tr;
    }
    this.vHi = (this.vHi ^ hi) >>> 0;
    this.vLo = (this.vLo ^ lo) >>> 0;
    this.setValue();
  }

  private setValue(): void {
    scratch.setUint32(0, this.vHi);
    scratch.setUint32(4, this.vLo);
    this.v = scratch.getFloat64(0);
  }
}
