import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { ObjectNotFoundError } from '../errors';
import { FilesystemBucket } from './filesystem-bucket';

/** A consumer that takes each chunk only after a pause and keeps what it got, as a slow socket. */
function slowSink(): { sink: Writable; received: () => Buffer } {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    highWaterMark: 1,
    write(chunk: Buffer, _encoding, done) {
      // Copied: a reused buffer would otherwise change under what was received.
      chunks.push(Buffer.from(chunk));
      setTimeout(done, 1);
    },
  });
  return { sink, received: () => Buffer.concat(chunks) };
}

describe('FilesystemBucket.openRange', () => {
  let dir: string;
  let bucket: FilesystemBucket;
  const bytes = randomBytes((5 << 20) + 777);
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strata-file-range-'));
    bucket = new FilesystemBucket(join(dir, 'root'));
    await bucket.put('t/blob', bytes);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['the whole object', 0, -1],
    ['from an offset off a block to the end', 99_990, -1],
    ['a range inside, off blocks at both ends', 4097, (2 << 20) + 13],
    ['a range running past the end, cut there', (5 << 20) + 700, 1000],
    ['an offset past the end: nothing', 6 << 20, 10],
  ])('writes exactly the bytes of %s to a slow consumer', async (_name, offset, length) => {
    const range = await bucket.openRange('t/blob', offset, length);
    const end = length === -1 ? bytes.length : Math.min(offset + length, bytes.length);
    const expected = bytes.subarray(Math.min(offset, bytes.length), end);
    expect(range.length).toBe(expected.length);
    const { sink, received } = slowSink();
    expect(await range.writeTo(sink)).toBe(true);
    expect(received().equals(expected)).toBe(true);
  });

  it('stops and reports false when the consumer goes away mid-range', async () => {
    const range = await bucket.openRange('t/blob', 0, -1);
    const out = new PassThrough({ highWaterMark: 1 });
    let got = 0;
    out.on('data', (chunk: Buffer) => {
      got += chunk.length;
      if (got >= 1 << 20) out.destroy();
    });
    expect(await range.writeTo(out)).toBe(false);
    expect(got).toBeLessThan(bytes.length);
  });

  it('rejects a missing key as not found', async () => {
    await expect(bucket.openRange('t/none', 0, -1)).rejects.toBeInstanceOf(ObjectNotFoundError);
  });
});
