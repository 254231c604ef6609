import { CorruptBlockError } from '../errors';
import { readUvarint } from '../varint';
import { type BlockFiles, coalesce } from './block-files';
import {
  CHUNKS_FORMAT_V1,
  MAGIC_CHUNKS,
  SEGMENT_HEADER_SIZE,
  segmentFileName,
  unpackChunkRef,
} from './chunk-writer';
import { ByteReader, be32At, verifyCrc } from './encoding';

/** A chunk read back from a segment file. */
export interface ReadChunk {
  readonly ref: number;
  readonly encoding: number;
  readonly data: Uint8Array;
}

// An XOR chunk of 120 samples is typically 100–300 bytes; bigger ones cost a second read.
const CHUNK_READ_GUESS = 1024;
const MAX_GAP = 16 * 1024;

/**
 * Reads chunks by reference from `chunks/NNNNNN` segments with ranged reads, merging chunks that
 * lie close together into one read and verifying each chunk's CRC32C.
 */
export class ChunkReader {
  private readonly checked = new Map<number, Promise<number>>();

  constructor(private readonly files: BlockFiles) {}

  /** Chunks for refs, in the order given. */
  async chunks(refs: readonly number[]): Promise<ReadChunk[]> {
    const out = new Array<ReadChunk>(refs.length);
    const bySeg = new Map<number, Array<{ offset: number; at: number }>>();
    refs.forEach((ref, at) => {
      const { seq, offset } = unpackChunkRef(ref);
      let l = bySeg.get(seq);
      if (!l) bySeg.set(seq, (l = []));
      l.push({ offset, at });
    });
    await Promise.all(
      [...bySeg].map(async ([seq, list]) => {
        const file = `chunks/${segmentFileName(seq)}`;
        const size = await this.segmentSize(seq, file);
        list.sort((a, b) => a.offset - b.offset);
        const starts = list.map((l) => l.offset);
        for (const s of starts) {
          if (s < SEGMENT_HEADER_SIZE || s >= size) {
            throw new CorruptBlockError(
              `${file}: chunk offset ${s} outside the segment of ${size} bytes`,
            );
          }
        }
        const groups = coalesce(
          starts,
          (i) => Math.min(starts[i] + CHUNK_READ_GUESS, size),
          MAX_GAP,
        );
        await Promise.all(
          groups.map(async (g) => {
            const buf = await this.files.readRange(file, g.from, g.to - g.from);
            for (let i = g.first; i <= g.last; i++) {
              const off = starts[i];
              let bytes = buf.subarray(off - g.from);
              const need = chunkLength(bytes);
              if (need === null || need > bytes.length) {
                bytes = await this.files.readRange(file, off, need ?? 16);
                const again = chunkLength(bytes);
                if (again !== null && again > bytes.length)
                  bytes = await this.files.readRange(file, off, again);
              }
              out[list[i].at] = decodeChunk(bytes, refs[list[i].at], `${file} chunk at ${off}`);
            }
          }),
        );
      }),
    );
    return out;
  }

  // Checks a segment's header once and remembers its size.
  private segmentSize(seq: number, file: string): Promise<number> {
    let p = this.checked.get(seq);
    if (!p) {
      p = (async () => {
        const size = await this.files.size(file).catch((e: unknown) => {
          throw new CorruptBlockError(`${file}: missing segment (${(e as Error).message})`);
        });
        const h = await this.files.readRange(file, 0, SEGMENT_HEADER_SIZE);
        if (h.length < SEGMENT_HEADER_SIZE || be32At(h, 0) !== MAGIC_CHUNKS)
          throw new CorruptBlockError(`${file}: invalid chunk segment header`);
        if (h[4] !== CHUNKS_FORMAT_V1)
          throw new CorruptBlockError(`${file}: unsupported segment version ${h[4]}`);
        return size;
      })();
      this.checked.set(seq, p);
      p.catch(() => this.checked.delete(seq));
    }
    return p;
  }
}

function decodeChunk(b: Uint8Array, ref: number, what: string): ReadChunk {
  const r = new ByteReader(b, 0, b.length, what);
  const len = r.uvarint();
  const start = r.off;
  if (start + 1 + len + 4 > b.length)
    throw new CorruptBlockError(`${what}: chunk of ${len} bytes runs past the segment`);
  verifyCrc(b.subarray(start, start + 1 + len), be32At(b, start + 1 + len), what);
  return { ref, encoding: b[start], data: b.subarray(start + 1, start + 1 + len) };
}

// Bytes a chunk occupies (length prefix, encoding, data, CRC), or null if the prefix is cut off.
function chunkLength(b: Uint8Array): number | null {
  const prefix = { buf: b, off: 0, end: b.length };
  const len = readUvarint(prefix);
  return len < 0 ? null : prefix.off + 1 + len + 4;
}
