import { CorruptBlockError } from '../errors';
import { ByteReader, ByteWriter, be32At, verifyCrc } from './encoding';

/** Magic number opening a tombstones file. */
export const MAGIC_TOMBSTONES = 0x0130ba30;
/** Tombstones format version. */
export const TOMBSTONES_FORMAT_V1 = 1;

/** A deleted time range [minT, maxT] (both inclusive) of one series. */
export interface Tombstone {
  readonly seriesRef: number;
  readonly minT: number;
  readonly maxT: number;
}

/** Encodes a tombstones file: header, `ref mint maxt` entries, and a CRC32C over the entries. */
export function encodeTombstones(stones: readonly Tombstone[] = []): Buffer {
  const b = new ByteWriter(16);
  b.putBE32(MAGIC_TOMBSTONES);
  b.putByte(TOMBSTONES_FORMAT_V1);
  for (const s of stones) {
    b.putUvarint(s.seriesRef);
    b.putVarint(s.minT);
    b.putVarint(s.maxT);
  }
  b.putCrcSince(5);
  return Buffer.from(b.bytes());
}

/** Decodes and verifies a tombstones file. */
export function decodeTombstones(bytes: Uint8Array): Tombstone[] {
  if (bytes.length < 9)
    throw new CorruptBlockError(`tombstones: file of ${bytes.length} bytes is too short`);
  if (be32At(bytes, 0) !== MAGIC_TOMBSTONES)
    throw new CorruptBlockError(
      `tombstones: invalid magic number ${be32At(bytes, 0).toString(16)}`,
    );
  if (bytes[4] !== TOMBSTONES_FORMAT_V1)
    throw new CorruptBlockError(`tombstones: unsupported version ${bytes[4]}`);
  verifyCrc(bytes.subarray(5, bytes.length - 4), be32At(bytes, bytes.length - 4), 'tombstones');
  const r = new ByteReader(bytes, 5, bytes.length - 4, 'tombstones');
  const out: Tombstone[] = [];
  while (r.remaining() > 0)
    out.push({ seriesRef: r.uvarint(), minT: r.varint(), maxT: r.varint() });
  return out;
}
