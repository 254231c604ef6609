import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type BlobDigest,
  type BlobPart,
  MODEL_CONFIG_MEDIA_TYPE,
  MODEL_DIR_MEDIA_TYPE,
  MODEL_FILE_MEDIA_TYPE,
  MODEL_MANIFEST_MEDIA_TYPE,
  type ModelBlobDescriptor,
  type ModelManifest,
} from '@strata/contracts';
import { create } from 'tar';
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

/** A file's sha256 and, when it is larger than `partSize`, the sha256 of each `partSize` part. */
export async function hashFile(
  path: string,
  partSize: number,
): Promise<{ digest: BlobDigest; size: number; parts?: Array<BlobPart & { offset: number }> }> {
  const whole = createHash('sha256');
  const parts: Array<BlobPart & { offset: number }> = [];
  let part = createHash('sha256');
  let inPart = 0;
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const bytes = chunk as Buffer;
    whole.update(bytes);
    for (let at = 0; at < bytes.length;) {
      const take = Math.min(partSize - inPart, bytes.length - at);
      part.update(bytes.subarray(at, at + take));
      inPart += take;
      at += take;
      if (inPart === partSize) {
        parts.push({
          digest: `sha256:${part.digest('hex')}`,
          size: inPart,
          offset: size + at - inPart,
        });
        part = createHash('sha256');
        inPart = 0;
      }
    }
    size += bytes.length;
  }
  if (inPart > 0)
    parts.push({ digest: `sha256:${part.digest('hex')}`, size: inPart, offset: size - inPart });
  return {
    digest: `sha256:${whole.digest('hex')}`,
    size,
    ...(size > partSize ? { parts } : {}),
  };
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

/** Reads a model directory into a manifest (files as blobs or parts, directories packed) and its local blobs. */
export async function packModel(dir: string, partSize: number): Promise<PackedModel> {
  const scratch = join(dir, `${SCRATCH_PREFIX}pack-${randomUUID()}`);
  await mkdir(scratch);
  const blobs = new Map<BlobDigest, LocalBlob>();
  const cleanup = () => rm(scratch, { recursive: true, force: true });
  try {
    const configBytes = await readFile(join(dir, MODEL_CONFIG_FILE)).catch(() => {
      throw new Error(`${dir} has no ${MODEL_CONFIG_FILE}; run strata models init ${dir}`);
    });
    const configDigest: BlobDigest = `sha256:${createHash('sha256').update(configBytes).digest('hex')}`;
    blobs.set(configDigest, {
      digest: configDigest,
      size: configBytes.length,
      path: join(dir, MODEL_CONFIG_FILE),
      offset: 0,
    });
    const descriptors: ModelBlobDescriptor[] = [];
    const entries = (await readdir(dir))
      .filter((n) => n !== MODEL_CONFIG_FILE && !n.startsWith(SCRATCH_PREFIX))
      .sort();
    for (const name of entries) {
      const info = await lstat(join(dir, name));
      if (!info.isFile() && !info.isDirectory()) continue;
      const path = info.isDirectory() ? await packDirectory(dir, name, scratch) : join(dir, name);
      const hashed = await hashFile(path, partSize);
      for (const part of hashed.parts ?? [{ digest: hashed.digest, size: hashed.size, offset: 0 }])
        blobs.set(part.digest, { digest: part.digest, size: part.size, path, offset: part.offset });
      descriptors.push({
        name,
        mediaType: info.isDirectory() ? MODEL_DIR_MEDIA_TYPE : MODEL_FILE_MEDIA_TYPE,
        digest: hashed.digest,
        size: hashed.size,
        mode: info.mode & 0o7777,
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
    return { manifest, blobs, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
