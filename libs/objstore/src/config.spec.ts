import { join, resolve } from 'node:path';
import { PlatformEnv } from '@strata/contracts';
import { bucketConfigFromEnv, parseBucketUrl } from './config';
import { openBucket } from './open-bucket';
import { FilesystemBucket } from './filesystem/filesystem-bucket';
import { S3Bucket } from './s3/s3-bucket';

describe('parseBucketUrl', () => {
  it('reads s3://bucket/prefix, with or without a prefix and trailing slash', () => {
    expect(parseBucketUrl('s3://metrics/strata/blocks/')).toEqual({
      kind: 's3',
      bucket: 'metrics',
      prefix: 'strata/blocks',
    });
    expect(parseBucketUrl('s3://metrics')).toEqual({ kind: 's3', bucket: 'metrics', prefix: '' });
    expect(parseBucketUrl('s3://metrics/a%20b', { region: 'eu-west-1' })).toEqual({
      kind: 's3',
      bucket: 'metrics',
      prefix: 'a b',
      region: 'eu-west-1',
    });
  });

  it('reads file:///abs/path and plain paths as filesystem buckets', () => {
    expect(parseBucketUrl('file:///var/lib/strata/bucket')).toEqual({
      kind: 'filesystem',
      root: '/var/lib/strata/bucket',
    });
    expect(parseBucketUrl('/srv/bucket')).toEqual({ kind: 'filesystem', root: '/srv/bucket' });
    expect(parseBucketUrl('.strata/dev/bucket')).toEqual({
      kind: 'filesystem',
      root: resolve('.strata/dev/bucket'),
    });
  });

  it('refuses other schemes, hosts in file URLs, bad bucket names and prefixes that climb', () => {
    for (const url of [
      'gs://b/p',
      'http://127.0.0.1:9000/b',
      'file://host/path',
      's3://',
      's3://UPPER/x',
      's3://b/../x',
      '',
    ]) {
      expect(() => parseBucketUrl(url)).toThrow(
        expect.objectContaining({ code: 'validation_failed' }),
      );
    }
  });
});

describe('bucketConfigFromEnv', () => {
  it('defaults to the folder bucket in STRATA_DATA_DIR', () => {
    const env = PlatformEnv.parse({ STRATA_DATA_DIR: '/data' });
    expect(bucketConfigFromEnv(env)).toEqual({ kind: 'filesystem', root: join('/data', 'bucket') });
    expect(openBucket(bucketConfigFromEnv(env))).toBeInstanceOf(FilesystemBucket);
  });

  it('takes endpoint, region, credentials and path style for an s3:// bucket from the AWS variables', () => {
    const env = PlatformEnv.parse({
      STRATA_BUCKET_URL: 's3://metrics/blocks',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9000',
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'key',
      AWS_SECRET_ACCESS_KEY: 'secret',
      STRATA_S3_FORCE_PATH_STYLE: 'true',
    });
    const config = bucketConfigFromEnv(env);
    expect(config).toEqual({
      kind: 's3',
      bucket: 'metrics',
      prefix: 'blocks',
      endpoint: 'http://127.0.0.1:9000',
      region: 'eu-west-1',
      credentials: { accessKeyId: 'key', secretAccessKey: 'secret', sessionToken: undefined },
      forcePathStyle: true,
    });
    const bucket = openBucket(config);
    expect(bucket).toBeInstanceOf(S3Bucket);
    expect(bucket.name).toBe('s3://metrics/blocks');
  });

  it('leaves credentials to the SDK chain when the key pair is not both set', () => {
    const env = PlatformEnv.parse({ STRATA_BUCKET_URL: 's3://metrics', AWS_ACCESS_KEY_ID: 'key' });
    expect(bucketConfigFromEnv(env)).toMatchObject({
      credentials: undefined,
      forcePathStyle: false,
    });
  });

  it('the environment schema refuses a bucket URL no bucket can open', () => {
    for (const value of ['http://host/b', 'file://host/x', 's3://']) {
      expect(PlatformEnv.safeParse({ STRATA_BUCKET_URL: value }).success).toBe(false);
    }
    expect(PlatformEnv.safeParse({ AWS_ENDPOINT_URL: 'minio:9000' }).success).toBe(false);
    expect(PlatformEnv.safeParse({ STRATA_S3_FORCE_PATH_STYLE: 'yes' }).success).toBe(false);
  });
});
