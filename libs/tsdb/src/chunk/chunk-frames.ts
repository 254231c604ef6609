import { CorruptChunkError } from '../errors';
import { XorIterator } from './xor';

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
  const ts = new Float64Array(total);
  const vs = new Float64Array(total);
  let n = 0;
  for (let off = 0; off < frames.length;) {
    const len = readLength(view, off, frames.length);
    const it = new XorIterator(frames.subarray(off + 4, off + 4 + len));
    while (it.next()) {
      const t = it.t;
      if (t < mint) continue;
      if (t > maxt) break;
      ts[n] = t;
      vs[n] = it.v;
      n++;
    }
    off += 4 + len;
  }
  return { timestamps: ts.subarray(0, n), values: vs.subarray(0, n) };
}

function readLength(view: DataView, off: number, end: number): number {
  if (off + 6 > end) throw new CorruptChunkError('chunk frame shorter than its header');
  const len = view.getUint32(off, true);
  if (len < 2 || off + 4 + len > end) throw new CorruptChunkError('chunk frame overruns its bytes');
  return len;
}
