import { Body, Controller, Delete, Get, Headers, Param, Post, Query, Res } from '@nestjs/common';
import { ApiQuery, ApiTags } from '@nestjs/swagger';
import { type ApiKeyView, type Page } from '@strata/contracts';
import { type FastifyReply } from 'fastify';
import { CurrentCaller } from '../auth/caller.decorator';
import { type Caller } from '../auth/principal';
import { ApiSchemas } from '../openapi/api-schemas';
import { RouteDoc } from '../openapi/api-doc.decorator';
import { type IssuedApiKey, ApiKeyAdminService } from './api-key-admin.service';
import { withEtag } from './http-reply';
import { type ListParams } from './tenant-admin.service';

/** REST for API keys: issued and listed under a tenant, read and revoked by key id. */
@ApiTags('api-keys')
@Controller('api/v1/admin')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeyAdminService) {}

  @Post('tenants/:id/api-keys')
  @RouteDoc({
    summary: 'Issue an API key; the secret is in this response only',
    access: 'platform admin, or admin scope on the tenant',
    body: ApiSchemas.issueApiKey,
    response: ApiSchemas.issuedApiKey,
    status: 201,
  })
  async issue(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<IssuedApiKey> {
    const result = await this.keys.issue(caller, id, body);
    void reply
      .status(201)
      .header('location', `/api/v1/admin/api-keys/${result.view.key.keyId}`)
      .header('cache-control', 'no-store');
    return withEtag(reply, result);
  }

  @Get('tenants/:id/api-keys')
  @RouteDoc({
    summary: "List a tenant's API keys",
    access: 'platform admin, or read scope on the tenant',
    response: ApiSchemas.apiKeyPage,
  })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiQuery({ name: 'limit', required: false, type: Number })
  list(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
    @Query() query: ListParams,
  ): Promise<Page<ApiKeyView>> {
    return this.keys.list(caller, id, query);
  }

  @Get('api-keys/:keyId')
  @RouteDoc({
    summary: 'Get an API key (without its secret)',
    access: "platform admin, or read scope on the key's tenant",
    response: ApiSchemas.apiKey,
  })
  async get(
    @CurrentCaller() caller: Caller,
    @Param('keyId') keyId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ApiKeyView> {
    return withEtag(reply, await this.keys.get(caller, keyId));
  }

  @Delete('api-keys/:keyId')
  @RouteDoc({
    summary: 'Revoke an API key; refused from the next request on',
    access: "platform admin, or admin scope on the key's tenant",
    response: ApiSchemas.apiKey,
    ifMatch: true,
  })
  async revoke(
    @CurrentCaller() caller: Caller,
    @Param('keyId') keyId: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ApiKeyView> {
    return withEtag(reply, await this.keys.revoke(caller, keyId, body, ifMatch));
  }
}
