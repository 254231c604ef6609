import { Controller, Get, Req } from '@nestjs/common';
import { ApiHeader, ApiTags } from '@nestjs/swagger';
import { type QuotaSpec } from '@strata/contracts';
import { type FastifyRequest } from 'fastify';
import { TenantAdmission } from '../auth/tenant-admission.service';
import { ControlPlaneClient } from '../control-plane/control-plane.client';
import { ApiSchemas } from '../openapi/api-schemas';
import { RouteDoc } from '../openapi/api-doc.decorator';

/** The admitted tenant's limits, as Mimir's `/api/v1/user_limits`: the first tenant-scoped data route. */
@ApiTags('data')
@Controller('api/v1/user_limits')
export class UserLimitsController {
  constructor(
    private readonly admission: TenantAdmission,
    private readonly controlPlane: ControlPlaneClient,
  ) {}

  @Get()
  @RouteDoc({
    summary: "The calling tenant's limits",
    access: 'read scope, or platform admin naming the tenant in the tenant header',
    response: ApiSchemas.limits,
  })
  @ApiHeader({
    name: 'X-Scope-OrgID',
    required: false,
    description: 'the tenant (configurable with STRATA_TENANT_HEADER)',
  })
  async get(@Req() request: FastifyRequest): Promise<{ tenantId: string; limits: QuotaSpec }> {
    const tenantId = await this.admission.admit(request, 'read');
    const quota = await this.controlPlane.query({ type: 'GetQuota', tenantId }, request.id);
    return { tenantId, limits: quota.quota };
  }
}
