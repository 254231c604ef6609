/**
 * Go's unsigned varint (`encoding/binary`: 7 bits a byte, low groups first), which the block
 * index, the chunks' headers, the ingest stream and the ingester's snapshots all use. Values are
 * JS numbers, exact below 2^53.
 */

/** Bytes with a read position that {@link readUvarint} advances, bounded by `end`. */
export interface ByteCursor {
  readonly buf: Uint8Array;
  off: number;
  readonly end: number;
}

/** What {@link readUvarint} answers when the bytes end inside the varint. */
export const UVARINT_TRUNCATED = -1;
/** What {@link readUvarint} answers when the varint runs past 10 bytes (more than 64 bits). */
export const UVARINT_OVERFLOW = -2;

/**
 * Reads an unsigned varint at `c.off` and moves past it, as Go's `binary.Uvarint`; a malformed
 * one answers {@link UVARINT_TRUNCATED} or {@link UVARINT_OVERFLOW} and leaves `c.off` where it was,
 * so each format raises its own error.
 */
export function readUvarint(c: ByteCursor): number {
  const buf = c.buf;
  const end = c.end;
  let p = c.off;
  let v = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    if (p >= end) return UVARINT_TRUNCATED;
    const b = buf[p++];
    v += (b & 0x7f) * mul;
    if (b < 0x80) {
      c.off = p;
      return v;
    }
    mul *= 0x80;
  }
  return UVARINT_OVERFLOW;
}

/** Writes `v` (a non-negative integer) as an unsigned varint at `off`; the offset after it. At most 10 bytes. */
export function putUvarint(buf: Uint8Array, off: number, v: number): number {
  while (v >= 0x80) {
    buf[off++] = (v & 0x7f) | 0x80;
    v = Math.floor(v / 0x80);
  }
  buf[off++] = v;
  return off;
}

/** Go's zig-zag mapping of a signed integer onto the unsigned one its varint encodes. */
export function zigzag(v: number): number {
  return v >= 0 ? v * 2 : -v * 2 - 1;
}

/** The signed integer a zig-zag encoded unsigned one stands for (the inverse of {@link zigzag}). */
export function unzigzag(zz: number): number {
  return zz % 2 === 0 ? zz / 2 : -(zz + 1) / 2;
}
