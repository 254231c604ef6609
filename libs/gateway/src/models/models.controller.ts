import {
  Body,
  Controller,
  Delete,
  Get,
  Head,
  HttpCode,
  Inject,
  Param,
  Post,
  Put,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Readable } from 'node:stream';
import {
  BlobDigest,
  type BlobLocation,
  MODELS_API_PREFIX,
  ModelPathSegment,
  ModelVersionName,
  type ModelIndex,
  type ModelIndexEntry,
  type ModelPermission,
  StrataError,
} from '@strata/contracts';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { type OutgoingHttpHeaders } from 'node:http';
import { type ObjectRange } from '@strata/objstore';
import { TenantAdmission } from '../auth/tenant-admission.service';
import { ControlPlaneClient } from '../control-plane/control-plane.client';
import { callerOf } from '../http/request-state';
import { RouteDoc } from '../openapi/api-doc.decorator';
import { ModelAccess } from '../registry/model-access.service';
import { MODEL_STORE, type ModelStore } from './model-store';

const PRESIGN_SECONDS = 15 * 60;
// A direct upload's part URLs are signed together; an hour covers a slow link's largest blob.
const UPLOAD_PRESIGN_SECONDS = 60 * 60;

/**
 * The model artifact protocol (modelx's): an index per model, manifests per version and blobs
 * by digest, for the tenant of the caller's key. Blob bytes stream between the client and the
 * bucket through this gateway, or, on S3, go straight to the bucket through presigned multipart
 * URLs and are checked here before they become a blob (see docs/architecture.md, "Models").
 */
@ApiTags('models')
@Controller(MODELS_API_PREFIX)
export class ModelsController {
  constructor(
    private readonly admission: TenantAdmission,
    private readonly controlPlane: ControlPlaneClient,
    private readonly access: ModelAccess,
    @Inject(MODEL_STORE) private readonly maybeStore: ModelStore | null,
  ) {}

  private get store(): ModelStore {
    if (this.maybeStore === null)
      throw new StrataError('unavailable', 'this gateway has no bucket configured for models');
    return this.maybeStore;
  }

  /** The caller's tenant, once its key holds `needed` on the artifact repository (MLflow's permissions). */
  private async admitModel(
    request: FastifyRequest,
    repo: string,
    name: string,
    needed: ModelPermission,
  ): Promise<string> {
    const tenant = await this.admission.admit(request, null);
    await this.access.require(callerOf(request), tenant, { artifact: { repo, name } }, needed);
    return tenant;
  }

  @Get()
  @RouteDoc({ summary: "The tenant's models", access: 'read scope' })
  async models(
    @Req() request: FastifyRequest,
  ): Promise<{ models: Array<{ repo: string; name: string }> }> {
    const tenant = await this.admission.admit(request, 'read');
    const all = await this.store.models(tenant);
    return { models: await this.access.readable(callerOf(request), tenant, all) };
  }

  @Get(':repo/:name/index')
  @RouteDoc({ summary: "A model's versions", access: 'read scope' })
  async index(
    @Req() request: FastifyRequest,
    @Param('repo') repo: string,
    @Param('name') name: string,
  ): Promise<ModelIndex> {
    const tenant = await this.admitModel(request, repo, name, 'READ');
    const index = await this.store.modelIndex(tenant, segment(repo, 'repo'), segment(name, 'name'));
    if (index.manifests.length === 0)
      throw new StrataError('not_found', `no model ${repo}/${name}`);
    return index;
  }

  @Delete(':repo/:name/index')
  @RouteDoc({
    summary: 'Delete every version of a model; unreferenced blobs are collected',
    access: 'write scope',
  })
  async deleteModel(
    @Req() request: FastifyRequest,
    @Param('repo') repo: string,
    @Param('name') name: string,
  ): Promise<{ deletedBlobs: number }> {
    const tenant = await this.admitModel(request, repo, name, 'MANAGE');
    return {
      deletedBlobs: await this.store.deleteModel(
        tenant,
        segment(repo, 'repo'),
        segment(name, 'name'),
      ),
    };
  }

  @Get(':repo/:name/manifests/:version')
  @RouteDoc({ summary: "A version's manifest", access: 'read scope' })
  async manifest(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('repo') repo: string,
    @Param('name') name: string,
    @Param('version') version: string,
  ): Promise<void> {
    const tenant = await this.admitModel(request, repo, name, 'READ');
    const bytes = await this.store.readManifest(tenant, ...path(repo, name, version));
    void reply.header('content-type', 'application/json').send(bytes);
  }

