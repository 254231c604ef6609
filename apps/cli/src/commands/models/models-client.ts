import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import {
  BLOBS_MISSING_REASON,
  type BlobDigest,
  type BlobLocation,
  type ErrorBody,
  MODEL_BLOB_UPLOAD_TYPE,
  MODELS_API_PREFIX,
  type ModelIndex,
  ModelManifest,
  type MultipartUploadLocation,
} from '@strata/contracts';
import { type LocalBlob } from './model-pack';
import { type ModelRef } from './model-ref';
import { sendFileRange } from './range-sender';

/** Blobs below this move through the gateway: a presigned URL's extra request costs more than it saves. */
const DIRECT_MIN_BYTES = 5 << 20;

/** Where the CLI reaches the gateway for model commands, and as whom. */
export interface ModelsTarget {
  url: string;
  token: string;
  /** Names the tenant when the token is the platform admin's. */
  tenant?: string;
}

/** A refused request, with the gateway's error body. */
export class ModelsApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody | null,
    what: string,
  ) {
    super(`${what}: ${status} ${body ? `${body.code}: ${body.message}` : ''}`.trim());
  }
}

/** Requests and bytes one command moved, for its summary line (and the specs' counts). */
export interface TransferCounts {
  requests: number;
  bytesSent: number;
  bytesReceived: number;
}

/** The model artifact protocol from the client's side, over node:http so bodies stream both ways. */
export class ModelsClient {
  readonly counts: TransferCounts = { requests: 0, bytesSent: 0, bytesReceived: 0 };

  constructor(private readonly target: ModelsTarget) {}

  /** The tenant's models. */
  async models(): Promise<Array<{ repo: string; name: string }>> {
    return ((await this.json('GET', '')) as { models: Array<{ repo: string; name: string }> })
      .models;
  }

  /** A model's versions; null when it has none. */
  async index(ref: Omit<ModelRef, 'version'>): Promise<ModelIndex | null> {
    return (await this.json(
      'GET',
      `/${ref.repo}/${ref.name}/index`,
      undefined,
      true,
    )) as ModelIndex | null;
  }

  /** A version's manifest; null when there is no such version. */
  async manifest(ref: ModelRef): Promise<ModelManifest | null> {
    const body = await this.json('GET', this.manifestPath(ref), undefined, true);
    // Entry names become paths here: a manifest is checked again before any of it is trusted.
    return body === null ? null : ModelManifest.parse(body);
  }

  /** Stores a manifest; the digests the gateway lacks when it refuses for missing blobs. */
  async putManifest(ref: ModelRef, manifest: ModelManifest): Promise<BlobDigest[]> {
    try {
      await this.json('PUT', this.manifestPath(ref), Buffer.from(JSON.stringify(manifest)));
      return [];
    } catch (error) {
      if (error instanceof ModelsApiError && error.body?.reason === BLOBS_MISSING_REASON)
        return (error.body.fields ?? []).map((f) => f.message as BlobDigest);
      throw error;
    }
  }

  /** Deletes a version. */
  async deleteManifest(ref: ModelRef): Promise<void> {
    await this.json('DELETE', this.manifestPath(ref));
  }

  /** True when the tenant holds the blob. */
  async hasBlob(ref: ModelRef, digest: BlobDigest): Promise<boolean> {
    const res = await this.send('HEAD', this.blobPath(ref, digest));
    res.resume();
    if (res.statusCode === 200) return true;
    if (res.statusCode === 404) return false;
    throw new ModelsApiError(res.statusCode ?? 0, null, `HEAD ${digest}`);
  }

  /**
   * Uploads a local byte range as the blob and returns the bytes sent: straight to S3 through the
   * presigned part URLs the gateway offers (resuming after the parts an earlier run reported),
   * else streamed through the gateway. `onBytes` hears each chunk sent.
   */
  async uploadBlob(ref: ModelRef, blob: LocalBlob, onBytes: (n: number) => void): Promise<number> {
    const location = (await this.json(
      'GET',
      `${this.blobPath(ref, blob.digest)}/locations/upload?size=${blob.size}`,
    )) as BlobLocation;
    if (location.exists) return 0;
    if (!location.multipart) {
      await this.putBlob(ref, blob, onBytes);
      return blob.size;
    }
    const upload = location.multipart;
    let sent = 0;
    for (const part of upload.parts) {
      const etag = await this.putPart(part.url, blob, upload, part.partNumber, part.size, onBytes);
      sent += part.size;
      await this.json(
        'PUT',
        `${upload.report}/${part.partNumber}`,
        Buffer.from(JSON.stringify({ etag })),
        false,
        true,
      );
    }
    await this.json('POST', upload.complete, undefined, false, true);
    return sent;
  }

  /** Streams a local byte range up as the blob through the gateway; `onBytes` hears each chunk sent. */
  async putBlob(ref: ModelRef, blob: LocalBlob, onBytes: (n: number) => void): Promise<void> {
    const res = await this.send('PUT', this.blobPath(ref, blob.digest), {
      file: { path: blob.path, offset: blob.offset, size: blob.size, onBytes },
      headers: { 'content-type': MODEL_BLOB_UPLOAD_TYPE, 'content-length': String(blob.size) },
    });
    await this.expectOk(res, `PUT ${blob.digest}`);
  }

