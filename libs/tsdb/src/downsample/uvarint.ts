import { CorruptChunkError } from '../errors';

/** Reads an unsigned varint at `pos`: its value and how many bytes it took. */
export function readUvarintAt(data: Uint8Array, pos: number): [number, number] {
  let v = 0;
  let mul = 1;
  for (let i = pos; i < data.length && i < pos + 8; i++) {
    v += (data[i] & 0x7f) * mul;
    if (data[i] < 0x80) return [v, i - pos + 1];
    mul *= 128;
  }
  throw new CorruptChunkError('bad uvarint in aggregate chunk');
}
