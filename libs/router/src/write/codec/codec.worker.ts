// A router codec thread: decodes, validates and encodes remote writes off the event loop.
import { parentPort } from 'node:worker_threads';
import { type InjectedLabel, LabelInjection, RemoteWriteError } from '@strata/remote-write';
import { type CodecReply, type CodecRequest } from './codec-messages';
import { prepareWrite } from './prepare-write';

/** Injections by their labels, so each tenant's is encoded once per thread. */
class InjectionCache {
  private readonly cache = new Map<string, LabelInjection>();

  get(injected: readonly InjectedLabel[]): LabelInjection {
    const key = JSON.stringify(injected);
    let hit = this.cache.get(key);
    if (!hit) {
      if (this.cache.size > 10_000) this.cache.clear();
      hit = new LabelInjection(injected);
      this.cache.set(key, hit);
    }
    return hit;
  }
}

const injections = new InjectionCache();

parentPort?.on('message', ({ id, input, injected }: CodecRequest) => {
  let reply: CodecReply;
  try {
    reply = { id, prepared: prepareWrite(input, injections.get(injected)) };
  } catch (error) {
    reply =
      error instanceof RemoteWriteError
        ? { id, refused: { code: error.code, message: error.message } }
        : { id, failed: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  parentPort?.postMessage(reply);
});
