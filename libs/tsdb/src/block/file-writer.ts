import { type FileHandle, open } from 'node:fs/promises';

const FLUSH_AT = 1 << 20;
const ZEROS = new Uint8Array(16);

/**
 * Appends to a file through a 1 MiB buffer, tracking the position so sections can record their
 * offsets; `writeAt` patches bytes already written (section lengths known only at their end).
 */
export class FileWriter {
  private buf = Buffer.allocUnsafe(FLUSH_AT * 2);
  private buffered = 0;
  private flushed = 0;

  private constructor(
    private readonly fh: FileHandle,
    readonly path: string,
  ) {}

  /** Creates (or truncates) the file. */
  static async create(path: string): Promise<FileWriter> {
    return new FileWriter(await open(path, 'w'), path);
  }

  /** Offset the next byte will be written at. */
  get pos(): number {
    return this.flushed + this.buffered;
  }

  /** Appends bytes. */
  async write(b: Uint8Array): Promise<void> {
    if (this.buffered + b.length > this.buf.length) {
      await this.flush();
      if (b.length > this.buf.length) {
        await this.writeFully(b, this.flushed);
        this.flushed += b.length;
        return;
      }
    }
    this.buf.set(b, this.buffered);
    this.buffered += b.length;
    if (this.buffered >= FLUSH_AT) await this.flush();
  }

  /** Appends zero bytes until the position is a multiple of `align` (at most 16). */
  async pad(align: number): Promise<void> {
    const r = this.pos % align;
    if (r !== 0) await this.write(ZEROS.subarray(0, align - r));
  }

  /** Overwrites bytes at an earlier position. */
  async writeAt(b: Uint8Array, position: number): Promise<void> {
    await this.flush();
    await this.writeFully(b, position);
  }

  /** Writes out the buffer. */
  async flush(): Promise<void> {
    if (this.buffered === 0) return;
    await this.writeFully(this.buf.subarray(0, this.buffered), this.flushed);
    this.flushed += this.buffered;
    this.buffered = 0;
  }

  /** Flushes, fsyncs and closes the file; returns its size. */
  async close(): Promise<number> {
    await this.flush();
    await this.fh.sync();
    await this.fh.close();
    return this.flushed;
  }

  /** Closes without syncing, for cleanup after a failure. */
  async abort(): Promise<void> {
    await this.fh.close().catch(() => undefined);
  }

  private async writeFully(b: Uint8Array, position: number): Promise<void> {
    let off = 0;
    while (off < b.length) {
      const { bytesWritten } = await this.fh.write(b, off, b.length - off, position + off);
      off += bytesWritten;
    }
  }
}
