import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Readable } from 'node:stream';
import { StrataError } from '@strata/contracts';
import { assertRange, bodyStream, emptyStream } from '../body';
import {
  type Bucket,
  type ListOptions,
  type MultipartUploads,
  type ObjectAttributes,
  type PutBody,
  type PutOptions,
  type UploadedPart,
} from '../bucket';
import { BucketUnavailableError, ObjectNotFoundError } from '../errors';
import { assertValidKey, compareKeys, directoryPrefix } from '../keys';

/** Where an S3 bucket is and how to reach it. */
export interface S3BucketOptions {
  bucket: string;
  /** Key prefix inside the bucket (no leading or trailing `/`); `''` for the whole bucket. */
  prefix: string;
  /** An S3-compatible endpoint (`http://127.0.0.1:9000`); AWS' own when absent. */
  endpoint?: string;
  /** Defaults to `us-east-1`, which S3-compatible servers accept. */
  region?: string;
  /** Static credentials; the SDK's default provider chain (profile, web identity, instance role) when absent. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** `endpoint/bucket/key` instead of `bucket.endpoint/key`: what most S3-compatible servers need. */
  forcePathStyle?: boolean;
  /** Attempts per request, first one included, under the SDK's standard retry strategy (exponential backoff with jitter). */
  maxAttempts?: number;
  /** Objects larger than this go up as a multipart upload in parts of this size (at least 5 MiB). */
  partSizeBytes?: number;
  /** Parts uploaded at once; memory held per put is about `partSizeBytes × uploadConcurrency`. */
  uploadConcurrency?: number;
  /** Keys per ListObjectsV2 page (at most 1,000, S3's limit). */
  listPageSize?: number;
}

const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
/** S3's largest CopyObject source. */
const MAX_COPY_BYTES = 5 * 1024 * 1024 * 1024;
const MIN_PART_SIZE = 5 * 1024 * 1024;

/** Status codes S3 answers for a missing key (GET: NoSuchKey; HEAD has no body, so only the 404). */
function isMissing(error: unknown): boolean {
  if (!(error instanceof S3ServiceException)) return false;
  return (
    error.name === 'NoSuchKey' ||
    error.name === 'NotFound' ||
    (error.$metadata.httpStatusCode === 404 && error.name !== 'NoSuchBucket')
  );
}

function isInvalidRange(error: unknown): boolean {
  return (
    error instanceof S3ServiceException &&
    (error.name === 'InvalidRange' || error.$metadata.httpStatusCode === 416)
  );
}

/** A bucket on S3 or an S3-compatible store, through AWS SDK v3; large puts go up as multipart uploads. */
export class S3Bucket implements Bucket {
  readonly name: string;
  readonly multipart: MultipartUploads;
  private readonly client: S3Client;
  private readonly keyPrefix: string;
  private presigner: S3Client | null = null;

  constructor(private readonly options: S3BucketOptions) {
    const prefix = options.prefix.replace(/^\/+|\/+$/g, '');
    this.keyPrefix = directoryPrefix(prefix);
    this.name = `s3://${options.bucket}${prefix ? `/${prefix}` : ''}`;
    if (options.partSizeBytes !== undefined && options.partSizeBytes < MIN_PART_SIZE) {
      throw new StrataError(
        'validation_failed',
        `partSizeBytes must be at least ${MIN_PART_SIZE} (S3's smallest part)`,
      );
    }
    this.client = new S3Client({
      endpoint: options.endpoint,
      region: options.region ?? 'us-east-1',
      credentials: options.credentials,
      forcePathStyle: options.forcePathStyle ?? false,
      // A connection that cannot open, or a response that stalls, fails (and is retried) instead of hanging.
      requestHandler: { connectionTimeout: 10_000, requestTimeout: 120_000 },
      retryMode: 'standard',
      maxAttempts: options.maxAttempts ?? 5,
    });
    this.multipart = this.multipartUploads();
  }

  async get(key: string): Promise<Readable> {
    return this.getRange(key, 0, -1);
  }

