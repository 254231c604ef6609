import { putUvarint, readUvarint } from '../varint';
import { ENC_XOR, type XorChunk, xorIteratorFromBytes } from '../chunk/xor';
import { CorruptChunkError } from '../errors';
import { type SampleIterator } from '../iterator';

/** Chunk encoding byte of Thanos' aggregate chunks (`downsample.ChunkEncAggr`). */
export const ENC_AGGR = 0xff;

/** The aggregates of a downsampled chunk, in the order Thanos encodes them (`AggrType`). */
export const AGGREGATES = ['count', 'sum', 'min', 'max', 'counter'] as const;

/** One aggregate of a downsampled series. */
export type Aggregate = (typeof AGGREGATES)[number];

/** Downsampling resolutions Thanos defines, in ms. */
export const RESOLUTION_5M = 5 * 60 * 1000;
/** The 1 h resolution, in ms. */
export const RESOLUTION_1H = 60 * 60 * 1000;

/**
 * Encodes Thanos' AggrChunk: for each aggregate in {@link AGGREGATES} order, a uvarint length of
 * its chunk bytes (0 when absent), then the chunk's encoding byte and bytes.
 */
export function encodeAggrChunk(chunks: Partial<Record<Aggregate, XorChunk>>): Uint8Array {
  const parts: number[] = [];
  for (const a of AGGREGATES) {
    const c = chunks[a];
    if (c === undefined) {
      parts.push(0);
      continue;
    }
    const bytes = c.bytes();
    const len = new Uint8Array(10);
    parts.push(...len.subarray(0, putUvarint(len, 0, bytes.length)), ENC_XOR, ...bytes);
  }
  return Uint8Array.from(parts);
}

/** The XOR bytes of one aggregate of an AggrChunk, or null when the chunk does not hold it. */
export function aggrChunkPart(data: Uint8Array, aggregate: Aggregate): Uint8Array | null {
  let pos = 0;
  for (const a of AGGREGATES) {
    if (pos >= data.length) throw new CorruptChunkError('aggregate chunk truncated');
    const cursor = { buf: data, off: pos, end: data.length };
    const len = readUvarint(cursor);
    if (len < 0) throw new CorruptChunkError('bad uvarint in aggregate chunk');
    pos = cursor.off;
    if (len === 0) {
      if (a === aggregate) return null;
      continue;
    }
    const enc = data[pos];
    if (a === aggregate) {
      if (enc !== ENC_XOR)
        throw new CorruptChunkError(`aggregate ${a} has chunk encoding ${enc}, not XOR`);
      if (pos + 1 + len > data.length) throw new CorruptChunkError('aggregate chunk truncated');
      return data.subarray(pos + 1, pos + 1 + len);
    }
    pos += 1 + len;
  }
  return null;
}

/** An iterator over one aggregate of an AggrChunk (empty when the aggregate is absent). */
export function aggrIterator(data: Uint8Array, aggregate: Aggregate): SampleIterator {
  const part = aggrChunkPart(data, aggregate);
  return xorIteratorFromBytes(part ?? Uint8Array.of(0, 0));
}