  @Put(':repo/:name/manifests/:version')
  @HttpCode(201)
  @RouteDoc({
    summary:
      "Store a version's manifest, last in a push; refused (400, reason blobs_missing) while blobs are absent",
    access: 'write scope',
    status: 201,
  })
  async putManifest(
    @Req() request: FastifyRequest,
    @Param('repo') repo: string,
    @Param('name') name: string,
    @Param('version') version: string,
  ): Promise<ModelIndexEntry> {
    const tenant = await this.admitModel(request, repo, name, 'EDIT');
    const raw = Buffer.isBuffer(request.body)
      ? request.body
      : Buffer.from(JSON.stringify(request.body ?? null), 'utf8');
    return this.store.writeManifest(tenant, ...path(repo, name, version), raw);
  }

  @Delete(':repo/:name/manifests/:version')
  @RouteDoc({
    summary: 'Delete a version; unreferenced blobs older than the grace period are collected',
    access: 'write scope',
  })
  async deleteManifest(
    @Req() request: FastifyRequest,
    @Param('repo') repo: string,
    @Param('name') name: string,
    @Param('version') version: string,
  ): Promise<{ deletedBlobs: number }> {
    const tenant = await this.admitModel(request, repo, name, 'MANAGE');
    return { deletedBlobs: await this.store.deleteManifest(tenant, ...path(repo, name, version)) };
  }

  @Head(':repo/:name/blobs/:digest')
  @RouteDoc({
    summary: "Whether the tenant holds the blob (404 otherwise, as for any other tenant's)",
    access: 'read scope',
  })
  async headBlob(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('repo') repo: string,
    @Param('name') name: string,
    @Param('digest') digest: string,
  ): Promise<void> {
    const tenant = await this.admitModel(request, repo, name, 'READ');
    path(repo, name);
    const size = await this.store.blobSize(tenant, digestOf(digest));
    if (size === null) throw new StrataError('not_found', `blob ${digest} not found`);
    void reply.header('content-length', size).header('accept-ranges', 'bytes').status(200).send();
  }

  @Get(':repo/:name/blobs/:digest')
  @RouteDoc({
    summary: "A blob's bytes; honours Range: bytes=N- and bytes=N-M",
    access: 'read scope',
  })
  async getBlob(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('repo') repo: string,
    @Param('name') name: string,
    @Param('digest') digest: string,
  ): Promise<void> {
    const tenant = await this.admitModel(request, repo, name, 'READ');
    path(repo, name);
    const blob = digestOf(digest);
    const size = await this.store.blobSize(tenant, blob);
    if (size === null) throw new StrataError('not_found', `blob ${digest} not found`);
    const range = parseRange(request.headers.range, size);
    if (range === 'unsatisfiable') {
      void reply.status(416).header('content-range', `bytes */${size}`).send();
      return;
    }
    const [start, end] = range ?? [0, size - 1];
    const length = size === 0 ? 0 : end - start + 1;
    void reply
      .status(range ? 206 : 200)
      .header('content-type', 'application/octet-stream')
      .header('accept-ranges', 'bytes')
      .header('content-length', length)
      .header('docker-content-digest', blob);
    if (range) void reply.header('content-range', `bytes ${start}-${end}/${size}`);
    const local = await this.store.openBlobRange(tenant, blob, start, length);
    if (local === null) {
      void reply.send(await this.store.readBlob(tenant, blob, start, length));
      return;
    }
    if (local.length !== length) {
      // The blob changed size since it was looked up: no stored blob does (content addressed).
      await local.close();
      throw new StrataError('unavailable', `blob ${digest} changed while it was read`);
    }
    await sendRange(reply, local);
  }

  @Put(':repo/:name/blobs/:digest')
  @HttpCode(201)
  @RouteDoc({
    summary: `Store a blob, streamed (Content-Type ${'application/vnd.strata.model.blob'}); its sha256 must be the digest`,
    access: 'write scope',
    status: 201,
  })
  async putBlob(
    @Req() request: FastifyRequest,
    @Param('repo') repo: string,
    @Param('name') name: string,
    @Param('digest') digest: string,
  ): Promise<{ digest: string; size: number; created: boolean }> {
    const tenant = await this.admitModel(request, repo, name, 'EDIT');
    path(repo, name);
    const blob = digestOf(digest);
    const body = bodyStream(request.body);
    const declared = request.headers['content-length'];
    const size = declared === undefined ? undefined : Number(declared);
    const stored = await this.store.writeBlob(
      tenant,
      blob,
      body,
      size,
      await this.quotaBytes(request, tenant),
    );
    return { digest: blob, ...stored };
  }

