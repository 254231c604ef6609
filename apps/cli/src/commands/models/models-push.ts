import { createHash } from 'node:crypto';
import { type BlobDigest } from '@strata/contracts';
import { type ModelsClient } from './models-client';
import { type LocalBlob, packModel } from './model-pack';
import { type ModelRef } from './model-ref';
import { inParallel, Progress, TaskQueue } from './progress';

/** Options of a push. */
export interface PushOptions {
  /** Files larger than this travel as parts of this size. */
  partSize: number;
  /** Transfers at once. */
  concurrency: number;
}

/** What a push did. */
export interface PushOutcome {
  uploaded: number;
  /** Blob bytes sent by this run (parts an interrupted run had sent are not sent again). */
  uploadedBytes: number;
  skipped: number;
  /** Digest of the manifest as sent. */
  manifestDigest: BlobDigest;
}

/**
 * `strata models push`: asks (HEAD) for every blob and part and uploads the absent ones, three
 * at a time, while the rest of the directory is still being hashed (a part travels as soon as its
 * digest is known): straight to S3 through presigned part URLs when the gateway offers them
 * (resuming after the parts an interrupted run reported), else through the gateway. It stores
 * the manifest last; a refusal naming missing blobs (collected
 * meanwhile) uploads those and retries once.
 */
export async function pushModel(
  client: ModelsClient,
  ref: ModelRef,
  dir: string,
  options: PushOptions,
): Promise<PushOutcome> {
  const progress = new Progress('push', 0, 0);
  const queue = new TaskQueue(options.concurrency);
  const absent: LocalBlob[] = [];
  let seen = 0;
  let sentBytes = 0;
  // Blobs are queued in file order, so an interrupted push leaves a prefix of each file stored.
  const packed = await packModel(dir, options.partSize, (blob) => {
    seen++;
    queue.add(async () => {
      if (await client.hasBlob(ref, blob.digest)) return;
      absent.push(blob);
      progress.expect(blob.size, 1);
      const sent = await client.uploadBlob(ref, blob, (n) => progress.bytes(n));
      sentBytes += sent;
      // Parts an earlier run sent count as done, so the bar ends full.
      progress.bytes(blob.size - sent);
      progress.item(short(blob.digest));
    });
  }).catch(async (error: unknown) => {
    // A failed upload stops the hashing; wait for the transfers under way before reporting.
    await queue.drain().catch(() => undefined);
    throw error;
  });
  try {
    await queue.drain();
    progress.finish();
    let missing = await client.putManifest(ref, packed.manifest);
    if (missing.length > 0) {
      sentBytes += await upload(
        client,
        ref,
        missing.map((d) => packed.blobs.get(d)).filter((b): b is LocalBlob => b !== undefined),
        options.concurrency,
      );
      missing = await client.putManifest(ref, packed.manifest);
      if (missing.length > 0) throw new Error(`the gateway still lacks ${missing.join(', ')}`);
    }
    return {
      manifestDigest: `sha256:${createHash('sha256').update(JSON.stringify(packed.manifest)).digest('hex')}`,
      uploaded: absent.length,
      uploadedBytes: sentBytes,
      skipped: seen - absent.length,
    };
  } finally {
    await packed.cleanup();
  }
}

async function upload(
  client: ModelsClient,
  ref: ModelRef,
  blobs: LocalBlob[],
  concurrency: number,
): Promise<number> {
  const progress = new Progress(
    'push',
    blobs.reduce((sum, b) => sum + b.size, 0),
    blobs.length,
  );
  let sentBytes = 0;
  await inParallel(blobs, concurrency, async (blob) => {
    const sent = await client.uploadBlob(ref, blob, (n) => progress.bytes(n));
    sentBytes += sent;
    progress.bytes(blob.size - sent);
    progress.item(short(blob.digest));
  });
  progress.finish();
  return sentBytes;
}

function short(digest: BlobDigest): string {
  return digest.slice(0, 19);
}
