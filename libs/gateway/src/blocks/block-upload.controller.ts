import { Controller, HttpCode, Inject, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiQuery, ApiTags } from '@nestjs/swagger';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Readable } from 'node:stream';
import { uploadBlock } from '@strata/blocks';
import { StrataError } from '@strata/contracts';
import { type BlockMeta } from '@strata/tsdb';
import { type FastifyRequest } from 'fastify';
import { tenantIdOf } from '../admin/tenant-admin.service';
import { AccessPolicy } from '../auth/access-policy';
import { CurrentCaller } from '../auth/caller.decorator';
import { type Caller } from '../auth/principal';
import { TenantAdmission } from '../auth/tenant-admission.service';
import { GATEWAY_OPTIONS, type GatewayOptions } from '../gateway.options';
import { RouteDoc } from '../openapi/api-doc.decorator';
import { BLOCK_TAR_TYPE, extractBlockTar } from './block-tar';
import { QueryFrontend } from '../query-frontend/query-frontend';

const DEFAULT_MAX_BYTES = 16 * 1024 * 1024 * 1024;

/** What a stored block upload answers: the block's meta as stored. */
export interface BlockUploadView {
  tenantId: string;
  block: BlockMeta;
}

/**
 * Block upload, as Mimir's but in one request: the body is a tar of one Prometheus block
 * directory, unpacked to disk as it arrives, validated whole, then stored in the bucket with
 * meta.json last. The gateway writes the bucket itself (see docs/architecture.md).
 */
@ApiTags('blocks')
@Controller('api/v1/admin/tenants/:id/blocks')
export class BlockUploadController {
  constructor(
    @Inject(GATEWAY_OPTIONS) private readonly options: GatewayOptions,
    private readonly admission: TenantAdmission,
    private readonly queryFrontend: QueryFrontend,
  ) {}

  @Post()
  @HttpCode(201)
  @RouteDoc({
    summary:
      'Upload a Prometheus block (a tar of its directory, Content-Type application/x-tar) for the tenant',
    access: 'platform admin, or admin scope on the tenant',
    status: 201,
  })
  @ApiConsumes(BLOCK_TAR_TYPE)
  @ApiBody({
    schema: { type: 'string', format: 'binary' },
    description: 'tar of the block directory (meta.json, index, chunks/NNNNNN)',
  })
  @ApiQuery({
    name: 'allow_overlap',
    required: false,
    enum: ['true', 'false'],
    description: "store the block even if it overlaps the tenant's blocks in time",
  })
  async upload(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
    @Query('allow_overlap') allowOverlap: string | undefined,
    @Req() request: FastifyRequest,
  ): Promise<BlockUploadView> {
    const body = request.body as Readable | undefined;
    AccessPolicy.requireTenant(caller.principal, id, 'admin');
    if (!isStream(body) || !(request.headers['content-type'] ?? '').startsWith(BLOCK_TAR_TYPE))
      throw new StrataError(
        'unsupported_media_type',
        `a block upload is a tar of the block directory, sent as ${BLOCK_TAR_TYPE}`,
      );
    const tenantId = tenantIdOf(id);
    await this.admission.requireActive(tenantId, caller.requestId);
    const bucket = this.options.bucket;
    if (bucket === undefined)
      throw new StrataError('unavailable', 'this gateway has no block bucket configured');
    if (allowOverlap !== undefined && allowOverlap !== 'true' && allowOverlap !== 'false')
      throw new StrataError('validation_failed', 'allow_overlap must be true or false', [
        { path: 'allow_overlap', message: 'must be true or false' },
      ]);
    const limits = this.options.config.blockUploads ?? {
      maxBytes: DEFAULT_MAX_BYTES,
      dir: join(tmpdir(), 'strata-block-uploads'),
    };
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > limits.maxBytes)
      throw new StrataError(
        'payload_too_large',
        `the block tar of ${declared} bytes is larger than ${limits.maxBytes} bytes`,
      );
    await mkdir(limits.dir, { recursive: true });
    const dir = await mkdtemp(join(limits.dir, `${tenantId}-`));
    try {
      const blockDir = await extractBlockTar(body, dir, limits.maxBytes);
      const { meta } = await uploadBlock(bucket, tenantId, blockDir, {
        allowOverlap: allowOverlap === 'true',
      });
      // The block's samples change results the frontend may hold for this tenant's past.
      this.queryFrontend.invalidateTenant(tenantId);
      return { tenantId, block: meta };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

function isStream(body: unknown): body is Readable {
  return typeof (body as Readable | undefined)?.pipe === 'function';
}
