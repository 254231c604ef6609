import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StrataError } from '@strata/contracts';
import { x as extractTar } from 'tar';

/** Content type of a block upload: a tar of the block directory. */
export const BLOCK_TAR_TYPE = 'application/x-tar';

// `./meta.json`, `index`, `chunks/000001`, `tombstones`, optionally inside one `<ulid>/` folder.
const BLOCK_FILE = /^(?:[0-9A-HJKMNP-TV-Z]{26}\/)?(?:meta\.json|index|tombstones|chunks\/\d{6})$/;
const BLOCK_DIR = /^(?:[0-9A-HJKMNP-TV-Z]{26}\/?)?(?:chunks\/?)?$/;

/**
 * Extracts a block tar from `body` into `dir` on disk as it arrives (never whole in memory) and
 * returns the block directory: `dir` itself, or the single `<ulid>/` folder the tar holds. Only a
 * block's files are accepted; links, devices and anything else are refused, as are bodies over
 * `maxBytes` and malformed archives.
 */
export async function extractBlockTar(
  body: Readable,
  dir: string,
  maxBytes: number,
): Promise<string> {
  const unexpected: string[] = [];
  let received = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      received += chunk.length;
      if (received > maxBytes)
        done(
          new StrataError('payload_too_large', `the block tar is larger than ${maxBytes} bytes`),
        );
      else done(null, chunk);
    },
  });
  const unpack = extractTar({
    cwd: dir,
    strict: true,
    filter: (path, entry) => {
      const rel = path.replace(/^(\.\/)+/, '');
      const type = 'type' in entry ? entry.type : 'File';
      const ok =
        type === 'Directory'
          ? BLOCK_DIR.test(rel)
          : type === 'File' || type === 'OldFile'
            ? BLOCK_FILE.test(rel)
            : false;
      if (!ok && !(type === 'Directory' && rel === '')) unexpected.push(`${rel} (${type})`);
      return ok;
    },
  });
  try {
    await pipeline(body, limit, unpack);
  } catch (error) {
    if (error instanceof StrataError) throw error;
    throw new StrataError(
      'validation_failed',
      `the body is not a readable tar archive: ${(error as Error).message}`,
      undefined,
      { reason: 'bad_tar' },
    );
  }
  if (unexpected.length > 0)
    throw new StrataError(
      'validation_failed',
      `the tar holds what is no block file: ${unexpected.slice(0, 5).join(', ')}`,
      undefined,
      {
        reason: 'unexpected_file',
      },
    );
  if (await exists(join(dir, 'meta.json'))) return dir;
  const folders = (await readdir(dir)).filter((n) => /^[0-9A-HJKMNP-TV-Z]{26}$/.test(n));
  return folders.length === 1 ? join(dir, folders[0]) : dir;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
