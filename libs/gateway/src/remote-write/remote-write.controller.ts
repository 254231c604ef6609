import { Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiConsumes, ApiHeader, ApiTags } from '@nestjs/swagger';
import { StrataError } from '@strata/contracts';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { TenantAdmission } from '../auth/tenant-admission.service';
import { GATEWAY_OPTIONS, type GatewayOptions } from '../gateway.options';
import { RouteDoc } from '../openapi/api-doc.decorator';
import { RemoteWriteForwarder, writtenHeaders } from './remote-write.forwarder';

/** Thanos receive's tenant header, honoured when the configured one is absent. */
export const THANOS_TENANT_HEADER = 'thanos-tenant';

/**
 * Prometheus remote write at `/api/v1/write`, and the same under Thanos receive's `/api/v1/receive`
 * and Mimir's `/api/v1/push`. The body goes untouched to the router, which decodes, validates and
 * applies the tenant's limits; the answer is 204 with the written counts, or 400 with them when
 * some samples were outside the tenant's accepted time window (the others are stored).
 */
@ApiTags('data')
@Controller('api/v1')
export class RemoteWriteController {
  private readonly tenantHeader: string;

  constructor(
    private readonly admission: TenantAdmission,
    private readonly forwarder: RemoteWriteForwarder,
    @Inject(GATEWAY_OPTIONS) options: GatewayOptions,
  ) {
    this.tenantHeader = options.config.tenantHeader;
  }

  @Post(['write', 'receive', 'push'])
  @HttpCode(204)
  @RouteDoc({
    summary: 'Prometheus remote write 1.0 / 2.0 (snappy protobuf)',
    access: 'write scope, or platform admin naming the tenant in the tenant header',
    status: 204,
  })
  @ApiConsumes('application/x-protobuf')
  @ApiHeader({
    name: 'X-Scope-OrgID',
    required: false,
    description: 'the tenant (configurable; THANOS-TENANT also accepted)',
  })
  async write(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    const thanos = request.headers[THANOS_TENANT_HEADER];
    if (request.headers[this.tenantHeader] === undefined && typeof thanos === 'string')
      request.headers[this.tenantHeader] = thanos;
    const tenantId = await this.admission.admit(request, 'write');
    // Only the protobuf parser yields bytes; any other media type is refused like the router would.
    if (!Buffer.isBuffer(request.body)) {
      throw new StrataError(
        'unsupported_media_type',
        `remote write needs a snappy-compressed protobuf body, not ${request.headers['content-type'] ?? 'none'}`,
        undefined,
        {
          reason: 'unsupported_media_type',
        },
      );
    }
    try {
      const written = await this.forwarder.forward(
        tenantId,
        {
          contentType: header(request, 'content-type'),
          contentEncoding: header(request, 'content-encoding'),
          protocolVersion: header(request, 'x-prometheus-remote-write-version'),
        },
        request.body,
      );
      void reply.headers(writtenHeaders(written));
      // Some samples were refused while the rest was stored: 400 (the sender must not retry them)
      // with the counts of what was kept, as Mimir answers a partly invalid write.
      if (written.refused)
        throw new StrataError('bad_request', written.refused.message, undefined, {
          reason: written.refused.reason,
        });
    } catch (error) {
      if (error instanceof StrataError && error.retryAfterSeconds !== undefined)
        void reply.header('retry-after', String(error.retryAfterSeconds));
      throw error;
    }
  }
}

function header(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s === '' ? undefined : s;
}
