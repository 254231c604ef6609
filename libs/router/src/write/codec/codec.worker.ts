// A router codec thread: decodes, validates and encodes remote writes off the event loop.
import { parentPort } from 'node:worker_threads';
import { RemoteWriteError } from '@strata/remote-write';
import { type CodecReply, type CodecRequest } from './codec-messages';
import { InjectionCache, prepareWrite } from './prepare-write';

const injections = new InjectionCache();

parentPort?.on('message', ({ id, input }: CodecRequest) => {
  let reply: CodecReply;
  try {
    reply = { id, prepared: prepareWrite(input, injections.get(input.injected)) };
  } catch (error) {
    reply =
      error instanceof RemoteWriteError
        ? { id, refused: { code: error.code, message: error.message } }
        : { id, failed: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  parentPort?.postMessage(reply);
});