  @Get(':repo/:name/blobs/:digest/locations/:kind')
  @RouteDoc({
    summary:
      'Where to send (upload) or fetch (download) a blob; on S3, a download is presigned and an upload ' +
      'with ?size= is a direct multipart upload (presigned part URLs, resumed where it stopped); ' +
      '?redirect=true answers 302 when there is a single URL',
    access: 'read scope (download), write scope (upload)',
  })
  async location(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('repo') repo: string,
    @Param('name') name: string,
    @Param('digest') digest: string,
    @Param('kind') kind: string,
    @Query('redirect') redirect: string | undefined,
    @Query('size') size: string | undefined,
  ): Promise<void> {
    if (kind !== 'upload' && kind !== 'download')
      throw new StrataError('not_found', `no location kind ${kind}; upload or download`);
    const tenant = await this.admitModel(request, repo, name, kind === 'upload' ? 'EDIT' : 'READ');
    path(repo, name);
    const blob = digestOf(digest);
    const own = `/${MODELS_API_PREFIX}/${repo}/${name}/blobs/${blob}`;
    let location: BlobLocation;
    if (kind === 'upload') {
      location = await this.uploadLocation(request, tenant, blob, own, sizeOf(size));
    } else {
      const signed = await this.store.presignBlob(tenant, blob, PRESIGN_SECONDS);
      if (signed === null && (await this.store.blobSize(tenant, blob)) === null)
        throw new StrataError('not_found', `blob ${digest} not found`);
      location = signed
        ? {
            url: signed,
            method: 'GET',
            presigned: true,
            expiresAt: new Date(Date.now() + PRESIGN_SECONDS * 1000).toISOString(),
          }
        : { url: own, method: 'GET', presigned: false };
    }
    if (redirect === 'true') {
      const multipart = location.multipart;
      if (multipart && (multipart.parts.length !== 1 || multipart.uploaded.length > 0))
        throw new StrataError(
          'bad_request',
          `this upload has ${multipart.parts.length + multipart.uploaded.length} parts, ` +
            `${multipart.uploaded.length} of them sent: ask without redirect=true for every URL`,
          undefined,
          { reason: 'multiple_urls' },
        );
      void reply.redirect(location.url, 302);
      return;
    }
    void reply.header('content-type', 'application/json').send(location);
  }

  @Put(':repo/:name/blobs/:digest/uploads/:uploadId/parts/:partNumber')
  @HttpCode(204)
  @RouteDoc({
    summary:
      'Report a part of a direct upload sent to S3, with the ETag S3 answered ({"etag": "…"}), so a resumed upload skips it',
    access: 'write scope',
    status: 204,
  })
  async reportPart(
    @Req() request: FastifyRequest,
    @Param('repo') repo: string,
    @Param('name') name: string,
    @Param('digest') digest: string,
    @Param('uploadId') uploadId: string,
    @Param('partNumber') partNumber: string,
    @Body() body: unknown,
  ): Promise<void> {
    const tenant = await this.admitModel(request, repo, name, 'EDIT');
    path(repo, name);
    const parsed = etagBody(body);
    if (typeof parsed?.etag !== 'string')
      throw new StrataError('validation_failed', 'the body is {"etag": "…"}', [
        { path: 'etag', message: 'required string' },
      ]);
    await this.store.reportUploadedPart(
      tenant,
      digestOf(digest),
      uploadIdOf(uploadId),
      Number(partNumber),
      parsed.etag,
    );
  }

  @Post(':repo/:name/blobs/:digest/uploads/:uploadId')
  @HttpCode(201)
  @RouteDoc({
    summary:
      'Complete a direct upload: the staged bytes become the blob only if their sha256 is the digest (else 400, nothing kept)',
    access: 'write scope',
    status: 201,
  })
  async completeUpload(
    @Req() request: FastifyRequest,
    @Param('repo') repo: string,
    @Param('name') name: string,
    @Param('digest') digest: string,
    @Param('uploadId') uploadId: string,
  ): Promise<{ digest: string; size: number; created: boolean }> {
    const tenant = await this.admitModel(request, repo, name, 'EDIT');
    path(repo, name);
    const blob = digestOf(digest);
    const stored = await this.store.completeDirectUpload(
      tenant,
      blob,
      uploadIdOf(uploadId),
      await this.quotaBytes(request, tenant),
    );
    return { digest: blob, ...stored };
  }

