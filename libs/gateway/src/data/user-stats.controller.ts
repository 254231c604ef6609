import { Controller, Get, Inject, Req } from '@nestjs/common';
import { ApiHeader, ApiTags } from '@nestjs/swagger';
import { createStoreClient, type StoreClient } from '@strata/store-client';
import { type FastifyRequest } from 'fastify';
import { TenantAdmission } from '../auth/tenant-admission.service';
import { GATEWAY_OPTIONS, type GatewayOptions } from '../gateway.options';
import { ApiSchemas } from '../openapi/api-schemas';
import { RouteDoc } from '../openapi/api-doc.decorator';

/** Mimir's `/api/v1/user_stats` body, plus the samples the heads discarded after acknowledging them. */
export interface UserStats {
  /** Series the tenant has in the heads. */
  numSeries: number;
  /** Samples per second appended, all sources together. */
  ingestionRate: number;
  /** The part of `ingestionRate` that came through the write API (all of it until rules write samples). */
  apiIngestionRate: number;
  /** The part written by recording rules (none yet: the ruler does not evaluate rules). */
  ruleIngestionRate: number;
  /** Samples acknowledged with a 204 that the tenant's heads then refused, by reason. */
  discardedSamples: Record<string, number>;
}

/**
 * The admitted tenant's use of the heads, as Mimir's `/api/v1/user_stats`, summed over every
 * ingest partition (a partition that cannot answer fails the request with 503).
 */
@ApiTags('data')
@Controller('api/v1/user_stats')
export class UserStatsController {
  private readonly store: StoreClient;

  constructor(
    private readonly admission: TenantAdmission,
    @Inject(GATEWAY_OPTIONS) options: GatewayOptions,
  ) {
    this.store = createStoreClient(options.bus, { partitions: options.config.ingestPartitions });
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
  async get(@Req() request: FastifyRequest): Promise<UserStats> {
    const tenantId = await this.admission.admit(request, 'read');
    const { value } = await this.store.userStats(tenantId);
    return {
      numSeries: value.numSeries,
      ingestionRate: value.ingestionRate,
      apiIngestionRate: value.ingestionRate,
      ruleIngestionRate: 0,
      discardedSamples: value.discardedSamples,
    };
  }
}
