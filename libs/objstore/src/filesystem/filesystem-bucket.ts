import { randomUUID } from 'node:crypto';
import {
  type FileHandle,
  mkdir,
  open,
  readdir,
  rename,
  rm,
  rmdir,
  stat,
  unlink,
} from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { type Readable } from 'node:stream';
import { assertRange, bodyStream, emptyStream } from '../body';
import { BatchedFileWriter } from './batched-file-writer';
import { openForReading, openForWriting, type ReadSource, type WriteTarget } from './direct-io';
import { FileRange } from './file-range';
import {
  type Bucket,
  type ListOptions,
  type ObjectAttributes,
  type ObjectRange,
  type PutBody,
  type PutOptions,
} from '../bucket';
import { InvalidObjectKeyError, ObjectKeyConflictError, ObjectNotFoundError } from '../errors';
import { assertValidKey, compareKeys, directoryPrefix } from '../keys';

/** Folder under the root where puts write before the rename; never listed, and no key may start with it. */
export const STAGING_DIR = '.strata-staging';

/** Staged files older than this are left over from a crashed put and are removed. */
const STALE_STAGING_MS = 60 * 60 * 1000;

/** Errors that mean "no object at this path". */
const MISSING = new Set(['ENOENT', 'ENOTDIR']);

function code(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | null)?.code;
}

/** Largest read of a get: a large object streams in 1 MiB chunks. */
const READ_CHUNK_BYTES = 1 << 20;

/** Copies the stream into the file; stops, destroying the stream, when it fails or `signal` aborts. */
async function writeAll(
  target: WriteTarget,
  source: Readable,
  signal: AbortSignal | undefined,
): Promise<void> {
  const writer = new BatchedFileWriter(target, 0);
  try {
    signal?.throwIfAborted();
    for await (const chunk of source) {
      signal?.throwIfAborted();
      await writer.write(
        typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : (chunk as Uint8Array),
      );
    }
    signal?.throwIfAborted();
    await writer.end();
  } catch (error) {
    source.destroy();
    // The file is closed after this returns: no write may still be using it.
    await writer.settle();
    throw error;
  }
}

/**
 * A bucket in a local folder: one file per object at its key's path. A put writes and fsyncs a
 * staged file, then renames it into place, so readers never see part of an object and a crash
 * leaves none; a delete removes the folders it leaves empty.
 */
export class FilesystemBucket implements Bucket {
  readonly name: string;
  private readonly root: string;
  private staging: Promise<string> | null = null;

  constructor(root: string) {
    this.root = resolve(root);
    this.name = `fs:${this.root}`;
  }

  async get(key: string): Promise<Readable> {
    return this.getRange(key, 0, -1);
  }

  async getRange(key: string, offset: number, length: number): Promise<Readable> {
    assertRange(offset, length);
    const path = this.pathOf(key);
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      throw this.mapError(key, error);
    }
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw new ObjectNotFoundError(key);
      if (length === 0 || offset >= info.size) {
        await handle.close();
        return emptyStream();
      }
      const end = length === -1 ? info.size - 1 : Math.min(offset + length, info.size) - 1;
      // The open handle keeps reading this version even if a put or delete replaces the path.
      return handle.createReadStream({
        start: offset,
        end,
        // Reads of 64 KiB (the default) made a large download a read per 64 KiB; a small object
        // still gets a buffer of its own size.
        highWaterMark: Math.min(READ_CHUNK_BYTES, end - offset + 1),
      });
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  async openRange(key: string, offset: number, length: number): Promise<ObjectRange> {
    assertRange(offset, length);
    const path = this.pathOf(key);
    let source: ReadSource;
    try {
      source = await openForReading(path);
    } catch (error) {
      throw this.mapError(key, error);
    }
    try {
      const info = await source.handle.stat();
      if (!info.isFile()) throw new ObjectNotFoundError(key);
      const from = Math.min(offset, info.size);
      const end = length === -1 ? info.size : Math.min(offset + length, info.size);
      // The open handle keeps reading this version even if a put or delete replaces the path.
      return new FileRange(source, from, Math.max(0, end - from));
    } catch (error) {
      await source.handle.close();
      throw error;
    }
  }

  async put(key: string, body: PutBody, options: PutOptions = {}): Promise<void> {
    const target = this.pathOf(key);
    const staged = join(await this.stagingDir(), randomUUID());
    try {
      const file = await openForWriting(staged, 'wx');
      try {
        await writeAll(file, bodyStream(body), options.signal);
        await file.handle.sync();
      } finally {
        await file.handle.close();
      }
      await this.moveIntoPlace(key, staged, target);
    } finally {
      await rm(staged, { force: true });
    }
  }

  async *list(dir: string, options: ListOptions = {}): AsyncIterable<string> {
    const prefix = directoryPrefix(dir);
    if (prefix.split('/')[0] === STAGING_DIR) return;
    yield* this.walk(prefix, options.recursive === true);
  }

