import { type FileHandle, open } from 'node:fs/promises';
import { alignedBuffer, DIRECT_ALIGN, type WriteTarget } from './direct-io';

/** Bytes gathered before one write. */
const DEFAULT_BATCH_BYTES = 4 << 20;

/**
 * Buffers of finished writers, for the next ones, by size: a fresh 4 MiB buffer per writer made V8
 * run a full mark-compact every few dozen MiB (its external memory grew), the gateway's largest
 * cost. They are page-aligned, so they serve O_DIRECT writes too.
 */
const idle = new Map<number, Buffer[]>();
/** Idle buffers kept at most per size (32 MiB of 4 MiB ones): a few transfers at once, flat in file size. */
const MAX_IDLE = 8;

function takeBuffer(bytes: number): Buffer {
  return idle.get(bytes)?.pop() ?? alignedBuffer(bytes);
}

function returnBuffer(buffer: Buffer): void {
  const list = idle.get(buffer.length) ?? [];
  if (list.length < MAX_IDLE) list.push(buffer);
  idle.set(buffer.length, list);
}

/** Writes `length` bytes of `buffer` at `position`, again after a short write. */
async function writeAt(
  handle: FileHandle,
  buffer: Buffer,
  offset: number,
  length: number,
  position: number,
): Promise<void> {
  for (let at = 0; at < length;) {
    const { bytesWritten } = await handle.write(buffer, offset + at, length - at, position + at);
    at += bytesWritten;
  }
}

function alignDown(n: number): number {
  return n - (n % DIRECT_ALIGN);
}

/**
 * Writes a stream's chunks to a file from `position` on in batches of a few MiB: each chunk is
 * copied into one of two reused buffers, and one buffer is on its way to the disk while the other
 * fills. Network streams arrive in 64 KiB chunks; a write per chunk (a thread-pool round trip each)
 * cost more CPU than hashing the bytes, and holding the chunks themselves until a batch was full
 * kept them alive past the young generation, which made the garbage collector the largest cost.
 * On a file opened with O_DIRECT (`openForWriting`) the batches end on aligned file offsets and go
 * straight to the disk; only an unaligned head or tail (under 4 KiB) goes through the page cache.
 */
export class BatchedFileWriter {
  private readonly handle: FileHandle;
  private readonly direct: WriteTarget | null;
  private readonly buffers: Buffer[] = [];
  private current = 0;
  private filled = 0;
  /** Where the current batch is written, and how many bytes it takes before it is. */
  private capacity: number;
  private inFlight: Promise<void> = Promise.resolve();
  /** Set once a direct write failed with EINVAL: the rest goes through the page cache. */
  private directRefused = false;
  /** The file without O_DIRECT, opened for an unaligned head or tail only. */
  private buffered: Promise<FileHandle> | null = null;

  constructor(
    target: FileHandle | WriteTarget,
    private position: number,
    private readonly batchBytes = DEFAULT_BATCH_BYTES,
  ) {
    const isTarget = 'direct' in target;
    this.handle = isTarget ? target.handle : target;
    this.direct = isTarget && target.direct ? target : null;
    // A direct write starting off alignment first fills up to the next aligned offset.
    const head = position % DIRECT_ALIGN;
    this.capacity = this.direct && head > 0 ? DIRECT_ALIGN - head : batchBytes;
  }

  /** Takes the chunk's bytes (copied: the chunk may be reused); resolves when more may come. */
  async write(chunk: Uint8Array): Promise<void> {
    for (let at = 0; at < chunk.length;) {
      const buffer = this.buffer();
      const take = Math.min(chunk.length - at, this.capacity - this.filled);
      buffer.set(chunk.subarray(at, at + take), this.filled);
      this.filled += take;
      at += take;
      if (this.filled === this.capacity) await this.flush();
    }
  }

  /** Writes what is gathered and waits until every byte is written. */
  async end(): Promise<void> {
    try {
      if (this.filled > 0) await this.flush();
      await this.inFlight;
    } finally {
      await this.closeBuffered();
    }
    this.release();
  }

  /** Waits for a write under way without failing: after an error, before the file is closed. */
  async settle(): Promise<void> {
    await this.inFlight.catch(() => undefined);
    await this.closeBuffered().catch(() => undefined);
    this.release();
  }

  private buffer(): Buffer {
    // Taken on first use: a small body only touches its own pages of a fresh one.
    this.buffers[this.current] ??= takeBuffer(this.batchBytes);
    return this.buffers[this.current];
  }

  /** Hands the buffers on once no write uses them. */
  private release(): void {
    for (const buffer of this.buffers.splice(0)) returnBuffer(buffer);
    this.filled = 0;
  }

  private async flush(): Promise<void> {
    const buffer = this.buffer();
    const length = this.filled;
    const position = this.position;
    // The other buffer is free once its write is done.
    await this.inFlight;
    this.inFlight = this.writeBatch(buffer, length, position);
    // Awaited by the next flush or by end(); a failure meanwhile must not go unhandled.
    this.inFlight.catch(() => undefined);
    this.position += length;
    this.filled = 0;
    this.capacity = this.batchBytes;
    this.current ^= 1;
  }

  private async writeBatch(buffer: Buffer, length: number, position: number): Promise<void> {
    if (!this.direct) return writeAt(this.handle, buffer, 0, length, position);
    const aligned = position % DIRECT_ALIGN === 0 && !this.directRefused ? alignDown(length) : 0;
    try {
      if (aligned > 0) await writeAt(this.handle, buffer, 0, aligned, position);
    } catch (error) {
      // A filesystem that opened the file with O_DIRECT but refuses its writes: the page cache.
      if ((error as NodeJS.ErrnoException).code !== 'EINVAL') throw error;
      this.directRefused = true;
      return writeAt(await this.bufferedHandle(), buffer, 0, length, position);
    }
    if (aligned < length)
      await writeAt(
        await this.bufferedHandle(),
        buffer,
        aligned,
        length - aligned,
        position + aligned,
      );
  }

  private bufferedHandle(): Promise<FileHandle> {
    this.buffered ??= open(this.direct?.path ?? '', 'r+');
    return this.buffered;
  }

  private async closeBuffered(): Promise<void> {
    const buffered = this.buffered;
    this.buffered = null;
    if (buffered) await (await buffered).close();
  }
}
