import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type PlatformEnv, StrataError } from '@strata/contracts';
import { type S3BucketOptions } from './s3/s3-bucket';
import { directoryPrefix } from './keys';

/** Which bucket to open: a local folder, or an S3 bucket and key prefix. */
export type BucketConfig =
  { kind: 'filesystem'; root: string } | ({ kind: 's3' } & S3BucketOptions);

/** How to reach S3 besides the bucket and prefix the URL names. */
export type S3ConnectionOptions = Omit<S3BucketOptions, 'bucket' | 'prefix'>;

/** The variables of `PlatformEnv` a bucket is configured from. */
export type BucketEnv = Pick<
  PlatformEnv,
  | 'STRATA_BUCKET_URL'
  | 'STRATA_DATA_DIR'
  | 'AWS_ENDPOINT_URL'
  | 'AWS_REGION'
  | 'AWS_ACCESS_KEY_ID'
  | 'AWS_SECRET_ACCESS_KEY'
  | 'AWS_SESSION_TOKEN'
  | 'STRATA_S3_FORCE_PATH_STYLE'
>;

function invalid(url: string, why: string): StrataError {
  return new StrataError('validation_failed', `bucket URL ${JSON.stringify(url)}: ${why}`);
}

/**
 * Reads `s3://bucket/prefix`, `file:///abs/path` or a plain path (relative to the working
 * folder) into a bucket config; `s3` says how to reach an s3:// bucket.
 */
export function parseBucketUrl(url: string, s3: S3ConnectionOptions = {}): BucketConfig {
  if (url.startsWith('s3://')) {
    const match = /^s3:\/\/([^/?#]+)(?:\/([^?#]*))?$/.exec(url);
    if (!match) throw invalid(url, 'expected s3://bucket/prefix');
    const bucket = match[1];
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket))
      throw invalid(url, `${bucket} is not a valid S3 bucket name`);
    const prefix = decodeURIComponent(match[2] ?? '').replace(/\/+$/, '');
    if (prefix !== '') {
      try {
        directoryPrefix(prefix);
      } catch (error) {
        throw invalid(url, (error as Error).message);
      }
    }
    return { kind: 's3', bucket, prefix, ...s3 };
  }
  if (url.startsWith('file://')) {
    if (!url.startsWith('file:///')) throw invalid(url, 'expected file:///absolute/path');
    return { kind: 'filesystem', root: fileURLToPath(url) };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url))
    throw invalid(url, 'only s3:// and file:// buckets are supported');
  if (url === '') throw invalid(url, 'empty');
  return { kind: 'filesystem', root: resolve(url) };
}

/** How the platform's environment says to reach S3 (endpoint, region, credentials, path style), for any s3:// URL. */
export function s3ConnectionFromEnv(
  env: Omit<BucketEnv, 'STRATA_BUCKET_URL' | 'STRATA_DATA_DIR'>,
): S3ConnectionOptions {
  const credentials =
    env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? {
          accessKeyId: env.AWS_ACCESS_KEY_ID,
          secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
          sessionToken: env.AWS_SESSION_TOKEN,
        }
      : undefined;
  return {
    endpoint: env.AWS_ENDPOINT_URL,
    region: env.AWS_REGION,
    credentials,
    forcePathStyle: env.STRATA_S3_FORCE_PATH_STYLE,
  };
}

/** The bucket the platform's environment names: STRATA_BUCKET_URL, else `<STRATA_DATA_DIR>/bucket`. */
export function bucketConfigFromEnv(env: BucketEnv): BucketConfig {
  return parseBucketUrl(
    env.STRATA_BUCKET_URL ?? join(env.STRATA_DATA_DIR, 'bucket'),
    s3ConnectionFromEnv(env),
  );
}
