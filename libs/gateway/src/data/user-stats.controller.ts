import { Controller, Get, Inject, Req } from '@nestjs/common';
import { ApiHeader, ApiTags } from '@nestjs/swagger';
import { BusClient } from '@strata/bus';
import { QuerySubjects, StrataError, type TenantUserStats } from '@strata/contracts';
import { type FastifyRequest } from 'fastify';
import { TenantAdmission } from '../auth/tenant-admission.service';
import { GATEWAY_OPTIONS, type GatewayOptions } from '../gateway.options';
import { ApiSchemas } from '../openapi/api-schemas';
import { RouteDoc } from '../openapi/api-doc.decorator';

/**
 * The admitted tenant's use of the heads, as Mimir's `/api/v1/user_stats`, summed over every
 * ingest partition (a partition that cannot answer fails the request with 503).
 */
@ApiTags('data')
@Controller('api/v1/user_stats')
export class UserStatsController {
  private readonly client: BusClient;

  constructor(
    private readonly admission: TenantAdmission,
    @Inject(GATEWAY_OPTIONS) options: GatewayOptions,
  ) {
    this.client = new BusClient(options.bus);
  }

  @Get()
  @RouteDoc({
    summary: "The calling tenant's series, ingestion rate and discarded samples",
    access: 'read scope, or platform admin naming the tenant in the tenant header',
    response: ApiSchemas.userStats,
  })
  @ApiHeader({
    name: 'X-Scope-OrgID',
    required: false,
    description: 'the tenant (configurable with STRATA_TENANT_HEADER)',
  })
  async get(@Req() request: FastifyRequest): Promise<TenantUserStats> {
    const tenantId = await this.admission.admit(request, 'read');
    // The query service reads the heads: the gateway's NATS identity has no Store API access.
    const reply = await this.client.ask(QuerySubjects.userStats, { tenantId });
    if (reply.status === 'success') return reply.data;
    const code =
      reply.errorType === 'timeout' || reply.errorType === 'unavailable'
        ? reply.errorType
        : 'internal';
    throw new StrataError(code, reply.error);
  }
}
