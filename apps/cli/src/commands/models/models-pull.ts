import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, type FileHandle, mkdir, open, rename, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  type BlobDigest,
  blobsOf,
  MODEL_DIR_MEDIA_TYPE,
  type ModelBlobDescriptor,
} from '@strata/contracts';
import { BatchedFileWriter } from '@strata/objstore/files';
import { extract } from 'tar';
import { FileHasher } from './file-hasher';
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

interface Fetch {
  digest: BlobDigest;
  size: number;
  /** Which part of its file (0 for a file of one blob). */
  index: number;
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
  const plans: Plan[] = [];
  let unchanged = 0;
  for (const descriptor of entries) {
    if (await identical(dir, descriptor)) {
      unchanged++;
      continue;
    }
    const staged = join(dir, `${SCRATCH_PREFIX}pull-${descriptor.name}`);
    const missing = await missingRanges(staged, descriptor);
    fetches.push(...missing);
    plans.push(new Plan(descriptor, staged, missing));
  }
  const planOf = new Map(plans.map((p) => [p.staged, p]));
  const progress = new Progress(
    'pull',
    fetches.reduce((s, f) => s + f.size - f.resumeFrom, 0),
    fetches.length,
  );
  try {
    await inParallel(fetches, concurrency, async (f) => {
      await fetchInto(client, ref, f, (n) => progress.bytes(n));
      planOf.get(f.staged)?.arrived(f.index);
      progress.item(f.digest.slice(0, 19));
    });
    progress.finish();
    for (const plan of plans) await install(dir, plan.descriptor, plan.staged, await plan.digest());
  } finally {
    await Promise.all(plans.map((p) => p.stop()));
  }
  return {
    fetched: fetches.length,
    fetchedBytes: fetches.reduce((s, f) => s + f.size - f.resumeFrom, 0),
    unchanged,
  };
}

/**
 * One entry being assembled in its staged file. A file of one blob is checked as it arrives (its
 * digest is the blob's); a file of parts gets its whole-file digest from a worker thread that
 * hashes each prefix whose parts have arrived and been checked, so the last check ends with the
 * last part instead of reading the whole file again after it.
 */
class Plan {
  // Started with the first bytes it may read, so files not yet begun hold no thread.
  private hasher: FileHasher | null = null;
  private readonly ready: boolean[];
  private readonly sizes: number[];
  private next = 0;
  private allowed = 0;
  private ended = false;

  constructor(
    readonly descriptor: ModelBlobDescriptor,
    readonly staged: string,
    missing: Fetch[],
  ) {
    const parts = blobsOf(descriptor);
    this.sizes = parts.map((p) => p.size);
    this.ready = parts.map(() => true);
    for (const f of missing) this.ready[f.index] = false;
    this.advance();
  }

  /** Part `index` is in the staged file and matched its digest. */
  arrived(index: number): void {
    this.ready[index] = true;
    this.advance();
  }

  /** The staged file's whole digest, once every part arrived. */
  async digest(): Promise<BlobDigest> {
    if (this.descriptor.parts) {
      // Every part has arrived by now; a file of no parts (empty) has had nothing to allow.
      if (!this.ended) this.hasherFor().allow(this.allowed, true);
      return (await this.hasherFor().result).digest;
    }
    // One blob: its digest was checked as it arrived (or as it lay in the staged file).
    return this.descriptor.digest;
  }

  async stop(): Promise<void> {
    await this.hasher?.stop();
  }

  private advance(): void {
    const from = this.next;
    while (this.next < this.ready.length && this.ready[this.next])
      this.allowed += this.sizes[this.next++];
    if (this.descriptor.parts && this.next > from) {
      this.ended = this.next === this.ready.length;
      this.hasherFor().allow(this.allowed, this.ended);
    }
  }

  private hasherFor(): FileHasher {
    this.hasher ??= new FileHasher(this.staged);
    return this.hasher;
  }
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
  const ranges = parts.map((p, index) => {
    const r = { ...p, index, offset, staged, resumeFrom: 0 };
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

/**
 * Fetches one blob or part into its place in the staged file, checking its digest as it arrives
 * and writing it in batches of a few MiB (one on its way to the disk while the next fills).
 */
async function fetchInto(
  client: ModelsClient,
  ref: ModelRef,
  f: Fetch,
  onBytes: (n: number) => void,
): Promise<void> {
  const hash = createHash('sha256');
  const handle = await open(f.staged, 'r+');
  const writer = new BatchedFileWriter(handle, f.offset + f.resumeFrom);
  try {
    if (f.resumeFrom > 0) await hashRangeInto(handle, hash, f.offset, f.resumeFrom);
    const body = await client.getBlob(ref, f.digest, f.resumeFrom, f.size);
    for await (const chunk of body) {
      hash.update(chunk as Buffer);
      onBytes((chunk as Buffer).length);
      await writer.write(chunk as Buffer);
    }
    await writer.end();
  } finally {
    await writer.settle();
    await handle.close();
  }
  const got = `sha256:${hash.digest('hex')}`;
  if (got !== f.digest) throw new Error(`blob ${f.digest} arrived as ${got}`);
}

async function hashRangeInto(
  handle: FileHandle,
  hash: Hash,
  offset: number,
  size: number,
): Promise<void> {
  const buffer = Buffer.allocUnsafe(Math.min(size, 1 << 20));
  for (let at = 0; at < size;) {
    const { bytesRead } = await handle.read(
      buffer,
      0,
      Math.min(buffer.length, size - at),
      offset + at,
    );
    if (bytesRead === 0) throw new Error(`the staged file ends before byte ${offset + size}`);
    hash.update(buffer.subarray(0, bytesRead));
    at += bytesRead;
  }
}

/**
 * Moves a completed staged entry, whose bytes hash to `digest`, into place: a file renamed, a
 * directory unpacked then swapped in.
 */
async function install(
  dir: string,
  d: ModelBlobDescriptor,
  staged: string,
  digest: BlobDigest,
): Promise<void> {
  if (digest !== d.digest) {
    await rm(staged, { force: true });
    throw new Error(`${d.name} assembled as ${digest}, not ${d.digest}; pull again`);
  }
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
