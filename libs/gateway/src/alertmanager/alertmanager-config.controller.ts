import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
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
import { BusClient } from '@strata/bus';
import { type AlertmanagerConfigView, NotificationSubjects, StrataError } from '@strata/contracts';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { parse, stringify } from 'yaml';
import { CurrentCaller } from '../auth/caller.decorator';
import { type Caller } from '../auth/principal';
import { TenantAdmission } from '../auth/tenant-admission.service';
import { GATEWAY_OPTIONS, type GatewayOptions } from '../gateway.options';
import { callerOf } from '../http/request-state';
import { versionFromIfMatch } from '../http/validate';
import { RouteDoc } from '../openapi/api-doc.decorator';
import { AlertmanagerConfigsService } from './alertmanager-configs.service';

/**
 * Mimir's Alertmanager configuration API under the Alertmanager prefix
 * (`/alertmanager/api/v1/alerts`: YAML with `alertmanager_config` and `template_files`, and
 * Strata's extensions beside them as `notification_manager`; the bare
 * `/api/v1/alerts` is Prometheus' alerts list here), the same configuration as JSON under the admin
 * API (`/api/v1/admin/tenants/:id/alertmanager/config`, `If-Match` guarded), both kept by the control
 * plane, and the notification history, for the admitted tenant.
 */
@ApiTags('alertmanager')
@Controller()
export class AlertmanagerConfigController {
  private readonly client: BusClient;

  constructor(
    private readonly admission: TenantAdmission,
    private readonly configs: AlertmanagerConfigsService,
    @Inject(GATEWAY_OPTIONS) options: GatewayOptions,
  ) {
    this.client = new BusClient(options.bus);
  }

  @Get('alertmanager/api/v1/alerts')
  @RouteDoc({
    summary: "The tenant's Alertmanager configuration (Mimir), credentials masked",
    access: 'read scope',
  })
  async get(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const tenantId = await this.admission.admit(request, 'read');
    const view = await this.configs.get(callerOf(request), tenantId);
    void reply.header('content-type', 'application/yaml');
    return stringify({
      template_files: view.templateFiles,
      alertmanager_config: view.alertmanagerConfig,
      ...(view.notificationManager !== undefined
        ? { notification_manager: view.notificationManager }
        : {}),
    });
  }

  @Post('alertmanager/api/v1/alerts')
  @HttpCode(201)
  @RouteDoc({
    summary:
      "Set the tenant's Alertmanager configuration (Mimir); invalid → 400 with path and reason",
    access: 'admin scope',
  })
  async set(@Req() request: FastifyRequest, @Body() body: unknown): Promise<string> {
    const tenantId = await this.admission.admit(request, 'admin');
    let doc: unknown = body;
    if (typeof body === 'string') {
      try {
        doc = parse(body);
      } catch (e) {
        throw new StrataError('bad_request', `the body is not YAML: ${(e as Error).message}`);
      }
    }
    const o = (doc ?? {}) as {
      alertmanager_config?: unknown;
      template_files?: unknown;
      notification_manager?: unknown;
    };
    if (typeof o.alertmanager_config !== 'string')
      throw new StrataError('validation_failed', 'alertmanager_config must be a string', [
        { path: 'alertmanager_config', message: 'required, the Alertmanager YAML as a string' },
      ]);
    const nm = o.notification_manager;
    await this.configs.configure(callerOf(request), tenantId, {
      alertmanagerConfig: o.alertmanager_config,
      templateFiles: o.template_files ?? {},
      // Taken as a YAML string like alertmanager_config, or as a mapping written inline.
      ...(nm === undefined || nm === null
        ? {}
        : { notificationManager: typeof nm === 'string' ? nm : stringify(nm) }),
    });
    return '';
  }

  @Delete('alertmanager/api/v1/alerts')
  @RouteDoc({
    summary: "Delete the tenant's Alertmanager configuration (Mimir)",
    access: 'admin scope',
  })
  async remove(@Req() request: FastifyRequest): Promise<string> {
    const tenantId = await this.admission.admit(request, 'admin');
    await this.configs.delete(callerOf(request), tenantId);
    return '';
  }

  @Get('api/v1/admin/tenants/:id/alertmanager/config')
  @RouteDoc({
    summary: "A tenant's Alertmanager configuration as JSON, credentials masked, with its version",
    access: 'read scope',
  })
  getJson(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
  ): Promise<AlertmanagerConfigView> {
    return this.configs.get(caller, id);
  }

  @Put('api/v1/admin/tenants/:id/alertmanager/config')
  @RouteDoc({
    summary:
      "Set a tenant's Alertmanager configuration ({alertmanagerConfig, templateFiles, notificationManager}); invalid → 400 with paths",
    access: 'admin scope',
  })
  async putJson(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch?: string,
  ): Promise<AlertmanagerConfigView> {
    await this.configs.configure(caller, id, body, versionFromIfMatch(ifMatch));
    return this.configs.get(caller, id);
  }

  @Delete('api/v1/admin/tenants/:id/alertmanager/config')
  @HttpCode(204)
  @RouteDoc({ summary: "Delete a tenant's Alertmanager configuration", access: 'admin scope' })
  async deleteJson(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
    @Headers('if-match') ifMatch?: string,
  ): Promise<void> {
    await this.configs.delete(caller, id, versionFromIfMatch(ifMatch));
  }

  @Get('api/v1/notifications/history')
  @RouteDoc({
    summary: 'Delivery attempts, newest first, with filters and a cursor',
    access: 'read scope',
  })
  async history(
    @Req() request: FastifyRequest,
    @Query() q: Record<string, string | undefined>,
  ): Promise<unknown> {
    const tenantId = await this.admission.admit(request, 'read');
    const limit = q.limit === undefined ? undefined : Number(q.limit);
    return this.client.ask(NotificationSubjects.history, {
      tenantId,
      ...(q.receiver ? { receiver: q.receiver } : {}),
      ...(q.status ? { status: q.status as 'sent' | 'failed' } : {}),
      ...(q.integration ? { integration: q.integration } : {}),
      ...(q.since ? { since: q.since } : {}),
      ...(q.cursor ? { cursor: q.cursor } : {}),
      limit: limit ?? 100,
    });
  }
}
