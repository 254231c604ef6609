import { type FileHandle } from 'node:fs/promises';

/** Bytes gathered before one write. */
const DEFAULT_BATCH_BYTES = 4 << 20;

/**
 * Buffers of finished writers, for the next ones: a fresh 4 MiB buffer per writer made V8 run a
 * full mark-compact every few dozen MiB (its external memory grew), the gateway's largest cost.
 */
const idle: Buffer[] = [];
/** Idle buffers kept at most (32 MiB): enough for a few transfers at once, flat in file size. */
const MAX_IDLE = 8;

/** Writes `length` bytes of `buffer` at `position`, again after a short write. */
async function writeAt(
  handle: FileHandle,
  buffer: Buffer,
  length: number,
  position: number,
): Promise<void> {
  for (let at = 0; at < length;) {
    const { bytesWritten } = await handle.write(buffer, at, length - at, position + at);
    at += bytesWritten;
  }
}

/**
 * Writes a stream's chunks to a file from `position` on in batches of a few MiB: each chunk is
 * copied into one of two reused buffers, and one buffer is on its way to the disk while the other
 * fills. Network streams arrive in 64 KiB chunks; a write per chunk (a thread-pool round trip each)
 * cost more CPU than hashing the bytes, and holding the chunks themselves until a batch was full
 * kept them alive past the young generation, which made the garbage collector the largest cost.
 */
export class BatchedFileWriter {
  private readonly buffers: Buffer[] = [];
  private current = 0;
  private filled = 0;
  private inFlight: Promise<void> = Promise.resolve();

  constructor(
    private readonly handle: FileHandle,
    private position: number,
    private readonly batchBytes = DEFAULT_BATCH_BYTES,
  ) {}

  /** Takes the chunk's bytes (copied: the chunk may be reused); resolves when more may come. */
  async write(chunk: Uint8Array): Promise<void> {
    for (let at = 0; at < chunk.length;) {
      const buffer = this.buffer();
      const take = Math.min(chunk.length - at, buffer.length - this.filled);
      buffer.set(chunk.subarray(at, at + take), this.filled);
      this.filled += take;
      at += take;
      if (this.filled === buffer.length) await this.flush();
    }
  }

  /** Writes what is gathered and waits until every byte is written. */
  async end(): Promise<void> {
    if (this.filled > 0) await this.flush();
    await this.inFlight;
    this.release();
  }

  /** Waits for a write under way without failing: after an error, before the file is closed. */
  async settle(): Promise<void> {
    await this.inFlight.catch(() => undefined);
    this.release();
  }

  private buffer(): Buffer {
    // Taken on first use: a small body only touches its own pages of a fresh one.
    this.buffers[this.current] ??=
      (this.batchBytes === DEFAULT_BATCH_BYTES ? idle.pop() : undefined) ??
      Buffer.allocUnsafeSlow(this.batchBytes);
    return this.buffers[this.current];
  }

  /** Hands the buffers on once no write uses them. */
  private release(): void {
    for (const buffer of this.buffers.splice(0))
      if (buffer.length === DEFAULT_BATCH_BYTES && idle.length < MAX_IDLE) idle.push(buffer);
    this.filled = 0;
  }

  private async flush(): Promise<void> {
    const buffer = this.buffer();
    const length = this.filled;
    const position = this.position;
    // The other buffer is free once its write is done.
    await this.inFlight;
    this.inFlight = writeAt(this.handle, buffer, length, position);
    // Awaited by the next flush or by end(); a failure meanwhile must not go unhandled.
    this.inFlight.catch(() => undefined);
    this.position += length;
    this.filled = 0;
    this.current ^= 1;
  }
}
