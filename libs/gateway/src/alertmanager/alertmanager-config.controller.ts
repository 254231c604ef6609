import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { BusClient } from '@strata/bus';
import { NotificationSubjects, StrataError } from '@strata/contracts';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { parse, stringify } from 'yaml';
import { TenantAdmission } from '../auth/tenant-admission.service';
import { GATEWAY_OPTIONS, type GatewayOptions } from '../gateway.options';
import { RouteDoc } from '../openapi/api-doc.decorator';

/**
 * Mimir's Alertmanager configuration API under the Alertmanager prefix
 * (`/alertmanager/api/v1/alerts`: YAML with `alertmanager_config` and `template_files`; the bare
 * `/api/v1/alerts` is Prometheus' alerts list here) and the notification history, for the admitted tenant.
 */
@ApiTags('alertmanager')
@Controller()
export class AlertmanagerConfigController {
  private readonly client: BusClient;

  constructor(
    private readonly admission: TenantAdmission,
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
    const view = await this.client.ask(NotificationSubjects.getConfig, { tenantId });
    void reply.header('content-type', 'application/yaml');
    return stringify({
      template_files: view.templateFiles,
      alertmanager_config: view.alertmanagerConfig,
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
    const o = (doc ?? {}) as { alertmanager_config?: unknown; template_files?: unknown };
    if (typeof o.alertmanager_config !== 'string')
      throw new StrataError('validation_failed', 'alertmanager_config must be a string', [
        { path: 'alertmanager_config', message: 'required, the Alertmanager YAML as a string' },
      ]);
    await this.client.ask(NotificationSubjects.setConfig, {
      tenantId,
      alertmanagerConfig: o.alertmanager_config,
      templateFiles: (o.template_files ?? {}) as Record<string, string>,
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
    await this.client.ask(NotificationSubjects.deleteConfig, { tenantId });
    return '';
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
