import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import { ApiQuery, ApiTags } from '@nestjs/swagger';
import { type Page, type TenantView } from '@strata/contracts';
import { type FastifyReply } from 'fastify';
import { CurrentCaller } from '../auth/caller.decorator';
import { type Caller } from '../auth/principal';
import { ApiSchemas } from '../openapi/api-schemas';
import { RouteDoc } from '../openapi/api-doc.decorator';
import { withEtag } from './http-reply';
import { type ListParams, TenantAdminService } from './tenant-admin.service';

/** REST for tenants under /api/v1/admin/tenants. */
@ApiTags('tenants')
@Controller('api/v1/admin/tenants')
export class TenantsController {
  constructor(private readonly tenants: TenantAdminService) {}

  @Post()
  @RouteDoc({
    summary: 'Create a tenant',
    access: 'platform admin',
    body: ApiSchemas.createTenant,
    response: ApiSchemas.tenant,
    status: 201,
  })
  async create(
    @CurrentCaller() caller: Caller,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TenantView> {
    const result = await this.tenants.create(caller, body);
    void reply.status(201).header('location', `/api/v1/admin/tenants/${result.view.tenantId}`);
    return withEtag(reply, result);
  }

  @Get()
  @RouteDoc({
    summary: 'List tenants (an API key sees its own)',
    access: 'platform admin, or read scope',
    response: ApiSchemas.tenantPage,
  })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiQuery({ name: 'limit', required: false, type: Number })
  @ApiQuery({ name: 'includeDeleted', required: false, type: Boolean })
  list(@CurrentCaller() caller: Caller, @Query() query: ListParams): Promise<Page<TenantView>> {
    return this.tenants.list(caller, query);
  }

  @Get(':id')
  @RouteDoc({
    summary: 'Get a tenant',
    access: 'platform admin, or read scope on the tenant',
    response: ApiSchemas.tenant,
  })
  async get(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TenantView> {
    return withEtag(reply, await this.tenants.get(caller, id));
  }

  @Patch(':id')
  @RouteDoc({
    summary: 'Rename a tenant',
    access: 'platform admin, or admin scope on the tenant',
    body: ApiSchemas.renameTenant,
    response: ApiSchemas.tenant,
    ifMatch: true,
  })
  async rename(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TenantView> {
    return withEtag(reply, await this.tenants.rename(caller, id, body, ifMatch));
  }

  @Post(':id/suspend')
  @HttpCode(200)
  @RouteDoc({
    summary: 'Suspend a tenant',
    access: 'platform admin',
    body: ApiSchemas.suspendTenant,
    response: ApiSchemas.tenant,
    ifMatch: true,
  })
  async suspend(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TenantView> {
    return withEtag(
      reply,
      await this.tenants.lifecycle(caller, 'SuspendTenant', id, body, ifMatch),
    );
  }

  @Post(':id/resume')
  @HttpCode(200)
  @RouteDoc({
    summary: 'Resume a suspended tenant',
    access: 'platform admin',
    body: ApiSchemas.resumeTenant,
    response: ApiSchemas.tenant,
    ifMatch: true,
  })
  async resume(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TenantView> {
    return withEtag(reply, await this.tenants.lifecycle(caller, 'ResumeTenant', id, body, ifMatch));
  }

  @Delete(':id')
  @RouteDoc({
    summary: 'Delete a tenant (tombstone; the id is never reused)',
    access: 'platform admin',
    response: ApiSchemas.tenant,
    ifMatch: true,
  })
  async remove(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TenantView> {
    return withEtag(reply, await this.tenants.lifecycle(caller, 'DeleteTenant', id, body, ifMatch));
  }
}
