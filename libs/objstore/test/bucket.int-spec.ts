import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningS3Server, startS3Server } from '@strata/devstack';
import { FilesystemBucket, S3Bucket } from '../src';
import { bucketAcceptanceSuite, listAll } from './bucket-acceptance';

const MiB = 1024 * 1024;

describe('filesystem bucket', () => {
  let dir: string;
  let count = 0;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'strata-objstore-fs-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  bucketAcceptanceSuite({
    // The root does not exist yet: the bucket creates what it needs.
    newBucket: async () => new FilesystemBucket(join(dir, `bucket-${++count}`, 'root')),
    largeObjectBytes: 5 * MiB,
  });
});

describe('S3 bucket on s3rver', () => {
  let server: RunningS3Server;
  let admin: S3Client;
  let dir: string;
  let count = 0;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strata-objstore-s3-'));
    server = await startS3Server({ dataDir: dir });
    admin = new S3Client({
      endpoint: server.endpoint,
      region: server.region,
      forcePathStyle: true,
      credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    });
  });
  afterAll(async () => {
    admin?.destroy();
    await server?.process.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const prefix = 'strata/blocks';
  bucketAcceptanceSuite({
    newBucket: async () => {
      const name = `acceptance-${++count}-${process.pid}`;
      await admin.send(new CreateBucketCommand({ Bucket: name }));
      // Neighbours of the prefix that no listing or delete of the bucket may reach.
      for (const key of ['outside.txt', 'strata/blocks-other/x', 'strata/blocksx']) {
        await admin.send(new PutObjectCommand({ Bucket: name, Key: key, Body: 'decoy' }));
      }
      return new S3Bucket({
        bucket: name,
        prefix,
        endpoint: server.endpoint,
        region: server.region,
        forcePathStyle: true,
        credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
        partSizeBytes: 5 * MiB,
        // Small pages, so every listing crosses page boundaries.
        listPageSize: 2,
      });
    },
    largeObjectBytes: 5 * MiB,
  });

  it('the decoys beside the prefix are still there and the prefix itself is not listed', async () => {
    const name = `decoys-${process.pid}`;
    await admin.send(new CreateBucketCommand({ Bucket: name }));
    await admin.send(new PutObjectCommand({ Bucket: name, Key: 'strata/blocksx', Body: 'decoy' }));
    const options = {
      endpoint: server.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    };
    const inner = new S3Bucket({ bucket: name, prefix, ...options });
    const whole = new S3Bucket({ bucket: name, prefix: '', ...options });
    await inner.put('t/a', 'a');
    expect(await listAll(inner, '', true)).toEqual(['t/a']);
    expect(await listAll(whole, '', true)).toEqual(['strata/blocks/t/a', 'strata/blocksx']);
    expect(inner.name).toBe(`s3://${name}/strata/blocks`);
    await inner.close();
    await whole.close();
  });
});
