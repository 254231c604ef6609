import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { mkdir, open, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { digestIndexPath } from './digest-index';
import { MODEL_CONFIG_FILE } from './model-config';
import { packModel } from './model-pack';

const MiB = 1024 * 1024;

function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** What packing the directory says about weights.bin. */
async function weightsOf(dir: string) {
  const packed = await packModel(dir, MiB);
  await packed.cleanup();
  const weights = packed.manifest.blobs.find((b) => b.name === 'weights.bin');
  if (!weights) throw new Error('weights.bin was not packed');
  return weights;
}

/** What hashing the file's bytes gives, independently of the CLI's code. */
function expected(path: string) {
  const bytes = readFileSync(path);
  const parts = [];
  for (let at = 0; at < bytes.length; at += MiB) {
    const part = bytes.subarray(at, Math.min(at + MiB, bytes.length));
    parts.push({ digest: sha256(part), size: part.length });
  }
  return { digest: sha256(bytes), size: bytes.length, parts };
}

// A file is remembered only when it had not changed within a second before it was hashed.
const settle = () => new Promise((resolve) => setTimeout(resolve, 1100));

describe('packModel with the digest index', () => {
  let dir: string;
  let weights: string;
  const cacheBefore = process.env.XDG_CACHE_HOME;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strata-pack-'));
    process.env.XDG_CACHE_HOME = join(dir, 'cache');
    dir = join(dir, 'model');
    await mkdir(dir);
    weights = join(dir, 'weights.bin');
    await writeFile(join(dir, MODEL_CONFIG_FILE), 'name: m\n');
    await writeFile(weights, randomBytes(3 * MiB + 12_345));
    // A whole second, which utimes can put back exactly (a stat's mtime has nanoseconds).
    const whole = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
    utimesSync(weights, whole, whole);
  });
  afterEach(() => {
    rmSync(join(dir, '..'), { recursive: true, force: true });
    process.env.XDG_CACHE_HOME = cacheBefore;
  });

  it('answers an unchanged file from the index without reading it', async () => {
    await settle();
    const first = await weightsOf(dir);
    expect(first).toMatchObject(expected(weights));
    // Proof the second pack reads the index, not the file: an entry edited to a digest no
    // bytes have is what it reports.
    const indexPath = await digestIndexPath(dir);
    const index = JSON.parse(await readFile(indexPath, 'utf8')) as {
      files: Record<string, { digest: string }>;
    };
    index.files['weights.bin'].digest = `sha256:${'0'.repeat(64)}`;
    await writeFile(indexPath, JSON.stringify(index));
    expect((await weightsOf(dir)).digest).toBe(`sha256:${'0'.repeat(64)}`);
  });

  it('hashes a file again when its bytes change, even with its size and mtime put back', async () => {
    await settle();
    const first = await weightsOf(dir);
    const { mtime, atime } = statSync(weights);
    const handle = await open(weights, 'r+');
    await handle.write(Buffer.from('changed'), 0, 7, 2 * MiB + 5);
    await handle.close();
    utimesSync(weights, atime, mtime);
    const second = await weightsOf(dir);
    expect(second).toMatchObject(expected(weights));
    expect(second.digest).not.toBe(first.digest);
    // Only the third part changed.
    expect(second.parts?.map((p, i) => p.digest !== first.parts?.[i].digest)).toEqual([
      false,
      false,
      true,
      false,
    ]);
  });

  it('hashes a file again when another file takes its name, and never remembers one changed just before', async () => {
    await settle();
    await weightsOf(dir);
    // Other bytes, same size and mtime, new inode.
    const other = join(dir, 'other');
    await writeFile(other, randomBytes(3 * MiB + 12_345));
    const { mtime, atime } = statSync(weights);
    utimesSync(other, atime, mtime);
    await rename(other, weights);
    expect(await weightsOf(dir)).toMatchObject(expected(weights));

    // A file written less than a second before the pack is hashed but not remembered.
    copyFileSync(weights, join(dir, 'fresh.bin'));
    await weightsOf(dir);
    const index = JSON.parse(await readFile(await digestIndexPath(dir), 'utf8')) as {
      files: Record<string, unknown>;
    };
    expect(Object.keys(index.files)).not.toContain('fresh.bin');
  });
});
