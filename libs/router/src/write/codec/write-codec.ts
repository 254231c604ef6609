import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { type LabelInjection, RemoteWriteError } from '@strata/remote-write';
import { type CodecReply, type CodecRequest } from './codec-messages';
import { type PrepareWriteInput, type PreparedWrite, prepareWrite } from './prepare-write';

/** Turns remote writes into ingest messages; throws RemoteWriteError on bad input. */
export interface WriteCodec {
  /** `injection` holds the labels every series gets (the tenant's). */
  prepare(input: PrepareWriteInput, injection: LabelInjection): Promise<PreparedWrite>;
  close(): Promise<void>;
}

/** Prepares writes on the calling thread. */
export class InlineWriteCodec implements WriteCodec {
  prepare(input: PrepareWriteInput, injection: LabelInjection): Promise<PreparedWrite> {
    try {
      return Promise.resolve(prepareWrite(input, injection));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

interface Pending {
  resolve(prepared: PreparedWrite): void;
  reject(error: Error): void;
}

/**
 * Prepares writes on a few worker threads, so decoding and encoding run beside the event loop
 * that serves HTTP, publishes and applies: in one process the platform then uses more than one
 * core, as a Go monolith would. Each thread takes the next write when it is the least busy.
 */
export class ThreadedWriteCodec implements WriteCodec {
  private readonly workers: Array<{ worker: Worker; pending: Map<number, Pending> }> = [];
  private nextId = 1;
  private closed = false;

  constructor(threads: number) {
    for (let i = 0; i < threads; i++) this.workers.push(this.spawn());
  }

  prepare(input: PrepareWriteInput, injection: LabelInjection): Promise<PreparedWrite> {
    if (this.closed) return Promise.reject(new Error('the write codec is closed'));
    const slot = this.workers.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const id = this.nextId++;
    return new Promise<PreparedWrite>((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      const request: CodecRequest = { id, input, injected: injection.labels };
      slot.worker.postMessage(request);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }

  private spawn(): { worker: Worker; pending: Map<number, Pending> } {
    // The worker file sits beside this one: .ts when the platform runs from source, which the
    // thread then loads through the same TypeScript loader; .js when built.
    const ext = extname(__filename);
    const worker = new Worker(join(__dirname, `codec.worker${ext}`), {
      execArgv: ext === '.ts' ? ['--require', '@swc-node/register'] : [],
    });
    const slot = { worker, pending: new Map<number, Pending>() };
    worker.unref();
    worker.on('message', (reply: CodecReply) => {
      const p = slot.pending.get(reply.id);
      if (!p) return;
      slot.pending.delete(reply.id);
      if ('prepared' in reply) p.resolve(reply.prepared);
      else if ('refused' in reply)
        p.reject(new RemoteWriteError(reply.refused.code, reply.refused.message));
      else p.reject(new Error(`write codec thread failed: ${reply.failed}`));
    });
    worker.on('error', (error) => this.fail(slot, error));
    worker.on('exit', (code) => {
      if (this.closed) return;
      this.fail(slot, new Error(`write codec thread exited with code ${code}`));
      // A thread that died (out of memory, a bug) is replaced; its writes fail and are retried.
      const i = this.workers.indexOf(slot);
      if (i >= 0) this.workers[i] = this.spawn();
    });
    return slot;
  }

  private fail(slot: { pending: Map<number, Pending> }, error: Error): void {
    for (const p of slot.pending.values()) p.reject(error);
    slot.pending.clear();
  }
}