  async delete(key: string): Promise<void> {
    const path = this.pathOf(key);
    try {
      await unlink(path);
    } catch (error) {
      // A folder is not an object, so deleting its key deletes nothing, as on S3.
      if (MISSING.has(code(error) ?? '') || code(error) === 'EISDIR') return;
      throw error;
    }
    for (let folder = dirname(path); folder !== this.root; folder = dirname(folder)) {
      try {
        await rmdir(folder);
      } catch (error) {
        // Not empty (another object, or a put about to rename into it): stop climbing.
        if (['ENOTEMPTY', 'EEXIST', 'ENOENT'].includes(code(error) ?? '')) break;
        throw error;
      }
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await stat(this.pathOf(key))).isFile();
    } catch (error) {
      if (MISSING.has(code(error) ?? '')) return false;
      throw this.mapError(key, error);
    }
  }

  async attributes(key: string): Promise<ObjectAttributes> {
    let info;
    try {
      info = await stat(this.pathOf(key));
    } catch (error) {
      throw this.mapError(key, error);
    }
    if (!info.isFile()) throw new ObjectNotFoundError(key);
    return { size: info.size, lastModified: info.mtime };
  }

  async close(): Promise<void> {
    // Nothing is held open between calls.
  }

  private pathOf(key: string): string {
    assertValidKey(key);
    const segments = key.split('/');
    if (segments[0] === STAGING_DIR)
      throw new InvalidObjectKeyError(key, `${STAGING_DIR} is reserved by the filesystem bucket`);
    return join(this.root, ...segments);
  }

  private mapError(key: string, error: unknown): unknown {
    const c = code(error);
    if (c && MISSING.has(c)) return new ObjectNotFoundError(key, { cause: error });
    if (c === 'ENAMETOOLONG')
      return new InvalidObjectKeyError(key, 'a segment is longer than the filesystem allows');
    return error;
  }

  /** Creates the staging folder once per instance and clears what crashed puts left in it. */
  private async stagingDir(): Promise<string> {
    this.staging ??= (async () => {
      const dir = join(this.root, STAGING_DIR);
      await mkdir(dir, { recursive: true });
      const now = Date.now();
      for (const name of await readdir(dir)) {
        const info = await stat(join(dir, name)).catch(() => null);
        if (info && now - info.mtimeMs > STALE_STAGING_MS)
          await rm(join(dir, name), { force: true });
      }
      return dir;
    })();
    try {
      return await this.staging;
    } catch (error) {
      this.staging = null;
      throw error;
    }
  }

  private async moveIntoPlace(key: string, staged: string, target: string): Promise<void> {
    const folder = dirname(target);
    // A concurrent delete may remove the folder between mkdir and rename; a few tries settle it.
    for (let attempt = 0; ; attempt++) {
      let created: string | undefined;
      try {
        created = await mkdir(folder, { recursive: true });
        await rename(staged, target);
      } catch (error) {
        const c = code(error);
        if (c === 'ENOENT' && attempt < 10) continue;
        if (c === 'EISDIR' || c === 'ENOTDIR' || c === 'EEXIST' || c === 'ENOTEMPTY') {
          throw new ObjectKeyConflictError(
            key,
            c === 'EISDIR' || c === 'ENOTEMPTY'
              ? `the folder ${key}/`
              : 'an object that is a parent folder of it',
          );
        }
        throw this.mapError(key, error);
      }
      await this.syncFolders(folder, created);
      return;
    }
  }

  /** Makes the rename, and any folder mkdir created, survive a power loss. */
  private async syncFolders(folder: string, firstCreated: string | undefined): Promise<void> {
    const stop = firstCreated ? dirname(firstCreated) : folder;
    for (let dir = folder; ; dir = dirname(dir)) {
      const handle = await open(dir, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      if (dir === stop || dir === this.root || dir === dirname(dir)) return;
    }
  }

  private async *walk(prefix: string, recursive: boolean): AsyncIterable<string> {
    let entries;
    try {
      entries = await readdir(join(this.root, prefix), { withFileTypes: true });
    } catch (error) {
      if (MISSING.has(code(error) ?? '')) return;
      throw error;
    }
    const sorted = entries
      .filter((e) => (e.isFile() || e.isDirectory()) && !(prefix === '' && e.name === STAGING_DIR))
      .map((e) => ({
        key: prefix + e.name + (e.isDirectory() ? '/' : ''),
        folder: e.isDirectory(),
      }))
      .sort((a, b) => compareKeys(a.key, b.key));
    for (const entry of sorted) {
      if (!entry.folder) yield entry.key;
      else if (recursive) yield* this.walk(entry.key, true);
      else if (await this.holdsObjects(entry.key)) yield entry.key;
    }
  }

  /** A folder left empty for a moment (by a delete racing a put) is no directory of objects. */
  private async holdsObjects(prefix: string): Promise<boolean> {
    for await (const _ of this.walk(prefix, true)) return true;
    return false;
  }
}
