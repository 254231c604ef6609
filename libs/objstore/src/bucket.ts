import { type Readable, type Writable } from 'node:stream';

/** What `attributes` reports of a stored object. */
export interface ObjectAttributes {
  /** Size in bytes. */
  size: number;
  /** When the object was last written (second precision on S3). */
  lastModified: Date;
}

/** The content of a put: a stream or iterable of bytes (read once, never buffered whole), or bytes or text in memory. */
export type PutBody = Readable | AsyncIterable<Uint8Array> | Uint8Array | string;

/** Options of `put`. */
export interface PutOptions {
  /** Abandons the put: it rejects and no object (or the previous version) stays visible. */
  signal?: AbortSignal;
}

/** Options of `list`. */
export interface ListOptions {
  /** Every object below the directory at any depth; otherwise one level, with sub-directories as `dir/`. */
  recursive?: boolean;
}

/** A part a client uploaded into a multipart upload, as S3 needs it to complete the upload. */
export interface UploadedPart {
  /** 1 to 10,000. */
  partNumber: number;
  /** The ETag S3 answered the part's PUT with. */
  etag: string;
}

/**
 * Uploads that clients send straight to the store (S3 multipart with presigned part URLs), and
 * the server-side copy that moves a completed upload to its final key without the bytes leaving
 * the store.
 */
export interface MultipartUploads {
  /** Starts a multipart upload of `key`; its upload id. */
  create(key: string): Promise<string>;
  /** A URL that PUTs part `partNumber` of the upload without credentials until it expires. */
  presignPart(
    key: string,
    uploadId: string,
    partNumber: number,
    expiresInSeconds: number,
  ): Promise<string>;
  /** Joins the parts, in part-number order, into the object `key`. */
  complete(key: string, uploadId: string, parts: UploadedPart[]): Promise<void>;
  /** Drops the upload and its parts; an upload the store no longer knows is no error. */
  abort(key: string, uploadId: string): Promise<void>;
  /** Copies the object `from` to `to` inside the store (at most `maxCopyBytes`). */
  copy(from: string, to: string): Promise<void>;
  /** The largest object `copy` moves in one request (S3's CopyObject: 5 GiB). */
  readonly maxCopyBytes: number;
}

/** A range of an object opened for writing out (see `Bucket.openRange`). */
export interface ObjectRange {
  /** Bytes in the range (cut at the object's end). */
  readonly length: number;
  /**
   * Writes the range into `out` (without ending it), waiting for each write to be taken before
   * its memory is reused; false when `out` closed or failed first. Closes the object after.
   */
  writeTo(out: Writable): Promise<boolean>;
  /** Releases the object without writing it. */
  close(): Promise<void>;
}

/**
 * An object store holding immutable objects under `/`-separated keys, as Thanos' `objstore.Bucket`.
 *
 * Keys are relative (`tenant/01J…/meta.json`): no leading or trailing `/`, no empty, `.` or `..`
 * segment. A put is atomic: readers see the previous object or the whole new one, never a part,
 * and an interrupted put leaves no object behind. Operations on a missing key reject with
 * `ObjectNotFoundError` (test with `isObjectNotFound`), except `exists` and `delete`.
 */
export interface Bucket {
  /** Where the objects live, for logs: `fs:/abs/root` or `s3://bucket/prefix`. */
  readonly name: string;

  /** The whole object as a stream. */
  get(key: string): Promise<Readable>;

  /**
   * `length` bytes from `offset` (`length` -1: to the end). A range that runs past the end is cut
   * at the end; an offset at or past the end gives an empty stream.
   */
  getRange(key: string, offset: number, length: number): Promise<Readable>;

  /** Stores `body` under `key`, replacing any object there once the whole body is stored. */
  put(key: string, body: PutBody, options?: PutOptions): Promise<void>;

  /**
   * Keys below the directory `dir` (`''` for the whole bucket; `a` and `a/` both mean the
   * directory `a/`, so `ab/…` is never listed for `a`), in byte-wise lexicographic order. One
   * level lists objects and sub-directories (`a/sub/`); recursive lists only objects.
   */
  list(dir: string, options?: ListOptions): AsyncIterable<string>;

  /** Removes the object; removing a missing one succeeds. */
  delete(key: string): Promise<void>;

  /** True when an object (not merely a directory) exists at `key`. */
  exists(key: string): Promise<boolean>;

  /** Size and last-modified time of the object. */
  attributes(key: string): Promise<ObjectAttributes>;

  /**
   * A URL that reads the object without credentials until `expiresInSeconds` pass, for stores
   * that can sign one (S3); absent on stores that cannot.
   */
  presignGet?(key: string, expiresInSeconds: number): Promise<string>;

  /**
   * Opens `length` bytes from `offset` (as `getRange`) for writing into a stream from reused
   * memory, for stores that read local files; absent on the others (use `getRange`).
   */
  openRange?(key: string, offset: number, length: number): Promise<ObjectRange>;

  /** Direct client uploads, for stores that take them (S3); absent on stores that cannot. */
  readonly multipart?: MultipartUploads;

  /** Releases connections; the bucket is unusable afterwards. */
  close(): Promise<void>;
}
