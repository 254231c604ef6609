import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { BatchedFileWriter } from './batched-file-writer';
import { DIRECT_ALIGN, openForWriting } from './direct-io';

/** Feeds `bytes` to the writer in chunks of `chunk` bytes, as a socket would. */
async function writeInChunks(writer: BatchedFileWriter, bytes: Buffer, chunk: number) {
  for (let at = 0; at < bytes.length; at += chunk)
    await writer.write(bytes.subarray(at, Math.min(at + chunk, bytes.length)));
  await writer.end();
}

const scratch = join(__dirname, '../../../../.strata');

describe('BatchedFileWriter', () => {
  let dir: string;
  // On the repository's disk (the bench's and the services' data live there), not a tmpfs.
  beforeEach(() => {
    mkdirSync(scratch, { recursive: true });
    dir = mkdtempSync(join(scratch, 'batched-writer-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("opens files for O_DIRECT writes on the repository's disk, so batches skip the page cache", async () => {
    const target = await openForWriting(join(dir, 'f'), 'wx');
    await target.handle.close();
    expect(target.direct).toBe(true);
  });

  it.each([
    ['empty', 0, 65536],
    ['one byte', 1, 65536],
    ['one aligned block', DIRECT_ALIGN, 1000],
    ['batches and an unaligned tail', (9 << 20) + 123, 65536],
    ['odd chunk sizes across batch ends', (4 << 20) * 2 + DIRECT_ALIGN, 77_777],
  ])('a new file written directly holds exactly the bytes: %s', async (_name, size, chunk) => {
    const bytes = randomBytes(size);
    const path = join(dir, 'f');
    const target = await openForWriting(path, 'wx');
    try {
      await writeInChunks(new BatchedFileWriter(target, 0), bytes, chunk);
      await target.handle.sync();
    } finally {
      await target.handle.close();
    }
    expect(readFileSync(path).equals(bytes)).toBe(true);
  });

  it('writes into the middle of an existing file from an unaligned offset, leaving the bytes around it', async () => {
    const path = join(dir, 'f');
    const before = randomBytes(6 << 20);
    writeFileSync(path, before);
    const bytes = randomBytes((3 << 20) + 5);
    const from = 12_345;
    const target = await openForWriting(path, 'r+');
    try {
      await writeInChunks(new BatchedFileWriter(target, from, 1 << 20), bytes, 65536);
    } finally {
      await target.handle.close();
    }
    const expected = Buffer.from(before);
    bytes.copy(expected, from);
    expect(readFileSync(path).equals(expected)).toBe(true);
  });

  it('writes through a plain handle as before (no O_DIRECT)', async () => {
    const path = join(dir, 'f');
    const handle = await open(path, 'w');
    const bytes = randomBytes((5 << 20) + 3);
    try {
      await writeInChunks(new BatchedFileWriter(handle, 0), bytes, 65536);
    } finally {
      await handle.close();
    }
    expect(readFileSync(path).equals(bytes)).toBe(true);
  });
});
