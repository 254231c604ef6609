import { Worker } from 'node:worker_threads';
import { type BlobDigest, type BlobPart } from '@strata/contracts';
import { DIRECT_ALIGN } from '@strata/objstore/files';

/** A part of a file with its place in it. */
export type FilePart = BlobPart & { offset: number };

// Runs in a worker thread. It reads the file front to back into one reused buffer (no garbage
// per read) up to the limit the caller last allowed, hashing the whole file and, with a part
// size, each part; it answers the whole digest once the caller says the file ends there. The
// reads skip the page cache (O_DIRECT, whole blocks into a page-aligned WebAssembly memory) where
// the filesystem allows: a cold read through it cost the kernel about 1.5 CPU s per GiB on the
// bench machine, a direct one under 0.1. A read that ends off a block goes on without O_DIRECT.
const HASHER = `
const { parentPort, workerData } = require('node:worker_threads');
const { openSync, readSync, closeSync, constants } = require('node:fs');
const { createHash } = require('node:crypto');
const { path, partSize, chunk } = workerData;
const ALIGN = ${DIRECT_ALIGN};
const whole = createHash('sha256');
let part = partSize > 0 ? createHash('sha256') : null;
let inPart = 0;
let at = 0;
let limit = 0;
let end = false;
let fd = null;
let direct = false;
const buffer = Buffer.from(new WebAssembly.Memory({ initial: Math.ceil(chunk / 65536) }).buffer, 0, chunk);
const openFile = () => {
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_DIRECT);
    direct = true;
  } catch {
    fd = openSync(path, 'r');
  }
};
const readAt = (wanted) => {
  if (direct && at % ALIGN !== 0) {
    closeSync(fd);
    fd = openSync(path, 'r');
    direct = false;
  }
  const ask = direct ? Math.min(buffer.length, Math.ceil(wanted / ALIGN) * ALIGN) : wanted;
  return Math.min(readSync(fd, buffer, 0, ask, at), wanted);
};
const partDone = () => {
  parentPort.postMessage({ part: part.digest('hex'), size: inPart, offset: at - inPart });
  part = createHash('sha256');
  inPart = 0;
};
parentPort.on('message', (m) => {
  try {
    if (fd === null) openFile();
    limit = Math.max(limit, m.upTo);
    end = end || m.end;
    while (at < limit) {
      const n = readAt(Math.min(buffer.length, limit - at));
      if (n === 0) throw new Error('the file ends at ' + at + ' bytes');
      const bytes = buffer.subarray(0, n);
      whole.update(bytes);
      for (let i = 0; part && i < n; ) {
        const take = Math.min(partSize - inPart, n - i);
        part.update(bytes.subarray(i, i + take));
        inPart += take;
        i += take;
        at += take;
        if (inPart === partSize) partDone();
      }
      if (!part) at += n;
    }
    if (end) {
      if (part && inPart > 0) partDone();
      closeSync(fd);
      parentPort.postMessage({ digest: whole.digest('hex'), size: at });
    }
  } catch (error) {
    parentPort.postMessage({ error: error.message });
  }
});
`;

/**
 * Reads of 1 MiB: sha256 runs at about 1.9 GB/s on 64 KiB to 1 MiB updates on the bench
 * machine and slower (1.2 GB/s) on 8 MiB ones, whose buffer no longer fits in the cache.
 */
const HASH_CHUNK_BYTES = 1 << 20;

/**
 * The sha256 of a file (and of each `partSize` part) computed on a worker thread, so hashing
 * overlaps the transfers on the main thread. The caller says how far the file is ready
 * (`allow`): a push allows all of it at once, a pull each prefix whose parts have arrived.
 */
export class FileHasher {
  /** The whole file's digest and size, once `allow(…, true)` was called and every byte hashed. */
  readonly result: Promise<{ digest: BlobDigest; size: number }>;
  private readonly worker: Worker;

  constructor(
    path: string,
    options: { partSize?: number; onPart?: (part: FilePart) => void } = {},
  ) {
    this.worker = new Worker(HASHER, {
      eval: true,
      workerData: { path, partSize: options.partSize ?? 0, chunk: HASH_CHUNK_BYTES },
    });
    this.result = new Promise((resolve, reject) => {
      this.worker.on(
        'message',
        (m: { part?: string; offset?: number; digest?: string; size: number; error?: string }) => {
          if (m.part !== undefined)
            options.onPart?.({
              digest: `sha256:${m.part}`,
              size: m.size,
              offset: m.offset ?? 0,
            });
          else if (m.digest !== undefined) resolve({ digest: `sha256:${m.digest}`, size: m.size });
          else reject(new Error(`hashing ${path}: ${m.error}`));
          if (m.part === undefined) void this.worker.terminate();
        },
      );
      this.worker.once('error', reject);
    });
    // A caller that gives up (a failed transfer) may never await the result.
    this.result.catch(() => undefined);
  }

  /** The first `bytes` of the file are final; `end`: the file ends there. */
  allow(bytes: number, end = false): void {
    this.worker.postMessage({ upTo: bytes, end });
  }

  /** Stops the worker without a result (the transfer it followed failed). */
  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}
