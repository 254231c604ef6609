import { CorruptChunkError } from '../errors';

/**
 * XOR chunks of one series as one byte string: each chunk is its byte length (uint32, little
 * endian) then its bytes, oldest chunk first. This is how the Store API ships head chunks as they
 * are held, so neither side expands them into 16 bytes per sample on the way.
 */
export function encodeChunkFrames(chunks: readonly Uint8Array[]): Buffer {
  let size = 0;
  for (const c of chunks) size += 4 + c.length;
  const out = Buffer.allocUnsafe(size);
  let off = 0;
  for (const c of chunks) {
    out.writeUInt32LE(c.length, off);
    out.set(c, off + 4);
    off += 4 + c.length;
  }
  return out;
}

/** Samples an encoding of {@link encodeChunkFrames} holds (from each chunk's 2-byte header). */
export function chunkFramesSamples(chunks: readonly Uint8Array[]): number {
  let n = 0;
  for (const c of chunks) n += (c[0] << 8) | c[1];
  return n;
}

/** Decodes {@link encodeChunkFrames} into time-ordered arrays, keeping samples in [mint, maxt]. */
export function decodeChunkFrames(
  frames: Uint8Array,
  mint: number,
  maxt: number,
): { timestamps: Float64Array; values: Float64Array } {
  const view = new DataView(frames.buffer, frames.byteOffset, frames.byteLength);
  let total = 0;
  for (let off = 0; off < frames.length;) {
    const len = readLength(view, off, frames.length);
    total += (frames[off + 4] << 8) | frames[off + 5];
    off += 4 + len;
  }
  const into = { ts: new Float64Array(total), vs: new Float64Array(total) };
  const n = decodeChunkFramesInto(frames, mint, maxt, into);
  return { timestamps: into.ts.subarray(0, n), values: into.vs.subarray(0, n) };
}

/** Two parallel arrays a decoder writes samples into; it replaces them with longer ones when they are too short. */
export interface SampleBuffer {
  ts: Float64Array;
  vs: Float64Array;
}

/**
 * Decodes {@link encodeChunkFrames} into `into` from index 0, keeping samples in [mint, maxt], and
 * returns how many it kept. Reading many series through one `into` allocates nothing once its
 * arrays are long enough for the longest.
 */
export function decodeChunkFramesInto(
  frames: Uint8Array,
  mint: number,
  maxt: number,
  into: SampleBuffer,
): number {
  const view = new DataView(frames.buffer, frames.byteOffset, frames.byteLength);
  let total = 0;
  for (let off = 0; off < frames.length;) {
    const len = readLength(view, off, frames.length);
    total += (frames[off + 4] << 8) | frames[off + 5];
    off += 4 + len;
  }
  if (into.ts.length < total || into.vs.length < total) {
    const size = Math.max(total, 2 * into.ts.length);
    into.ts = new Float64Array(size);
    into.vs = new Float64Array(size);
  }
  const { ts, vs } = into;
  let n = 0;
  for (let off = 0; off < frames.length;) {
    const len = view.getUint32(off, true);
    n = decodeXorInto(frames, off + 4, off + 4 + len, ts, vs, n, mint, maxt);
    off += 4 + len;
  }
  return n;
}

/**
 * Whether some chunk of an {@link encodeChunkFrames} encoding starts inside [mint, maxt]: proof,
 * from the chunks' headers alone, that the frames hold a sample in that window. False says
 * nothing; only decoding tells.
 */
export function chunkFramesStartWithin(frames: Uint8Array, mint: number, maxt: number): boolean {
  const view = new DataView(frames.buffer, frames.byteOffset, frames.byteLength);
  for (let off = 0; off < frames.length;) {
    const len = readLength(view, off, frames.length);
    if (((frames[off + 4] << 8) | frames[off + 5]) > 0) {
      // The first sample's timestamp: a zig-zag varint right after the 2-byte count.
      let v = 0;
      let mul = 1;
      for (let i = off + 6; i < off + 4 + len && i < off + 16; i++) {
        const byte = frames[i];
        v += (byte & 0x7f) * mul;
        if (byte < 0x80) {
          const t = v % 2 === 0 ? v / 2 : -(v + 1) / 2;
          if (t >= mint && t <= maxt) return true;
          break;
        }
        mul *= 128;
      }
    }
    off += 4 + len;
  }
  return false;
}

function readLength(view: DataView, off: number, end: number): number {
  if (off + 6 > end) throw new CorruptChunkError('chunk frame shorter than its header');
  const len = view.getUint32(off, true);
  if (len < 2 || off + 4 + len > end) throw new CorruptChunkError('chunk frame overruns its bytes');
  return len;
}

// A double and its two 32-bit halves over the same bytes, to turn bits into a value without a DataView.
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const HI = LITTLE_ENDIAN ? 1 : 0;
const LO = LITTLE_ENDIAN ? 0 : 1;