  /** PUTs one part of a direct upload to its presigned URL (no credentials); the ETag S3 answered. */
  private async putPart(
    url: string,
    blob: LocalBlob,
    upload: MultipartUploadLocation,
    partNumber: number,
    size: number,
    onBytes: (n: number) => void,
  ): Promise<string> {
    const offset = blob.offset + (partNumber - 1) * upload.partSize;
    const res = await this.send('PUT', url, {
      absolute: true,
      file: { path: blob.path, offset, size, onBytes },
      headers: { 'content-length': String(size) },
    });
    await this.expectOk(res, `PUT part ${partNumber} of ${blob.digest}`);
    const etag = res.headers.etag;
    if (!etag)
      throw new Error(`the bucket answered part ${partNumber} of ${blob.digest} without an ETag`);
    return etag;
  }

  /**
   * The blob's bytes from `offset`, as a response stream to consume: straight from S3 through a
   * presigned URL when the gateway offers one and the blob is large enough for the extra request
   * to pay, else through the gateway.
   */
  async getBlob(
    ref: ModelRef,
    digest: BlobDigest,
    offset: number,
    size = 0,
  ): Promise<IncomingMessage> {
    const range: Record<string, string> = offset > 0 ? { range: `bytes=${offset}-` } : {};
    let res: IncomingMessage | null = null;
    if (size >= DIRECT_MIN_BYTES) {
      const location = (await this.json(
        'GET',
        `${this.blobPath(ref, digest)}/locations/download`,
      )) as BlobLocation;
      if (location.presigned)
        res = await this.send('GET', location.url, { absolute: true, headers: range });
    }
    res ??= await this.send('GET', this.blobPath(ref, digest), { headers: range });
    if (res.statusCode !== 200 && res.statusCode !== 206) await this.expectOk(res, `GET ${digest}`);
    const received = res;
    received.on('data', (chunk: Buffer) => (this.counts.bytesReceived += chunk.length));
    return received;
  }

  private manifestPath(ref: ModelRef): string {
    return `/${ref.repo}/${ref.name}/manifests/${ref.version}`;
  }

  private blobPath(ref: ModelRef, digest: BlobDigest): string {
    return `/${ref.repo}/${ref.name}/blobs/${digest}`;
  }

  private async json(
    method: string,
    path: string,
    body?: Buffer,
    nullOn404 = false,
    fromRoot = false,
  ): Promise<unknown> {
    const res = await this.send(method, path, {
      body,
      fromRoot,
      headers: body ? { 'content-type': 'application/json' } : {},
    });
    if (nullOn404 && res.statusCode === 404) {
      res.resume();
      return null;
    }
    const text = await this.expectOk(res, `${method} ${path || '/'}`);
    return text === '' ? undefined : JSON.parse(text);
  }

  private async expectOk(res: IncomingMessage, what: string): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const status = res.statusCode ?? 0;
    if (status >= 200 && status < 300) return text;
    let body: ErrorBody | null = null;
    try {
      body = (JSON.parse(text) as { error: ErrorBody }).error;
    } catch {
      // Not the gateway's JSON error: keep the status.
    }
    throw new ModelsApiError(status, body, what);
  }

  private send(
    method: string,
    path: string,
    options: {
      body?: Buffer;
      /** A byte range of a local file as the body; `onBytes` hears each piece sent. */
      file?: { path: string; offset: number; size: number; onBytes: (n: number) => void };
      headers?: Record<string, string>;
      /** `path` is a whole URL elsewhere (a presigned one): no credentials go with it. */
      absolute?: boolean;
      /** `path` starts at the gateway's root, not at the models prefix. */
      fromRoot?: boolean;
    } = {},
  ): Promise<IncomingMessage> {
    this.counts.requests++;
    const base = this.target.url.replace(/\/+$/, '');
    const url = options.absolute
      ? new URL(path)
      : new URL(options.fromRoot ? `${base}${path}` : `${base}/${MODELS_API_PREFIX}${path}`);
    const headers: Record<string, string> = {
      ...(options.absolute
        ? {}
        : {
            authorization: `Bearer ${this.target.token}`,
            ...(this.target.tenant ? { 'x-scope-orgid': this.target.tenant } : {}),
          }),
      ...options.headers,
    };
    if (options.body) headers['content-length'] = String(options.body.length);
    return new Promise((resolve, reject) => {
      const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(
        url,
        { method, headers },
        resolve,
      );
      req.on('error', reject);
      const file = options.file;
      if (file && file.size > 0)
        sendFileRange(req, file.path, file.offset, file.size, (n) => {
          this.counts.bytesSent += n;
          file.onBytes(n);
        }).catch((error: Error) => req.destroy(error));
      else req.end(options.body);
    });
  }
}
