import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, mkdir, open, rename, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  type BlobDigest,
  blobsOf,
  MODEL_DIR_MEDIA_TYPE,
  type ModelBlobDescriptor,
} from '@strata/contracts';
import { BatchedFileWriter, openForWriting } from '@strata/objstore/files';
import { extract } from 'tar';
import { type ModelsClient } from './models-client';
import { MODEL_CONFIG_FILE } from './model-config';
import { hashFile, packDirectory, SCRATCH_PREFIX } from './model-pack';
import { type ModelRef } from './model-ref';
import { inParallel, Progress } from './progress';

/** What a pull did. */
export interface PullOutcome {
  /** Blobs and parts fetched. */
  fetched: number;
  fetchedBytes: number;
  /** Top-level entries already identical here. */
  unchanged: number;
}

/** Bytes gathered before one write of a pull: at most twice this is lost to a kill. */
const PULL_BATCH_BYTES = 1 << 20;

interface Fetch {
  digest: BlobDigest;
  size: number;
  /** Where in the staged file the bytes go. */
  offset: number;
  staged: string;
  /** Bytes of this blob an interrupted pull already wrote; fetched from there with a Range. */
  resumeFrom: number;
}

/**
 * `strata models pull`: compares each file and directory of the manifest with what the target
 * holds (by digest, part by part for large files), fetches only what differs, three at a time,
 * into staged files that survive an interruption, then moves each into place whole.
 */
export async function pullModel(
  client: ModelsClient,
  ref: ModelRef,
  dir: string,
  concurrency: number,
): Promise<PullOutcome> {
  const manifest = await client.manifest(ref);
  if (!manifest) throw new Error(`no version ${ref.version} of ${ref.repo}/${ref.name}`);
  await mkdir(dir, { recursive: true });
  const entries = [manifest.config, ...manifest.blobs];
  const fetches: Fetch[] = [];
  const plans: Array<{ descriptor: ModelBlobDescriptor; staged: string }> = [];
  let unchanged = 0;
  for (const descriptor of entries) {
    if (await identical(dir, descriptor)) {
      unchanged++;
      continue;
    }
    const staged = join(dir, `${SCRATCH_PREFIX}pull-${descriptor.name}`);
    fetches.push(...(await missingRanges(staged, descriptor)));
    plans.push({ descriptor, staged });
  }
  const progress = new Progress(
    'pull',
    fetches.reduce((s, f) => s + f.size - f.resumeFrom, 0),
    fetches.length,
  );
  await inParallel(fetches, concurrency, async (f) => {
    await fetchInto(client, ref, f, (n) => progress.bytes(n));
    progress.item(f.digest.slice(0, 19));
  });
  progress.finish();
  for (const { descriptor, staged } of plans) await install(dir, descriptor, staged);
  return {
    fetched: fetches.length,
    fetchedBytes: fetches.reduce((s, f) => s + f.size - f.resumeFrom, 0),
    unchanged,
  };
}