/** 32 bits of `b` starting at bit `pos` (big-endian bit order); bytes at or past `end` read as 0. */
function peek32(b: Uint8Array, pos: number, end: number): number {
  const i = pos >>> 3;
  let w: number;
  if (i + 4 < end) {
    w = (b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3];
    const o = pos & 7;
    if (o !== 0) w = (w << o) | (b[i + 4] >>> (8 - o));
    return w >>> 0;
  }
  w = 0;
  for (let k = 0; k < 5; k++) w = w * 256 + (i + k < end ? b[i + k] : 0);
  // 40 bits in w; keep the 32 that start at bit (pos & 7).
  return Math.floor(w / 2 ** (8 - (pos & 7))) % 4294967296;
}

/**
 * Decodes one XOR chunk (`b[start..end)`, Prometheus' layout) straight into `ts`/`vs` from index
 * `n`, keeping samples in [mint, maxt]; returns the new count. The same arithmetic as
 * {@link XorIterator} with the bit reads inlined: the query side decodes every sample it reads.
 */
function decodeXorInto(
  b: Uint8Array,
  start: number,
  end: number,
  ts: Float64Array,
  vs: Float64Array,
  n: number,
  mint: number,
  maxt: number,
): number {
  const num = (b[start] << 8) | b[start + 1];
  const endBit = end * 8;
  let pos = (start + 2) * 8;
  let t = 0;
  let tDelta = 0;
  let hi = 0;
  let lo = 0;
  let leading = 0;
  let trailing = 0;
  let vw = 0;
  let haveVw = false;
  for (let k = 0; k < num; k++) {
    if (k <= 1) {
      // A varint: sample 0's timestamp (zig-zag), sample 1's delta.
      let v = 0;
      let mul = 1;
      for (let i = 0; ; i++) {
        if (i === 10) throw new CorruptChunkError('varint overflows 64 bits');
        const byte = peek32(b, pos, end) >>> 24;
        pos += 8;
        v += (byte & 0x7f) * mul;
        if (byte < 0x80) break;
        mul *= 128;
      }
      if (k === 0) {
        t = v % 2 === 0 ? v / 2 : -(v + 1) / 2;
        hi = peek32(b, pos, end);
        lo = peek32(b, pos + 32, end);
        pos += 64;
      } else {
        tDelta = v;
      }
    } else {
      const w = peek32(b, pos, end);
      if (w >>> 31 === 0) {
        pos += 1;
        // The value's header (at most 13 bits) follows in the same word: no second read.
        vw = w << 1;
        haveVw = true;
      } else {
        let sz: number;
        if (w >>> 30 === 0b10) {
          pos += 2;
          sz = 14;
        } else if (w >>> 29 === 0b110) {
          pos += 3;
          sz = 17;
        } else if (w >>> 28 === 0b1110) {
          pos += 4;
          sz = 20;
        } else {
          pos += 4;
          sz = 0;
        }
        let dod: number;
        if (sz === 0) {
          const dHi = peek32(b, pos, end);
          const dLo = peek32(b, pos + 32, end);
          pos += 64;
          dod = (dHi | 0) * 4294967296 + dLo;
        } else {
          let bits = peek32(b, pos, end) >>> (32 - sz);
          pos += sz;
          if (bits > 1 << (sz - 1)) bits -= 1 << sz;
          dod = bits;
        }
        tDelta += dod;
      }
    }
    if (k > 0) {
      t += tDelta;
      const w = haveVw ? vw : peek32(b, pos, end);
      haveVw = false;
      if (w >>> 31 === 0) {
        pos += 1;
      } else {
        if (((w >>> 30) & 1) !== 0) {
          leading = (w >>> 25) & 0x1f;
          let mbits = (w >>> 19) & 0x3f;
          if (mbits === 0) mbits = 64;
          trailing = 64 - leading - mbits;
          pos += 13;
        } else {
          pos += 2;
        }
        const mbits = 64 - leading - trailing;
        let xHi: number;
        let xLo: number;
        if (mbits > 32) {
          xHi = peek32(b, pos, end) >>> (64 - mbits);
          xLo = peek32(b, pos + mbits - 32, end);
        } else {
          xHi = 0;
          xLo = peek32(b, pos, end) >>> (32 - mbits);
        }
        pos += mbits;
        const tr = trailing;
        let dHi: number;
        let dLo: number;
        if (tr >= 32) {
          dHi = xLo << (tr - 32);
          dLo = 0;
        } else if (tr === 0) {
          dHi = xHi;
          dLo = xLo;
        } else {
          dHi = (xHi << tr) | (xLo >>> (32 - tr));
          dLo = xLo << tr;
        }
        hi = (hi ^ dHi) >>> 0;
        lo = (lo ^ dLo) >>> 0;
      }
    }
    if (pos > endBit) throw new CorruptChunkError('unexpected end of chunk');
    if (t < mint) continue;
    if (t > maxt) break;
    u32[HI] = hi;
    u32[LO] = lo;
    ts[n] = t;
    vs[n] = f64[0];
    n++;
  }
  return n;
}
