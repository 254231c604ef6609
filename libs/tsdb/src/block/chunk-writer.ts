import { join } from 'node:path';
import { ByteWriter, crc32cOf } from './encoding';
import { FileWriter } from './file-writer';

/** Magic number opening every chunk segment file. */
export const MAGIC_CHUNKS = 0x85bd40dd;
/** Chunk segment format version. */
export const CHUNKS_FORMAT_V1 = 1;
/** Segment header: magic, version, 3 bytes of padding. */
export const SEGMENT_HEADER_SIZE = 8;
/** Prometheus' default segment size limit (512 MiB). */
export const DEFAULT_SEGMENT_SIZE = 512 * 1024 * 1024;

/** Name of segment `seq` (0-based) inside `chunks/`: `000001`, `000002`, ... */
export function segmentFileName(seq: number): string {
  return String(seq + 1).padStart(6, '0');
}

/** Packs a segment sequence number and an offset into a chunk reference (seq in the upper 32 bits). */
export function chunkRef(seq: number, offset: number): number {
  return seq * 4294967296 + offset;
}

/** Splits a chunk reference into segment sequence number and offset. */
export function unpackChunkRef(ref: number): { seq: number; offset: number } {
  return { seq: Math.floor(ref / 4294967296), offset: ref % 4294967296 };
}

/** A segment file once closed: name relative to the block and size. */
export interface WrittenSegment {
  readonly name: string;
  readonly size: number;
}

/**
 * Writes chunks into `chunks/000001…` segment files, cutting a new segment when the next chunk
 * would pass the size limit, and hands back each chunk's reference for the index.
 */
export class ChunkWriter {
  private file: FileWriter | null = null;
  private seq = -1;
  private readonly done: WrittenSegment[] = [];
  private readonly enc = new ByteWriter(4096);

  constructor(
    private readonly dir: string,
    private readonly segmentSize = DEFAULT_SEGMENT_SIZE,
  ) {}

  /** Appends one chunk (`encoding` byte and data) and returns its reference. */
  async write(encoding: number, data: Uint8Array): Promise<number> {
    const e = this.enc;
    e.reset();
    e.putUvarint(data.length);
    const crcFrom = e.length;
    e.putByte(encoding);
    e.putBytes(data);
    e.putBE32(crc32cOf(e.bytes().subarray(crcFrom)));
    const size = e.length;
    if (
      this.file === null ||
      (this.file.pos + size > this.segmentSize && this.file.pos > SEGMENT_HEADER_SIZE)
    ) {
      await this.cut();
    }
    const file = this.file as FileWriter;
    const ref = chunkRef(this.seq, file.pos);
    await file.write(e.bytes());
    return ref;
  }

  /** Closes the last segment; returns every segment written, in order. */
  async close(): Promise<WrittenSegment[]> {
    await this.finishSegment();
    return this.done;
  }

  /** Closes open files after a failure. */
  async abort(): Promise<void> {
    await this.file?.abort();
    this.file = null;
  }

  private async cut(): Promise<void> {
    await this.finishSegment();
    this.seq++;
    this.file = await FileWriter.create(join(this.dir, segmentFileName(this.seq)));
    const h = new ByteWriter(SEGMENT_HEADER_SIZE);
    h.putBE32(MAGIC_CHUNKS);
    h.putByte(CHUNKS_FORMAT_V1);
    h.putBytes(new Uint8Array(3));
    await this.file.write(h.bytes());
  }

  private async finishSegment(): Promise<void> {
    if (this.file === null) return;
    const size = await this.file.close();
    this.done.push({ name: `chunks/${segmentFileName(this.seq)}`, size });
    this.file = null;
  }
}
