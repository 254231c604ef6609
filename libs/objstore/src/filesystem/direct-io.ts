import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';

/**
 * Alignment of O_DIRECT transfers (address, length and file offset): the page size, a multiple of
 * every logical block size Linux filesystems use.
 */
export const DIRECT_ALIGN = 4096;

/** WebAssembly pages are 64 KiB. */
const WASM_PAGE = 64 << 10;

/** Node has WebAssembly; the project's TypeScript libs (no DOM) do not declare it. */
const { Memory } = (
  globalThis as unknown as {
    WebAssembly: { Memory: new (descriptor: { initial: number }) => { buffer: ArrayBuffer } };
  }
).WebAssembly;

/**
 * A buffer whose memory starts on a page boundary, as O_DIRECT requires. Node's buffers come from
 * malloc (16-byte aligned); a WebAssembly memory is mapped by pages of its own, so its start is
 * page-aligned. `bytes` is rounded up to whole 64 KiB pages.
 */
export function alignedBuffer(bytes: number): Buffer {
  const memory = new Memory({ initial: Math.ceil(bytes / WASM_PAGE) });
  return Buffer.from(memory.buffer, 0, bytes);
}

/** A file opened for writes, straight to the disk (O_DIRECT) where the filesystem allows it. */
export interface WriteTarget {
  handle: FileHandle;
  /** Writes through `handle` must be aligned (DIRECT_ALIGN) in memory, length and offset. */
  direct: boolean;
  /** Where the file is, for the unaligned head or tail of a write (through the page cache). */
  path: string;
}

/**
 * Opens `path` for writing (`wx`: a new file; `r+`: an existing one) with O_DIRECT, or without it
 * on filesystems that refuse it (tmpfs). Writing through the page cache cost this VM's kernel
 * 5–6 CPU s per GiB (copying into freshly allocated page-cache folios, then writing them back at
 * the fsync); a direct write hands the buffer to the disk and costs a tenth of that.
 */
export async function openForWriting(
  path: string,
  flags: 'wx' | 'r+',
  mode = 0o644,
): Promise<WriteTarget> {
  const base =
    flags === 'wx' ? constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL : constants.O_WRONLY;
  if (constants.O_DIRECT !== undefined) {
    try {
      return { handle: await open(path, base | constants.O_DIRECT, mode), direct: true, path };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EINVAL') throw error;
    }
  }
  // A filesystem may create the file before it refuses O_DIRECT: `wx` found it, so it is ours.
  const retry = flags === 'wx' ? constants.O_WRONLY | constants.O_CREAT : base;
  return { handle: await open(path, retry, mode), direct: false, path };
}

/** A file opened for reads, from the disk without the page cache (O_DIRECT) where allowed. */
export interface ReadSource {
  handle: FileHandle;
  /** Reads through `handle` must be aligned (DIRECT_ALIGN) in memory, length and offset. */
  direct: boolean;
}

/**
 * Opens `path` for reading with O_DIRECT, or without it where the filesystem refuses it. A cold
 * read through the page cache cost this VM's kernel about 1.5 CPU s per GiB (filling fresh
 * folios), a direct one under 0.1; a file read once, as a blob on its way out is, gains nothing
 * from being cached.
 */
export async function openForReading(path: string): Promise<ReadSource> {
  if (constants.O_DIRECT !== undefined) {
    try {
      return { handle: await open(path, constants.O_RDONLY | constants.O_DIRECT), direct: true };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EINVAL') throw error;
    }
  }
  return { handle: await open(path, 'r'), direct: false };
}

/** The length to ask of a direct read for `wanted` bytes: whole blocks (a read past the end is short). */
export function directReadLength(wanted: number): number {
  return Math.ceil(wanted / DIRECT_ALIGN) * DIRECT_ALIGN;
}
