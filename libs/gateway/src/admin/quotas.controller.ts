import { Body, Controller, Get, Headers, Param, Patch, Put, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type QuotaView } from '@strata/contracts';
import { type FastifyReply } from 'fastify';
import { CurrentCaller } from '../auth/caller.decorator';
import { type Caller } from '../auth/principal';
import { ApiSchemas } from '../openapi/api-schemas';
import { RouteDoc } from '../openapi/api-doc.decorator';
import { withEtag } from './http-reply';
import { TenantAdminService } from './tenant-admin.service';

/** REST for a tenant's quota: the body is the quota itself (flat), plus an optional `expectedVersion`. */
@ApiTags('quotas')
@Controller('api/v1/admin/tenants/:id/quota')
export class QuotasController {
  constructor(private readonly tenants: TenantAdminService) {}

  @Get()
  @RouteDoc({
    summary: "Get a tenant's quota",
    access: 'platform admin, or read scope on the tenant',
    response: ApiSchemas.quota,
  })
  async get(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<QuotaView> {
    return withEtag(reply, await this.tenants.getQuota(caller, id));
  }

  @Patch()
  @RouteDoc({
    summary: 'Change some quota fields',
    access: 'platform admin',
    body: ApiSchemas.quotaPatch,
    response: ApiSchemas.quota,
    ifMatch: true,
  })
  async patch(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<QuotaView> {
    return withEtag(reply, await this.tenants.setQuota(caller, id, body, 'patch', ifMatch));
  }

  @Put()
  @RouteDoc({
    summary: 'Replace the whole quota (every field required)',
    access: 'platform admin',
    body: ApiSchemas.quotaReplace,
    response: ApiSchemas.quota,
    ifMatch: true,
  })
  async replace(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<QuotaView> {
    return withEtag(reply, await this.tenants.setQuota(caller, id, body, 'replace', ifMatch));
  }
}
