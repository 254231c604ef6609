export {
  type Bucket,
  type ObjectAttributes,
  type PutBody,
  type PutOptions,
  type ListOptions,
  type MultipartUploads,
  type ObjectRange,
  type UploadedPart,
} from './bucket';
export {
  ObjectNotFoundError,
  InvalidObjectKeyError,
  ObjectKeyConflictError,
  BucketUnavailableError,
  isObjectNotFound,
} from './errors';
export { assertValidKey, directoryPrefix, compareKeys, MAX_KEY_BYTES, DIR_DELIMITER } from './keys';
export { FilesystemBucket, STAGING_DIR } from './filesystem/filesystem-bucket';
export { S3Bucket, type S3BucketOptions } from './s3/s3-bucket';
export {
  parseBucketUrl,
  bucketConfigFromEnv,
  s3ConnectionFromEnv,
  type BucketConfig,
  type BucketEnv,
  type S3ConnectionOptions,
} from './config';
export { openBucket } from './open-bucket';
