// Child-process entry of startS3Server: runs s3rver (npm) on loopback with a store that corrects
// where s3rver 3.7 answers differently from S3, so one acceptance suite holds for S3 and the
// filesystem bucket. Each correction is listed in libs/objstore/README.md ("s3rver quirks").
// Node runs it with --openssl-legacy-provider: s3rver encrypts list continuation tokens with DES.
'use strict';
const { createHash, randomUUID } = require('node:crypto');
const fs = require('node:fs');
const { dirname } = require('node:path');
const { Readable, Transform } = require('node:stream');
const { pipeline } = require('node:stream/promises');
const S3rver = require('s3rver');
const FilesystemStore = require('s3rver/lib/stores/filesystem');
const S3Object = require('s3rver/lib/models/object');

const byteOrder = (a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

class S3CompatibleStore extends FilesystemStore {
  // s3rver prunes folders below a delimiter before it sees their keys, so a "directory" holding
  // only sub-directories never shows as a common prefix; and it pages in readdir order. Here the
  // keys are listed whole, sorted byte-wise, then split by the delimiter as S3 does.
  async listObjects(bucket, options) {
    const { delimiter = '', startAfter = '', prefix = '', maxKeys = Infinity } = options;
    const all = await super.listObjects(bucket, { prefix, maxKeys: Infinity });
    const objects = all.objects
      .sort((a, b) => byteOrder(a.key, b.key))
      .filter((o) => byteOrder(o.key, startAfter) > 0);
    if (!delimiter) {
      return {
        objects: objects.slice(0, maxKeys),
        commonPrefixes: [],
        isTruncated: objects.length > maxKeys,
      };
    }
    const direct = [];
    const commonPrefixes = new Set();
    for (const object of objects) {
      const at = object.key.indexOf(delimiter, prefix.length);
      if (at === -1) direct.push(object);
      else commonPrefixes.add(object.key.slice(0, at + delimiter.length));
    }
    // One page: s3rver's continuation token can only name an object, never a common prefix.
    return {
      objects: direct,
      commonPrefixes: [...commonPrefixes].sort(byteOrder),
      isTruncated: false,
    };
  }

  // s3rver reads `bytes=0-0` as the whole object and answers a range of an empty object with a
  // wrong Content-Length; S3 gives one byte, and 416 InvalidRange for an empty object.
  async getObject(bucket, key, options) {
    if (!options || options.start === undefined) return super.getObject(bucket, key, options);
    let metadata;
    try {
      metadata = await this.getMetadata(bucket, key);
    } catch (error) {
      if (error.code === 'ENOENT') return null;
      throw error;
    }
    const size = Number(metadata['content-length']);
    const start = options.start;
    const end = Math.min(options.end === undefined ? Infinity : options.end, size - 1);
    if (!Number.isInteger(start) || start >= size || end < start) {
      const unsatisfiable = new S3Object(bucket, key, null, metadata);
      unsatisfiable.range = { start, end };
      return unsatisfiable;
    }
    const content = await new Promise((resolve, reject) => {
      const stream = fs
        .createReadStream(this.getResourcePath(bucket, key, 'object'), { start, end })
        .on('error', reject)
        .on('open', () => resolve(stream));
    });
    const object = new S3Object(bucket, key, content, metadata);
    object.range = { start, end };
    return object;
  }

  // s3rver writes into the object's file in place and answers before the write ends, so readers
  // can see part of an object and concurrent puts can interleave; S3 puts are atomic.
  async putObject(object) {
    const target = this.getResourcePath(object.bucket, object.key, 'object');
    await fs.promises.mkdir(dirname(target), { recursive: true });
    const staged = `${target}.${randomUUID()}.staged`;
    const md5 = createHash('md5');
    let size = 0;
    const source = Buffer.isBuffer(object.content)
      ? Readable.from([object.content])
      : object.content;
    const measure = new Transform({
      transform(chunk, _encoding, callback) {
        md5.update(chunk);
        size += chunk.length;
        callback(null, chunk);
      },
    });
    try {
      await pipeline(source, measure, fs.createWriteStream(staged));
      await fs.promises.rename(staged, target);
    } finally {
      await fs.promises.rm(staged, { force: true });
    }
    const digest = md5.digest('hex');
    await this.putMetadata(object.bucket, object.key, object.metadata, digest);
    return { size, md5: digest };
  }
}

async function main() {
  const [directory, port, parentPid, ...buckets] = process.argv.slice(2);
  const server = new S3rver({
    address: '127.0.0.1',
    port: Number(port),
    directory,
    silent: false,
    configureBuckets: buckets.map((name) => ({ name, configs: [] })),
  });
  server.store = server.context.store = new S3CompatibleStore(directory);
  const address = await server.run();
  console.log(`s3rver listening on ${address.address}:${address.port}`);
  // Stop with the process that started it, even when that one was killed.
  setInterval(() => {
    try {
      process.kill(Number(parentPid), 0);
    } catch {
      process.exit(0);
    }
  }, 1000).unref();
  for (const signal of ['SIGTERM', 'SIGINT'])
    process.once(signal, () => void server.close().then(() => process.exit(0)));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
