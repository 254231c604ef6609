import { type Bucket } from './bucket';
import { type BucketConfig } from './config';
import { FilesystemBucket } from './filesystem/filesystem-bucket';
import { S3Bucket } from './s3/s3-bucket';

/** The bucket a config names; no I/O happens until the first operation. */
export function openBucket(config: BucketConfig): Bucket {
  switch (config.kind) {
    case 'filesystem':
      return new FilesystemBucket(config.root);
    case 's3': {
      const { kind: _kind, ...options } = config;
      return new S3Bucket(options);
    }
  }
}
