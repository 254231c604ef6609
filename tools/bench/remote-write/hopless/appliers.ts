// The two ways the prototype applies an acknowledged write: on the main thread (variant A), or
// packed and transferred to a worker thread that owns the heads (variant B).
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { type DecodedBatch } from '@strata/remote-write';
import { type FromWorker, type ToWorker } from './apply-worker';
import { type HeadCounts, PrototypeHeads } from './heads';
import { InOrder } from './in-order';
import { packWrite } from './packed-write';

/** Applies acknowledged writes to the heads in stream order. */
export interface Applier {
  /** Resolves once the write stored at `seq` is in the heads. */
  apply(seq: number, batch: DecodedBatch): Promise<void>;
  counts(): Promise<HeadCounts>;
  /** The Linux thread id of the thread that appends, when not the main one. */
  readonly workerTid: Promise<number | null>;
  close(): Promise<void>;
}

/** Variant A: the heads on the main thread, applied right after the ack. */
export function inlineApplier(partitions: number): Applier {
  const heads = new PrototypeHeads(partitions);
  const order = new InOrder<DecodedBatch>(0, (_, batch) => {
    for (const s of batch.series)
      heads.apply(s, s.hashLow52, s.timestamps, s.values, 0, s.timestamps.length);
  });
  return {
    apply: (seq, batch) => order.submit(seq, batch).then(() => undefined),
    counts: () => Promise.resolve(heads.counts()),
    workerTid: Promise.resolve(null),
    close: () => Promise.resolve(),
  };
}

/** Variant B: the heads on a worker thread; each write packed and transferred in stream order. */
export function workerApplier(partitions: number): Applier {
  const worker = new Worker(join(__dirname, 'apply-worker.ts'), { workerData: { partitions } });
  const applied = new Map<number, () => void>();
  let counted: ((c: HeadCounts) => void) | null = null;
  let tid: (t: number) => void = () => undefined;
  const workerTid = new Promise<number | null>((r) => (tid = r));
  worker.on('message', (m: FromWorker) => {
    if ('applied' in m) {
      applied.get(m.applied)?.();
      applied.delete(m.applied);
    } else if ('counts' in m) counted?.(m.counts);
    else tid(m.tid);
  });
  const post = (m: ToWorker, transfer: ArrayBuffer[] = []) => worker.postMessage(m, transfer);
  const order = new InOrder<DecodedBatch>(0, (seq, batch) => {
    const buffer = packWrite(batch.series);
    post({ seq, buffer }, [buffer]);
  });
  return {
    async apply(seq, batch) {
      const done = new Promise<void>((r) => applied.set(seq, r));
      if (await order.submit(seq, batch)) await done;
      else applied.delete(seq);
    },
    counts: () =>
      new Promise((r) => {
        counted = r;
        post({ counts: true });
      }),
    workerTid,
    close: () => worker.terminate().then(() => undefined),
  };
}