/** True when the target already holds the entry's bytes. */
async function identical(dir: string, d: ModelBlobDescriptor): Promise<boolean> {
  const target = join(dir, d.name === MODEL_CONFIG_FILE ? MODEL_CONFIG_FILE : d.name);
  const info = await stat(target).catch(() => null);
  if (!info) return false;
  if (d.mediaType === MODEL_DIR_MEDIA_TYPE) {
    if (!info.isDirectory()) return false;
    const scratch = join(dir, `${SCRATCH_PREFIX}check-${d.name}`);
    await mkdir(scratch, { recursive: true });
    try {
      const packed = await packDirectory(dir, d.name, scratch);
      return (await hashFile(packed, Number.MAX_SAFE_INTEGER)).digest === d.digest;
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }
  if (!info.isFile() || info.size !== d.size) return false;
  return (await hashFile(target, Number.MAX_SAFE_INTEGER)).digest === d.digest;
}

/**
 * The blobs or parts the staged file still lacks. A staged file left by an interrupted pull is
 * kept and checked part by part; a large file's old version seeds it, so unchanged parts stay.
 */
async function missingRanges(staged: string, d: ModelBlobDescriptor): Promise<Fetch[]> {
  const parts = blobsOf(d);
  let offset = 0;
  const ranges = parts.map((p) => {
    const r = { ...p, offset, staged, resumeFrom: 0 };
    offset += p.size;
    return r;
  });
  const info = await stat(staged).catch(() => null);
  if (!info && d.parts) {
    const old = await stat(join(staged, '..', d.name)).catch(() => null);
    if (old?.isFile()) await copyPrefix(join(staged, '..', d.name), staged);
  }
  const handle = await open(staged, 'a');
  await handle.truncate(Math.min((await handle.stat()).size, d.size));
  await handle.close();
  const have = (await stat(staged)).size;
  const missing: Fetch[] = [];
  for (const r of ranges) {
    if (have >= r.offset + r.size && (await hashRange(staged, r.offset, r.size)) === r.digest)
      continue;
    // A single blob is written front to back, so what an interrupted pull left is its prefix.
    missing.push({ ...r, resumeFrom: d.parts ? 0 : Math.max(0, have - r.offset) % r.size });
  }
  return missing;
}

async function copyPrefix(from: string, to: string): Promise<void> {
  await pipeline(createReadStream(from), createWriteStream(to));
}

async function hashRange(path: string, offset: number, size: number): Promise<BlobDigest> {
  const hash = createHash('sha256');
  if (size > 0)
    for await (const chunk of createReadStream(path, { start: offset, end: offset + size - 1 }))
      hash.update(chunk as Buffer);
  return `sha256:${hash.digest('hex')}`;
}

/** Fetches one blob or part into its place in the staged file, checking its digest as it arrives. */
async function fetchInto(
  client: ModelsClient,
  ref: ModelRef,
  f: Fetch,
  onBytes: (n: number) => void,
): Promise<void> {
  const hash = createHash('sha256');
  if (f.resumeFrom > 0)
    for await (const chunk of createReadStream(f.staged, {
      start: f.offset,
      end: f.offset + f.resumeFrom - 1,
    }))
      hash.update(chunk as Buffer);
  // Batched writes: a write per 64 KiB network chunk cost more CPU than hashing the bytes. The
  // batches stay small because what they hold when the pull is killed is fetched again. They go
  // straight to the disk (O_DIRECT) where the filesystem allows: through the page cache the
  // kernel's copy cost more CPU than everything else the pull does.
  const file = await openForWriting(f.staged, 'r+');
  const handle = file.handle;
  const writer = new BatchedFileWriter(file, f.offset + f.resumeFrom, PULL_BATCH_BYTES);
  try {
    // The body flows as soon as it is returned (the client counts its bytes): read it at once.
    const body = await client.getBlob(ref, f.digest, f.resumeFrom, f.size);
    for await (const chunk of body as AsyncIterable<Buffer>) {
      hash.update(chunk);
      onBytes(chunk.length);
      await writer.write(chunk);
    }
    await writer.end();
  } catch (error) {
    await writer.settle();
    throw error;
  } finally {
    await handle.close();
  }
  const got = `sha256:${hash.digest('hex')}`;
  if (got !== f.digest) throw new Error(`blob ${f.digest} arrived as ${got}`);
}

/**
 * Moves a completed staged entry into place: a file renamed, a directory unpacked then swapped in.
 * Every byte of it matched a digest on the way (each blob or part as it arrived, or as the staged
 * file already held it), so it is not read again.
 */
async function install(dir: string, d: ModelBlobDescriptor, staged: string): Promise<void> {
  const target = join(dir, d.name);
  if (d.mediaType !== MODEL_DIR_MEDIA_TYPE) {
    if (d.mode !== undefined) await chmod(staged, d.mode);
    if (d.modtime) await utimes(staged, new Date(), new Date(d.modtime));
    await rename(staged, target);
    return;
  }
  const unpacked = join(dir, `${SCRATCH_PREFIX}new-${d.name}`);
  await rm(unpacked, { recursive: true, force: true });
  await mkdir(unpacked);
  await extract({ file: staged, cwd: unpacked, noMtime: true, strict: true });
  await rm(target, { recursive: true, force: true });
  await rename(join(unpacked, d.name), target);
  await rm(unpacked, { recursive: true, force: true });
  await rm(staged, { force: true });
}