  async getRange(key: string, offset: number, length: number): Promise<Readable> {
    assertRange(offset, length);
    const objectKey = this.objectKey(key);
    if (length === 0) {
      // No byte range can ask for nothing; still answer not-found for a missing key.
      await this.attributes(key);
      return emptyStream();
    }
    const range =
      offset === 0 && length === -1
        ? undefined
        : `bytes=${offset}-${length === -1 ? '' : offset + length - 1}`;
    try {
      const reply = await this.client.send(
        new GetObjectCommand({ Bucket: this.options.bucket, Key: objectKey, Range: range }),
      );
      if (!(reply.Body instanceof Readable))
        throw new BucketUnavailableError(`${this.name}: GetObject ${key} returned no stream`);
      return reply.Body;
    } catch (error) {
      // 416 means the key exists but the offset is at or past its end (or the object is empty).
      if (isInvalidRange(error)) return emptyStream();
      throw this.mapError('GetObject', key, error);
    }
  }

  async put(key: string, body: PutBody, options: PutOptions = {}): Promise<void> {
    const objectKey = this.objectKey(key);
    options.signal?.throwIfAborted();
    const abortController = new AbortController();
    const onAbort = () => abortController.abort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const source = typeof body === 'string' || body instanceof Uint8Array ? body : bodyStream(body);
    let bodyError: unknown = null;
    if (source instanceof Readable) source.once('error', (error) => (bodyError = error));
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.options.bucket, Key: objectKey, Body: source },
      partSize: this.options.partSizeBytes ?? DEFAULT_PART_SIZE,
      queueSize: this.options.uploadConcurrency ?? 4,
      // An upload that fails midway is aborted, so no parts linger and no object appears.
      leavePartsOnError: false,
      abortController,
    });
    try {
      await upload.done();
    } catch (error) {
      if (source instanceof Readable) source.destroy();
      if (options.signal?.aborted) throw options.signal.reason;
      // The caller's stream failing is the caller's error, not the bucket's.
      if (bodyError !== null) throw bodyError;
      throw this.mapError('PutObject', key, error);
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }
  }

  async *list(dir: string, options: ListOptions = {}): AsyncIterable<string> {
    const prefix = this.keyPrefix + directoryPrefix(dir);
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.client.send(
          new ListObjectsV2Command({
            Bucket: this.options.bucket,
            Prefix: prefix,
            Delimiter: options.recursive ? undefined : '/',
            ContinuationToken: token,
            MaxKeys: this.options.listPageSize,
          }),
        );
      } catch (error) {
        throw this.mapError('ListObjectsV2', dir, error);
      }
      const keys = [
        // Folder placeholders (`dir/` objects that consoles create) are no objects.
        ...(page.Contents ?? [])
          .map((o) => o.Key ?? '')
          .filter((k) => k.length > prefix.length && !k.endsWith('/')),
        ...(page.CommonPrefixes ?? [])
          .map((p) => p.Prefix ?? '')
          .filter((k) => k.length > prefix.length),
      ].sort(compareKeys);
      for (const key of keys) yield key.slice(this.keyPrefix.length);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async delete(key: string): Promise<void> {
    const objectKey = this.objectKey(key);
    try {
      await this.client.send(
        new DeleteObjectCommand({ Bucket: this.options.bucket, Key: objectKey }),
      );
    } catch (error) {
      if (isMissing(error)) return;
      throw this.mapError('DeleteObject', key, error);
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.attributes(key);
      return true;
    } catch (error) {
      if (error instanceof ObjectNotFoundError) return false;
      throw error;
    }
  }

  async attributes(key: string): Promise<ObjectAttributes> {
    const objectKey = this.objectKey(key);
    try {
      const head = await this.client.send(
        new HeadObjectCommand({ Bucket: this.options.bucket, Key: objectKey }),
      );
      return { size: head.ContentLength ?? 0, lastModified: head.LastModified ?? new Date(0) };
    } catch (error) {
      throw this.mapError('HeadObject', key, error);
    }
  }

  async presignGet(key: string, expiresInSeconds: number): Promise<string> {
    const command = new GetObjectCommand({ Bucket: this.options.bucket, Key: this.objectKey(key) });
    return getSignedUrl(this.client, command, { expiresIn: expiresInSeconds });
  }

  async close(): Promise<void> {
    this.client.destroy();
    this.presigner?.destroy();
  }

  /**
   * Signs part uploads with a client that adds no default checksum: the SDK would bake the CRC32
   * of an empty body into the URL, and S3 would refuse every real part sent to it.
   */
  private partSigner(): S3Client {
    this.presigner ??= new S3Client({
      endpoint: this.options.endpoint,
      region: this.options.region ?? 'us-east-1',
      credentials: this.options.credentials,
      forcePathStyle: this.options.forcePathStyle ?? false,
      requestChecksumCalculation: 'WHEN_REQUIRED',
    });
    return this.presigner;
  }

  private multipartUploads(): MultipartUploads {
    const Bucket = this.options.bucket;
    return {
      maxCopyBytes: MAX_COPY_BYTES,
      create: async (key) => {
        try {
          const reply = await this.client.send(
            new CreateMultipartUploadCommand({ Bucket, Key: this.objectKey(key) }),
          );
          if (!reply.UploadId)
            throw new BucketUnavailableError(`${this.name}: CreateMultipartUpload ${key}: no id`);
          return reply.UploadId;
        } catch (error) {
          throw this.mapError('CreateMultipartUpload', key, error);
        }
      },
      presignPart: (key, uploadId, partNumber, expiresIn) =>
        getSignedUrl(
          this.partSigner(),
          new UploadPartCommand({
            Bucket,
            Key: this.objectKey(key),
            UploadId: uploadId,
            PartNumber: partNumber,
          }),
          { expiresIn },
        ),
      complete: async (key, uploadId, parts: UploadedPart[]) => {
        try {
          await this.client.send(
            new CompleteMultipartUploadCommand({
              Bucket,
              Key: this.objectKey(key),
              UploadId: uploadId,
              MultipartUpload: {
                Parts: [...parts]
                  .sort((a, b) => a.partNumber - b.partNumber)
                  .map((p) => ({
                    PartNumber: p.partNumber,
                    ETag: `"${p.etag.replace(/"/g, '')}"`,
                  })),
              },
            }),
          );
        } catch (error) {
          // InvalidPart, InvalidPartOrder, EntityTooSmall: the parts the caller named are wrong.
          if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 400)
            throw new StrataError(
              'bad_request',
              `the upload's parts do not complete it: ${error.name}: ${error.message}`,
              undefined,
              { reason: 'upload_invalid', cause: error },
            );
          throw this.mapError('CompleteMultipartUpload', key, error);
        }
      },
      abort: async (key, uploadId) => {
        try {
          await this.client.send(
            new AbortMultipartUploadCommand({
              Bucket,
              Key: this.objectKey(key),
              UploadId: uploadId,
            }),
          );
        } catch (error) {
          // Already completed or aborted (NoSuchUpload), or a store without the call (s3rver: 405).
          if (
            error instanceof S3ServiceException &&
            [404, 405, 501].includes(error.$metadata.httpStatusCode ?? 0)
          )
            return;
          throw this.mapError('AbortMultipartUpload', key, error);
        }
      },
      copy: async (from, to) => {
        try {
          await this.client.send(
            new CopyObjectCommand({
              Bucket,
              Key: this.objectKey(to),
              CopySource: encodeURI(`${Bucket}/${this.objectKey(from)}`),
            }),
          );
        } catch (error) {
          throw this.mapError('CopyObject', from, error);
        }
      },
    };
  }

  private objectKey(key: string): string {
    assertValidKey(key);
    return this.keyPrefix + key;
  }

  private mapError(operation: string, key: string, error: unknown): unknown {
    if (isMissing(error)) return new ObjectNotFoundError(key, { cause: error });
    if (error instanceof S3ServiceException) {
      const reason =
        error.name === 'NoSuchBucket'
          ? 'no_such_bucket'
          : error.name === 'AccessDenied'
            ? 'access_denied'
            : undefined;
      return new BucketUnavailableError(
        `${this.name}: ${operation} ${key}: ${error.name}: ${error.message}`,
        { cause: error, reason },
      );
    }
    if (error instanceof StrataError) return error;
    // Connection refused or reset, timeouts: the store is out of reach.
    return new BucketUnavailableError(
      `${this.name}: ${operation} ${key}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}
