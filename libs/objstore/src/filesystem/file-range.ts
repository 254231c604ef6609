import { type Writable } from 'node:stream';
import { type ObjectRange } from '../bucket';
import { alignedBuffer, DIRECT_ALIGN, directReadLength, type ReadSource } from './direct-io';

/** Bytes per read of a range. */
const READ_BYTES = 1 << 20;
/** Reads on their way to the output at once, per range. */
const IN_FLIGHT = 4;
/** Buffers of finished ranges kept for the next ones (three downloads at once use twelve). */
const MAX_IDLE = 16;
const idle: Buffer[] = [];

/**
 * `length` bytes of an open file from `offset`, written out from a few reused page-aligned
 * buffers, each read again only once the output has taken its bytes: a read stream allocates a
 * fresh buffer per read, and that garbage (a MiB of external memory a read) made V8 run full
 * mark-compacts through a large download. On a file opened with O_DIRECT the reads are whole
 * aligned blocks (a range starting off a block reads from the block's start and skips the head).
 */
export class FileRange implements ObjectRange {
  private closed = false;

  constructor(
    private readonly source: ReadSource,
    private readonly offset: number,
    readonly length: number,
  ) {}

  async writeTo(out: Writable): Promise<boolean> {
    let gone = false;
    // Writes still under way hear a close: their callbacks may never come once the socket is gone.
    const waiting = new Set<(ok: boolean) => void>();
    const onClose = () => {
      gone = true;
      for (const resolve of waiting) resolve(false);
    };
    out.once('close', onClose);
    const buffers: Buffer[] = [];
    const writes: Array<Promise<boolean> | undefined> = [];
    let done = false;
    try {
      const end = this.offset + this.length;
      for (let at = this.offset, slot = 0; at < end && !gone; slot = (slot + 1) % IN_FLIGHT) {
        // The buffer of this slot is free once the output took its last bytes.
        if (writes[slot] && !(await writes[slot])) return false;
        const buffer = (buffers[slot] ??= idle.pop() ?? alignedBuffer(READ_BYTES));
        const { from, skip, ask } = this.plan(at, end, buffer.length);
        const { bytesRead } = await this.source.handle.read(buffer, 0, ask, from);
        const read = Math.min(bytesRead, end - from) - skip;
        if (read <= 0) throw new Error(`the file ends before byte ${end}`);
        if (gone) return false;
        at += read;
        writes[slot] = new Promise((resolve) => {
          waiting.add(resolve);
          out.write(buffer.subarray(skip, skip + read), (error) => {
            waiting.delete(resolve);
            resolve(!error);
          });
        });
      }
      for (const write of writes) if (write && !(await write)) return false;
      done = !gone;
      return done;
    } finally {
      out.off('close', onClose);
      await this.close();
      // A buffer goes back only when no write may still read it.
      if (done) for (const buffer of buffers) if (idle.length < MAX_IDLE) idle.push(buffer);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.source.handle.close();
  }

  /** Where the read for position `at` starts, how much of it to skip and how much to ask. */
  private plan(at: number, end: number, room: number): { from: number; skip: number; ask: number } {
    if (!this.source.direct) return { from: at, skip: 0, ask: Math.min(room, end - at) };
    const skip = at % DIRECT_ALIGN;
    const from = at - skip;
    return { from, skip, ask: Math.min(room, directReadLength(end - from)) };
  }
}
