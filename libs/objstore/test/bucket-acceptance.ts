// The one acceptance suite every Bucket implementation passes (Thanos' objstore.AcceptanceTest is
// the model). A spec calls it inside a describe with a factory of fresh, empty buckets.
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { type Bucket, InvalidObjectKeyError, ObjectNotFoundError, isObjectNotFound } from '../src';

const MiB = 1024 * 1024;

/** Reads a stream to its end. */
export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/** Every key `list` yields, in its order. */
export async function listAll(bucket: Bucket, dir: string, recursive = false): Promise<string[]> {
  const keys: string[] = [];
  for await (const key of bucket.list(dir, { recursive })) keys.push(key);
  return keys;
}

/** `size` bytes in `chunkSize` chunks, streamed: never whole in memory on the writer's side. */
function chunked(bytes: Buffer, chunkSize = 64 * 1024): Readable {
  return Readable.from(
    (function* () {
      for (let at = 0; at < bytes.length; at += chunkSize) yield bytes.subarray(at, at + chunkSize);
    })(),
  );
}

/** A stream that sends `bytesBeforeFailure` bytes and then fails, as a client dying mid-upload. */
function failingAfter(bytesBeforeFailure: number, error: Error): Readable {
  return Readable.from(
    (async function* () {
      for (let sent = 0; sent < bytesBeforeFailure; sent += 256 * 1024) {
        yield Buffer.alloc(Math.min(256 * 1024, bytesBeforeFailure - sent), 0x5a);
        await new Promise((r) => setImmediate(r));
      }
      throw error;
    })(),
  );
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function text(
  bucket: Bucket,
  key: string,
  offset?: number,
  length?: number,
): Promise<string> {
  const stream =
    offset === undefined ? await bucket.get(key) : await bucket.getRange(key, offset, length ?? -1);
  return (await readAll(stream)).toString('utf8');
}

/** What the suite needs from a spec: fresh empty buckets, and the size above which puts go multipart. */
export interface BucketAcceptanceOptions {
  newBucket: () => Promise<Bucket>;
  /** Bodies larger than this take the implementation's large-object path (S3 multipart). */
  largeObjectBytes: number;
}

/** Registers the acceptance tests for one implementation. */
export function bucketAcceptanceSuite(options: BucketAcceptanceOptions): void {
  let bucket: Bucket;
  beforeEach(async () => {
    bucket = await options.newBucket();
  });
  afterEach(async () => {
    await bucket.close();
  });

  describe('put and get', () => {
    it('round-trips text, empty objects, every byte value and a streamed body', async () => {
      const binary = Buffer.concat([
        Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
        randomBytes(MiB),
      ]);
      await bucket.put('t/text.json', '{"a":"é"}');
      await bucket.put('t/empty-string', '');
      await bucket.put('t/empty-stream', Readable.from([]));
      await bucket.put('t/binary', binary);
      await bucket.put('t/streamed', chunked(binary, 1000));
      await bucket.put(
        't/iterable',
        (async function* () {
          yield binary.subarray(0, 10);
          yield binary.subarray(10);
        })(),
      );

      expect(await text(bucket, 't/text.json')).toBe('{"a":"é"}');
      expect((await readAll(await bucket.get('t/empty-string'))).length).toBe(0);
      expect((await readAll(await bucket.get('t/empty-stream'))).length).toBe(0);
      expect((await bucket.attributes('t/empty-stream')).size).toBe(0);
      expect((await readAll(await bucket.get('t/binary'))).equals(binary)).toBe(true);
      expect((await readAll(await bucket.get('t/streamed'))).equals(binary)).toBe(true);
      expect((await readAll(await bucket.get('t/iterable'))).equals(binary)).toBe(true);
    });

    it('round-trips an object larger than the multipart threshold, streamed in small chunks', async () => {
      const big = randomBytes(options.largeObjectBytes * 2 + 123_457);
      await bucket.put('big/object', chunked(big));
      const back = await readAll(await bucket.get('big/object'));
      expect(back.length).toBe(big.length);
      expect(sha256(back)).toBe(sha256(big));
      expect((await bucket.attributes('big/object')).size).toBe(big.length);
      // A range across the first part boundary reads the same bytes.
      const from = options.largeObjectBytes - 1000;
      expect(
        (await readAll(await bucket.getRange('big/object', from, 5000))).equals(
          big.subarray(from, from + 5000),
        ),
      ).toBe(true);
    });

    it('replaces an object: readers then see the new content and size', async () => {
      await bucket.put('r/key', 'first version');
      await bucket.put('r/key', 'v2');
      expect(await text(bucket, 'r/key')).toBe('v2');
      expect((await bucket.attributes('r/key')).size).toBe(2);
      expect(await listAll(bucket, 'r')).toEqual(['r/key']);
    });
  });

  describe('ranged get', () => {
    beforeEach(async () => {
      await bucket.put('range/digits', '0123456789');
      await bucket.put('range/empty', '');
    });

    it('reads the start, the middle and the end', async () => {
      expect(await text(bucket, 'range/digits', 0, 3)).toBe('012');
      expect(await text(bucket, 'range/digits', 0, 1)).toBe('0');
      expect(await text(bucket, 'range/digits', 3, 4)).toBe('3456');
      expect(await text(bucket, 'range/digits', 7, 3)).toBe('789');
      expect(await text(bucket, 'range/digits', 9, 1)).toBe('9');
    });

    it('reads to the end with length -1', async () => {
      expect(await text(bucket, 'range/digits', 0, -1)).toBe('0123456789');
      expect(await text(bucket, 'range/digits', 4, -1)).toBe('456789');
    });

    it('cuts a range running past the end, and gives nothing from an offset at or past the end', async () => {
      expect(await text(bucket, 'range/digits', 8, 100)).toBe('89');
      expect(await text(bucket, 'range/digits', 10, 5)).toBe('');
      expect(await text(bucket, 'range/digits', 10, -1)).toBe('');
      expect(await text(bucket, 'range/digits', 1000, 3)).toBe('');
      expect(await text(bucket, 'range/digits', 2, 0)).toBe('');
      expect(await text(bucket, 'range/empty', 0, 10)).toBe('');
      expect(await text(bucket, 'range/empty', 0, -1)).toBe('');
    });

    it('refuses negative or fractional offsets and lengths', async () => {
      await expect(bucket.getRange('range/digits', -1, 3)).rejects.toMatchObject({
        code: 'bad_request',
      });
      await expect(bucket.getRange('range/digits', 0, -2)).rejects.toMatchObject({
        code: 'bad_request',
      });
      await expect(bucket.getRange('range/digits', 1.5, 3)).rejects.toMatchObject({
        code: 'bad_request',
      });
    });
  });

  describe('missing objects', () => {
    it('get, ranged get and attributes reject with ObjectNotFoundError; exists is false', async () => {
      await bucket.put('present/child', 'x');
      for (const key of ['absent', 'present/absent', 'present', 'present/child/deeper']) {
        const errors = await Promise.all([
          bucket.get(key).catch((e: unknown) => e),
          bucket.getRange(key, 1, 3).catch((e: unknown) => e),
          bucket.getRange(key, 0, 0).catch((e: unknown) => e),
          bucket.attributes(key).catch((e: unknown) => e),
        ]);
        for (const error of errors) {
          expect(error).toBeInstanceOf(ObjectNotFoundError);
          expect(isObjectNotFound(error)).toBe(true);
          expect(error).toMatchObject({ code: 'not_found', key });
        }
        expect(await bucket.exists(key)).toBe(false);
      }
      expect(await bucket.exists('present/child')).toBe(true);
    });

    it('an invalid key is a bad request, not a missing object', async () => {
      for (const key of ['', '/abs', '..', 'a/../b', './a', 'a//b', 'a/', 'a\\b']) {
        const error = await bucket.get(key).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(InvalidObjectKeyError);
        expect(isObjectNotFound(error)).toBe(false);
        await expect(bucket.put(key, 'x')).rejects.toBeInstanceOf(InvalidObjectKeyError);
        await expect(bucket.exists(key)).rejects.toBeInstanceOf(InvalidObjectKeyError);
        await expect(bucket.delete(key)).rejects.toBeInstanceOf(InvalidObjectKeyError);
      }
      await expect(listAll(bucket, '../up')).rejects.toBeInstanceOf(InvalidObjectKeyError);
      await expect(listAll(bucket, '/abs')).rejects.toBeInstanceOf(InvalidObjectKeyError);
    });
  });

  describe('attributes', () => {
    it('reports the size and a last-modified time of the put', async () => {
      const before = Date.now();
      await bucket.put('attrs/obj', randomBytes(4097));
      const after = Date.now();
      const attrs = await bucket.attributes('attrs/obj');
      expect(attrs.size).toBe(4097);
      // S3 keeps whole seconds.
      expect(attrs.lastModified.getTime()).toBeGreaterThanOrEqual(
        Math.floor(before / 1000) * 1000 - 1000,
      );
      expect(attrs.lastModified.getTime()).toBeLessThanOrEqual(after + 1000);
    });
  });

  describe('list', () => {
    const keys = [
      'obj_5',
      'id1/obj_1',
      'id1/obj_2',
      'id1/sub/subobj_1',
      'id1/sub/deeper/x',
      'id10/obj',
      'id1-x/obj',
      'id2/only/nested/y',
      'a b/ü.bin',
    ];
    beforeEach(async () => {
      for (const key of keys) await bucket.put(key, `content of ${key}`);
    });

    it('lists one level of the root: objects and directories, byte-wise sorted', async () => {
      expect(await listAll(bucket, '')).toEqual([
        'a b/',
        'id1-x/',
        'id1/',
        'id10/',
        'id2/',
        'obj_5',
      ]);
    });

    it('lists everything recursively, objects only, byte-wise sorted', async () => {
      expect(await listAll(bucket, '', true)).toEqual(
        [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))),
      );
    });

    it('treats the listed prefix as a directory: id1 never lists id10/ or id1-x/', async () => {
      const oneLevel = ['id1/obj_1', 'id1/obj_2', 'id1/sub/'];
      expect(await listAll(bucket, 'id1')).toEqual(oneLevel);
      expect(await listAll(bucket, 'id1/')).toEqual(oneLevel);
      const all = ['id1/obj_1', 'id1/obj_2', 'id1/sub/deeper/x', 'id1/sub/subobj_1'];
      expect(await listAll(bucket, 'id1', true)).toEqual(all);
      expect(await listAll(bucket, 'id1/', true)).toEqual(all);
    });

    it('lists nested directories, including ones that hold only directories', async () => {
      expect(await listAll(bucket, 'id1/sub')).toEqual(['id1/sub/deeper/', 'id1/sub/subobj_1']);
      expect(await listAll(bucket, 'id2')).toEqual(['id2/only/']);
      expect(await listAll(bucket, 'id2/only')).toEqual(['id2/only/nested/']);
      expect(await listAll(bucket, 'id2/only/nested')).toEqual(['id2/only/nested/y']);
      expect(await listAll(bucket, 'a b')).toEqual(['a b/ü.bin']);
    });

    it('lists nothing for a missing directory, a partial name or an object', async () => {
      expect(await listAll(bucket, 'id0')).toEqual([]);
      expect(await listAll(bucket, 'id0', true)).toEqual([]);
      expect(await listAll(bucket, 'id')).toEqual([]);
      expect(await listAll(bucket, 'obj_5')).toEqual([]);
      expect(await listAll(bucket, 'id1/obj_1', true)).toEqual([]);
    });

    it('lists an empty bucket as empty', async () => {
      for (const key of keys) await bucket.delete(key);
      expect(await listAll(bucket, '')).toEqual([]);
      expect(await listAll(bucket, '', true)).toEqual([]);
    });
  });

  describe('delete', () => {
    it('removes the object, and deleting it again or a never-written key succeeds', async () => {
      await bucket.put('d/one', '1');
      await bucket.put('d/two', '2');
      await bucket.delete('d/one');
      expect(await bucket.exists('d/one')).toBe(false);
      await expect(bucket.get('d/one')).rejects.toBeInstanceOf(ObjectNotFoundError);
      expect(await listAll(bucket, 'd')).toEqual(['d/two']);
      await bucket.delete('d/one');
      await bucket.delete('never/written');
      expect(await text(bucket, 'd/two')).toBe('2');
    });

    it('a directory vanishes from listings with its last object', async () => {
      await bucket.put('keep', 'k');
      await bucket.put('gone/a/b/c', 'x');
      expect(await listAll(bucket, '')).toEqual(['gone/', 'keep']);
      await bucket.delete('gone/a/b/c');
      expect(await listAll(bucket, '')).toEqual(['keep']);
      expect(await listAll(bucket, 'gone', true)).toEqual([]);
    });

    it('deleting a directory key deletes nothing', async () => {
      await bucket.put('dir/a', 'a');
      await bucket.delete('dir');
      expect(await listAll(bucket, 'dir')).toEqual(['dir/a']);
    });
  });

  describe('atomic puts', () => {
    it('concurrent puts of one key: every read and the result is one whole version, and a later put wins', async () => {
      const size = options.largeObjectBytes + 512 * 1024;
      const writers = 4;
      const versions = Array.from({ length: writers }, (_, i) => Buffer.alloc(size, 0x41 + i));
      await bucket.put('race/key', Buffer.alloc(size, 0x30));
      let writing = true;
      const reads: Buffer[] = [];
      const reader = (async () => {
        while (writing) reads.push(await readAll(await bucket.get('race/key')));
      })();
      await Promise.all(versions.map((v) => bucket.put('race/key', chunked(v))));
      writing = false;
      await reader;
      reads.push(await readAll(await bucket.get('race/key')));
      const whole = (b: Buffer) => b.length === size && b.every((byte) => byte === b[0]);
      for (const read of reads) expect(whole(read)).toBe(true);
      const final = reads[reads.length - 1];
      expect(final[0]).toBeGreaterThanOrEqual(0x41);
      expect(final[0]).toBeLessThan(0x41 + writers);
      await bucket.put('race/key', 'last');
      expect(await text(bucket, 'race/key')).toBe('last');
    });

    it('a put whose input fails midway stores nothing and keeps the previous version', async () => {
      const failure = new Error('client went away');
      await expect(bucket.put('abort/new', failingAfter(MiB, failure))).rejects.toBe(failure);
      await expect(
        bucket.put('abort/new-large', failingAfter(options.largeObjectBytes + MiB, failure)),
      ).rejects.toBe(failure);
      expect(await bucket.exists('abort/new')).toBe(false);
      expect(await bucket.exists('abort/new-large')).toBe(false);
      expect(await listAll(bucket, '', true)).toEqual([]);

      await bucket.put('abort/old', 'previous');
      await expect(
        bucket.put('abort/old', failingAfter(options.largeObjectBytes + MiB, failure)),
      ).rejects.toBe(failure);
      expect(await text(bucket, 'abort/old')).toBe('previous');
      expect(await listAll(bucket, '', true)).toEqual(['abort/old']);
    });

    it('a put abandoned through its signal stores nothing', async () => {
      const controller = new AbortController();
      const endless = Readable.from(
        (async function* () {
          for (let i = 0; ; i++) {
            if (i === 8) controller.abort(new Error('shutting down'));
            yield Buffer.alloc(256 * 1024, 1);
            await new Promise((r) => setImmediate(r));
          }
        })(),
      );
      await expect(
        bucket.put('signal/key', endless, { signal: controller.signal }),
      ).rejects.toThrow();
      expect(await bucket.exists('signal/key')).toBe(false);
    });
  });

  describe('keys with spaces and unicode', () => {
    const names = [
      'tenant ü/指标/file with spaces.json',
      '日本/😀.bin',
      'odd/a+b=c&d?#%20.txt',
      'odd/ünïcødé/ñ',
    ];

    it('puts, reads, lists and deletes them', async () => {
      for (const key of names) await bucket.put(key, `body of ${key}`);
      for (const key of names) {
        expect(await text(bucket, key)).toBe(`body of ${key}`);
        expect(await bucket.exists(key)).toBe(true);
        expect((await bucket.attributes(key)).size).toBe(Buffer.byteLength(`body of ${key}`));
      }
      expect(await listAll(bucket, '')).toEqual(['odd/', 'tenant ü/', '日本/']);
      expect(await listAll(bucket, 'odd')).toEqual(['odd/a+b=c&d?#%20.txt', 'odd/ünïcødé/']);
      expect(await listAll(bucket, 'tenant ü', true)).toEqual([
        'tenant ü/指标/file with spaces.json',
      ]);
      for (const key of names) await bucket.delete(key);
      expect(await listAll(bucket, '', true)).toEqual([]);
    });
  });
}
