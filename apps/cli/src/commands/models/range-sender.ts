import { open } from 'node:fs/promises';
import { type ClientRequest } from 'node:http';
import {
  alignedBuffer,
  DIRECT_ALIGN,
  directReadLength,
  openForReading,
  type ReadSource,
} from '@strata/objstore/files';

/** Bytes per read of an upload. */
const READ_BYTES = 1 << 20;
/** Reads on their way to the socket at once, per upload. */
const IN_FLIGHT = 4;
/** Buffers of finished uploads kept for the next ones: three transfers at once use twelve. */
const MAX_IDLE = 16;
const idle: Buffer[] = [];

/**
 * Writes `size` bytes of the file at `path` from `offset` into the request and ends it; `onBytes`
 * hears each read as it is written. The reads go into a few reused buffers, each read again only
 * once the socket has taken its bytes: a read stream allocates a fresh buffer per read, and that
 * garbage (external memory, one MiB a read) kept the CLI's garbage collector busy through a push.
 * Resolves when the last byte is written or the request ended early (the server answered or the
 * connection broke: the request reports that itself); a failed read destroys the request.
 */
export async function sendFileRange(
  req: ClientRequest,
  path: string,
  offset: number,
  size: number,
  onBytes: (n: number) => void,
): Promise<void> {
  let closed = false;
  // Writes still under way hear a close: their callbacks may never come once the socket is gone.
  const waiting = new Set<(ok: boolean) => void>();
  const onClose = () => {
    closed = true;
    for (const resolve of waiting) resolve(false);
  };
  req.once('close', onClose);
  const buffers: Buffer[] = [];
  const writes: Array<Promise<boolean> | undefined> = [];
  let sent = false;
  // From the disk, past the page cache (see openForReading), when the range starts on a block;
  // parts start on multiples of the part size.
  const source: ReadSource | null = await (
    offset % DIRECT_ALIGN === 0
      ? openForReading(path)
      : open(path, 'r').then((handle) => ({ handle, direct: false }))
  ).catch((error: Error) => {
    req.destroy(error);
    return null;
  });
  const handle = source?.handle;
  try {
    for (let at = 0, slot = 0; handle && at < size && !closed; slot = (slot + 1) % IN_FLIGHT) {
      // The buffer of this slot is free once the socket took its last bytes.
      if (writes[slot] && !(await writes[slot])) return;
      // Page-aligned, as direct reads need.
      const buffer = (buffers[slot] ??= idle.pop() ?? alignedBuffer(READ_BYTES));
      let read: number;
      try {
        const wanted = Math.min(buffer.length, size - at);
        const { bytesRead } = await handle.read(
          buffer,
          0,
          source?.direct ? Math.min(buffer.length, directReadLength(wanted)) : wanted,
          offset + at,
        );
        // A direct read of whole blocks may bring bytes past the range.
        read = Math.min(bytesRead, wanted);
        if (read === 0) throw new Error(`${path} ends before byte ${offset + size}`);
      } catch (error) {
        req.destroy(error as Error);
        return;
      }
      if (closed) return;
      at += read;
      writes[slot] = new Promise((resolve) => {
        waiting.add(resolve);
        req.write(buffer.subarray(0, read), (error) => {
          waiting.delete(resolve);
          resolve(!error);
        });
      });
      onBytes(read);
    }
    if (handle && !closed) {
      for (const write of writes) if (write && !(await write)) return;
      sent = true;
      req.end();
    }
  } finally {
    req.off('close', onClose);
    await handle?.close();
    // A buffer goes back only when no write may still read it.
    if (sent) for (const buffer of buffers) if (idle.length < MAX_IDLE) idle.push(buffer);
  }
}
