// Variant B's worker: owns the partitions' heads and applies packed writes in the order the main
// thread posts them (the stream's order), answering each sequence once it is in the heads.
import { parentPort, workerData } from 'node:worker_threads';
import { PrototypeHeads } from './heads';
import { forEachPacked } from './packed-write';
import { threadId } from './thread-id';

/** What the main thread posts to the worker. */
export type ToWorker = { seq: number; buffer: ArrayBuffer } | { counts: true };

/** What the worker posts back. */
export type FromWorker =
  { applied: number } | { counts: ReturnType<PrototypeHeads['counts']> } | { tid: number };

const port = parentPort;
if (port) {
  const heads = new PrototypeHeads((workerData as { partitions: number }).partitions);
  const apply = heads.apply.bind(heads);
  const post = (m: FromWorker) => port.postMessage(m);
  port.on('message', (m: ToWorker) => {
    if ('counts' in m) return post({ counts: heads.counts() });
    forEachPacked(m.buffer, apply);
    post({ applied: m.seq });
  });
  post({ tid: threadId() });
}
