import { type FileHandle, open, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Byte ranges of one block's files, by path relative to the block (`index`, `chunks/000001`,
 * `meta.json`). A filesystem reads them with positioned reads; a bucket with ranged GETs.
 */
export interface BlockFiles {
  /** Bytes [offset, offset + length) of `file`; fewer when the range runs past the end of the file. */
  readRange(file: string, offset: number, length: number): Promise<Uint8Array>;
  /** Size of `file` in bytes. */
  size(file: string): Promise<number>;
  /** Releases handles held open between reads. */
  close(): Promise<void>;
}

/** {@link BlockFiles} over a block directory on the local filesystem. */
export class FsBlockFiles implements BlockFiles {
  private readonly handles = new Map<string, Promise<FileHandle>>();

  constructor(readonly dir: string) {}

  async readRange(file: string, offset: number, length: number): Promise<Uint8Array> {
    const fh = await this.handle(file);
    const out = Buffer.allocUnsafe(length);
    let got = 0;
    while (got < length) {
      const { bytesRead } = await fh.read(out, got, length - got, offset + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return out.subarray(0, got);
  }

  async size(file: string): Promise<number> {
    return (await stat(join(this.dir, file))).size;
  }

  async close(): Promise<void> {
    const all = [...this.handles.values()];
    this.handles.clear();
    for (const h of all) await (await h.catch(() => null))?.close();
  }

  private handle(file: string): Promise<FileHandle> {
    let h = this.handles.get(file);
    if (!h) {
      h = open(join(this.dir, file), 'r');
      this.handles.set(file, h);
      h.catch(() => this.handles.delete(file));
    }
    return h;
  }
}

/** Groups sorted offsets into read ranges, merging neighbours whose gap is below `maxGap` bytes. */
export function coalesce(
  starts: readonly number[],
  estimateEnd: (i: number) => number,
  maxGap: number,
): Array<{ from: number; to: number; first: number; last: number }> {
  const out: Array<{ from: number; to: number; first: number; last: number }> = [];
  for (let i = 0; i < starts.length; i++) {
    const end = estimateEnd(i);
    const cur = out[out.length - 1];
    if (cur !== undefined && starts[i] <= cur.to + maxGap) {
      cur.to = Math.max(cur.to, end);
      cur.last = i;
    } else {
      out.push({ from: starts[i], to: end, first: i, last: i });
    }
  }
  return out;
}