  private async uploadLocation(
    request: FastifyRequest,
    tenant: string,
    blob: BlobDigest,
    own: string,
    size: number | undefined,
  ): Promise<BlobLocation> {
    // Without a declared size no part plan (nor quota check) is possible: the gateway's PUT.
    const direct =
      size === undefined
        ? null
        : await this.store.directUpload(
            tenant,
            blob,
            size,
            await this.quotaBytes(request, tenant),
            UPLOAD_PRESIGN_SECONDS,
          );
    if (direct === null) return { url: own, method: 'PUT', presigned: false };
    if ('exists' in direct) return { url: own, method: 'PUT', presigned: false, exists: true };
    const uploads = `${own}/uploads/${encodeURIComponent(direct.uploadId)}`;
    return {
      url: direct.parts[0]?.url ?? uploads,
      method: 'PUT',
      presigned: true,
      expiresAt: direct.expiresAt,
      multipart: {
        uploadId: direct.uploadId,
        partSize: direct.partSize,
        parts: direct.parts,
        uploaded: direct.uploaded,
        report: `${uploads}/parts`,
        complete: uploads,
      },
    };
  }

  private async quotaBytes(request: FastifyRequest, tenant: string): Promise<number> {
    const { quota } = await this.controlPlane.query(
      { type: 'GetQuota', tenantId: tenant },
      callerOf(request).requestId,
    );
    return quota.modelStorageBytes;
  }
}

function segment(value: string, field: string): string {
  const parsed = ModelPathSegment.safeParse(value);
  if (!parsed.success)
    throw new StrataError('validation_failed', `invalid ${field} ${JSON.stringify(value)}`, [
      { path: field, message: parsed.error.issues[0].message },
    ]);
  return parsed.data;
}

function path(repo: string, name: string): [string, string];
function path(repo: string, name: string, version: string): [string, string, string];
function path(repo: string, name: string, version?: string): string[] {
  const parts = [segment(repo, 'repo'), segment(name, 'name')];
  if (version === undefined) return parts;
  const parsed = ModelVersionName.safeParse(version);
  if (!parsed.success)
    throw new StrataError('validation_failed', `invalid version ${JSON.stringify(version)}`, [
      { path: 'version', message: parsed.error.issues[0].message },
    ]);
  return [...parts, parsed.data];
}

function digestOf(value: string): BlobDigest {
  const parsed = BlobDigest.safeParse(value);
  if (!parsed.success)
    throw new StrataError('validation_failed', `invalid digest ${JSON.stringify(value)}`, [
      { path: 'digest', message: parsed.error.issues[0].message },
    ]);
  return parsed.data;
}

/** A part report's body, parsed when it came as bytes; null when it is not JSON. */
function etagBody(body: unknown): { etag?: unknown } | null {
  try {
    return (Buffer.isBuffer(body) ? JSON.parse(body.toString('utf8')) : body) as {
      etag?: unknown;
    } | null;
  } catch {
    return null;
  }
}

function sizeOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const size = Number(value);
  if (!/^\d{1,16}$/.test(value) || !Number.isSafeInteger(size))
    throw new StrataError('validation_failed', `invalid size ${JSON.stringify(value)}`, [
      { path: 'size', message: "must be the blob's size in bytes" },
    ]);
  return size;
}

/** Upload ids are the store's (S3: URL-safe, up to about 1 KiB); only compared, never a key. */
function uploadIdOf(value: string): string {
  if (!/^[A-Za-z0-9._~-]{1,1024}$/.test(value))
    throw new StrataError('validation_failed', 'invalid upload id', [
      { path: 'uploadId', message: 'must be the uploadId the upload location answered' },
    ]);
  return value;
}

/**
 * Writes the reply's head and the range's bytes straight to the connection (Fastify steps aside:
 * its stream path cannot say when the socket has taken a chunk, so it could not reuse the read
 * buffers); the onResponse hooks still run when the response finishes. A range that fails after
 * the head was sent can only cut the connection, as a failed stream does.
 */
async function sendRange(reply: FastifyReply, range: ObjectRange): Promise<void> {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(reply.statusCode, reply.getHeaders() as OutgoingHttpHeaders);
  try {
    if (await range.writeTo(raw)) raw.end();
    else raw.destroy();
  } catch (error) {
    raw.destroy(error as Error);
  }
}

function bodyStream(body: unknown): Readable {
  if (typeof (body as Readable | undefined)?.pipe === 'function') return body as Readable;
  if (Buffer.isBuffer(body)) return Readable.from([body]);
  throw new StrataError(
    'unsupported_media_type',
    'a blob is sent as application/vnd.strata.model.blob (streamed) or application/octet-stream',
  );
}

/** `bytes=N-`, `bytes=N-M` or `bytes=-K` as an inclusive [start, end]; null without a Range header. */
function parseRange(
  header: string | undefined,
  size: number,
): [number, number] | 'unsatisfiable' | null {
  if (header === undefined) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return null;
  if (match[1] === '') {
    const suffix = Math.min(Number(match[2]), size);
    return suffix === 0 ? 'unsatisfiable' : [size - suffix, size - 1];
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return [start, end];
}
