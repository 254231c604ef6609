import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, mkdir, readFile, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type BlobDigest,
  MODEL_CONFIG_MEDIA_TYPE,
  MODEL_DIR_MEDIA_TYPE,
  MODEL_FILE_MEDIA_TYPE,
  MODEL_MANIFEST_MEDIA_TYPE,
  type ModelBlobDescriptor,
  type ModelManifest,
} from '@strata/contracts';
import { create } from 'tar';
import { DigestIndex } from './digest-index';
import { FileHasher, type FilePart } from './file-hasher';
import { MODEL_CONFIG_FILE } from './model-config';

/** Files the CLI keeps in a model directory while it works; never pushed. */
export const SCRATCH_PREFIX = '.strata-';

/** Where a blob's bytes are on this machine: a byte range of a file. */
export interface LocalBlob {
  digest: BlobDigest;
  size: number;
  path: string;
  offset: number;
}

/** A model directory as a manifest and the local bytes of each of its blobs. */
export interface PackedModel {
  manifest: ModelManifest;
  blobs: Map<BlobDigest, LocalBlob>;
  /** Removes the packed directories. */
  cleanup(): Promise<void>;
}

// Small files are hashed here, in reads of 1 MiB; large ones on a worker thread (FileHasher).
const READ_CHUNK = 1 << 20;

/**
 * A file's sha256 and, when it is larger than `partSize`, the sha256 of each `partSize` part.
 * Such a file is hashed on a worker thread, which reads it once for both, and `onPart` hears each
 * part as soon as its digest is known, so a push can upload it while the rest is still hashed.
 */
export async function hashFile(
  path: string,
  partSize: number,
  onPart?: (part: FilePart) => void,
): Promise<{ digest: BlobDigest; size: number; parts?: FilePart[] }> {
  const size = (await stat(path)).size;
  if (size <= partSize) {
    const whole = createHash('sha256');
    let read = 0;
    for await (const chunk of createReadStream(path, { highWaterMark: READ_CHUNK })) {
      whole.update(chunk as Buffer);
      read += (chunk as Buffer).length;
    }
    if (read !== size) throw new Error(`${path} changed while it was read`);
    return { digest: `sha256:${whole.digest('hex')}`, size };
  }
  const parts: FilePart[] = [];
  const hasher = new FileHasher(path, {
    partSize,
    onPart: (part) => {
      parts.push(part);
      onPart?.(part);
    },
  });
  hasher.allow(size, true);
  const { digest } = await hasher.result;
  if ((await stat(path)).size !== size) throw new Error(`${path} changed while it was read`);
  return { digest, size, parts };
}

/** Every path below `dir/name`, relative to `dir`, in byte order: a tar of it is the same bytes each time. */
async function entriesOf(dir: string, name: string): Promise<string[]> {
  const out = [name];
  const children = (await readdir(join(dir, name), { withFileTypes: true }))
    .map((e) => ({ name: e.name, dir: e.isDirectory() }))
    .sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
  for (const child of children) {
    const rel = `${name}/${child.name}`;
    if (child.dir) out.push(...(await entriesOf(dir, rel)));
    else out.push(rel);
  }
  return out;
}

/**
 * Packs the directory `dir/name` as modelx does (a tar+gz blob per top-level directory),
 * deterministically: sorted entries, no owners, every mtime zero, so an unchanged directory
 * packs to the same digest and is neither pushed nor pulled again.
 */
export async function packDirectory(dir: string, name: string, into: string): Promise<string> {
  const out = join(into, `${name}-${randomUUID()}.tar.gz`);
  await create(
    {
      cwd: dir,
      file: out,
      gzip: { level: 1 },
      portable: true,
      mtime: new Date(0),
      noDirRecurse: true,
    },
    await entriesOf(dir, name),
  );
  return out;
}

/**
 * Reads a model directory into a manifest (files as blobs or parts, directories packed) and its
 * local blobs; `onBlob` hears each blob as soon as its digest is known, in file order.
 */
export async function packModel(
  dir: string,
  partSize: number,
  onBlob: (blob: LocalBlob) => void = () => undefined,
): Promise<PackedModel> {
  const scratch = join(dir, `${SCRATCH_PREFIX}pack-${randomUUID()}`);
  await mkdir(scratch);
  const blobs = new Map<BlobDigest, LocalBlob>();
  const cleanup = () => rm(scratch, { recursive: true, force: true });
  try {
    const configBytes = await readFile(join(dir, MODEL_CONFIG_FILE)).catch(() => {
      throw new Error(`${dir} has no ${MODEL_CONFIG_FILE}; run strata models init ${dir}`);
    });
    const configDigest: BlobDigest = `sha256:${createHash('sha256').update(configBytes).digest('hex')}`;
    const found = (blob: LocalBlob) => {
      if (blobs.has(blob.digest)) return;
      blobs.set(blob.digest, blob);
      onBlob(blob);
    };
    found({
      digest: configDigest,
      size: configBytes.length,
      path: join(dir, MODEL_CONFIG_FILE),
      offset: 0,
    });
    const descriptors: ModelBlobDescriptor[] = [];
    const entries = (await readdir(dir))
      .filter((n) => n !== MODEL_CONFIG_FILE && !n.startsWith(SCRATCH_PREFIX))
      .sort();
    const index = await DigestIndex.load(dir);
    index.keepOnly(new Set(entries));
    for (const name of entries) {
      const info = await lstat(join(dir, name), { bigint: true });
      if (!info.isFile() && !info.isDirectory()) continue;
      const path = info.isDirectory() ? await packDirectory(dir, name, scratch) : join(dir, name);
      const foundPart = (part: FilePart) =>
        found({ digest: part.digest, size: part.size, path, offset: part.offset });
      let hashed = info.isFile() ? index.lookup(name, info, partSize) : null;
      if (hashed) hashed.parts?.forEach(foundPart);
      else {
        const started = BigInt(Date.now()) * 1_000_000n;
        hashed = await hashFile(path, partSize, foundPart);
        if (info.isFile())
          index.record(name, info, await lstat(path, { bigint: true }), started, partSize, hashed);
      }
      if (!hashed.parts) found({ digest: hashed.digest, size: hashed.size, path, offset: 0 });
      descriptors.push({
        name,
        mediaType: info.isDirectory() ? MODEL_DIR_MEDIA_TYPE : MODEL_FILE_MEDIA_TYPE,
        digest: hashed.digest,
        size: hashed.size,
        mode: Number(info.mode & 0o7777n),
        modtime: info.mtime.toISOString(),
        ...(hashed.parts
          ? { parts: hashed.parts.map(({ digest, size }) => ({ digest, size })) }
          : {}),
      });
    }
    const manifest: ModelManifest = {
      schemaVersion: 1,
      mediaType: MODEL_MANIFEST_MEDIA_TYPE,
      config: {
        name: MODEL_CONFIG_FILE,
        mediaType: MODEL_CONFIG_MEDIA_TYPE,
        digest: configDigest,
        size: configBytes.length,
      },
      blobs: descriptors,
    };
    await index.save();
    return { manifest, blobs, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
