import { Worker } from 'node:worker_threads';
import { type BlobDigest, type BlobPart } from '@strata/contracts';

/** A part of a file with its place in it. */
export type FilePart = BlobPart & { offset: number };

// Runs in a worker thread. It reads the file front to back into one reused buffer (no garbage
// per read) up to the limit the caller last allowed, hashing the whole file and, with a part
// size, each part; it answers the whole digest once the caller says the file ends there.
const HASHER = `
const { parentPort, workerData } = require('node:worker_threads');
const { openSync, readSync, closeSync } = require('node:fs');
const { createHash } = require('node:crypto');
const { path, partSize, chunk } = workerData;
const whole = createHash('sha256');
let part = partSize > 0 ? createHash('sha256') : null;
let inPart = 0;
let at = 0;
let limit = 0;
let end = false;
let fd = null;
const buffer = Buffer.allocUnsafe(chunk);
const partDone = () => {
  parentPort.postMessage({ part: part.digest('hex'), size: inPart, offset: at - inPart });
  part = createHash('sha256');
  inPart = 0;
};
parentPort.on('message', (m) => {
  try {
    fd ??= openSync(path, 'r');
    limit = Math.max(limit, m.upTo);
    end = end || m.end;
    while (at < limit) {
      const n = readSync(fd, buffer, 0, Math.min(buffer.length, limit - at), at);
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
