import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiHeader, ApiTags } from '@nestjs/swagger';
import { BusClient } from '@strata/bus';
import { NotificationSubjects } from '@strata/contracts';
import { type FastifyRequest } from 'fastify';
import { TenantAdmission } from '../auth/tenant-admission.service';
import { AlertIntake } from './alert-intake.service';
import { RouteDoc } from '../openapi/api-doc.decorator';
import { Inject } from '@nestjs/common';
import { GATEWAY_OPTIONS, type GatewayOptions } from '../gateway.options';
import { boolParam, listParam } from './alertmanager-query';
import { postedAlertsText } from './posted-alerts-text';

/**
 * Alertmanager's API v2 for the admitted tenant under `/alertmanager/api/v2` (Mimir's prefix), so
 * `amtool --alertmanager.url=<gateway>/alertmanager` works: alerts need the write scope, silences
 * the admin scope, reads the read scope.
 */
@ApiTags('alertmanager')
@ApiHeader({
  name: 'X-Scope-OrgID',
  required: false,
  description: 'the tenant (for the platform admin)',
})
@Controller('alertmanager/api/v2')
export class AlertmanagerApiController {
  private readonly client: BusClient;

  constructor(
    private readonly admission: TenantAdmission,
    private readonly intake: AlertIntake,
    @Inject(GATEWAY_OPTIONS) options: GatewayOptions,
  ) {
    this.client = new BusClient(options.bus);
  }

  @Post('alerts')
  @HttpCode(200)
  @RouteDoc({ summary: 'Post alerts (Alertmanager API v2)', access: 'write scope' })
  async postAlerts(@Req() request: FastifyRequest, @Body() body: unknown): Promise<string> {
    const tenantId = await this.admission.admit(request, 'write');
    // Stored in the notification service's stream before the answer, as posted (the JSON parser
    // kept the text).
    await this.intake.store(tenantId, this.intake.check(body), postedAlertsText(request));
    return '';
  }

  @Get('alerts')
  @RouteDoc({ summary: 'List alerts (Alertmanager API v2)', access: 'read scope' })
  async alerts(
    @Req() request: FastifyRequest,
    @Query() q: Record<string, unknown>,
  ): Promise<unknown> {
    const tenantId = await this.admission.admit(request, 'read');
    return this.client.ask(NotificationSubjects.listAlerts, { tenantId, ...alertFilters(q) });
  }

  @Get('alerts/groups')
  @RouteDoc({ summary: 'List alert groups (Alertmanager API v2)', access: 'read scope' })
  async groups(
    @Req() request: FastifyRequest,
    @Query() q: Record<string, unknown>,
  ): Promise<unknown> {
    const tenantId = await this.admission.admit(request, 'read');
    return this.client.ask(NotificationSubjects.alertGroups, { tenantId, ...alertFilters(q) });
  }

  @Get('silences')
  @RouteDoc({ summary: 'List silences (Alertmanager API v2)', access: 'read scope' })
  async silences(
    @Req() request: FastifyRequest,
    @Query('filter') filter: unknown,
  ): Promise<unknown> {
    const tenantId = await this.admission.admit(request, 'read');
    return this.client.ask(NotificationSubjects.listSilences, {
      tenantId,
      filter: listParam(filter),
    });
  }

  @Post('silences')
  @HttpCode(200)
  @RouteDoc({ summary: 'Create or update a silence (Alertmanager API v2)', access: 'admin scope' })
  async putSilence(@Req() request: FastifyRequest, @Body() body: unknown): Promise<unknown> {
    const tenantId = await this.admission.admit(request, 'admin');
    return this.client.ask(NotificationSubjects.putSilence, { tenantId, silence: body as never });
  }

  @Get('silence/:id')
  @RouteDoc({ summary: 'Get a silence (Alertmanager API v2)', access: 'read scope' })
  async silence(@Req() request: FastifyRequest, @Param('id') id: string): Promise<unknown> {
    const tenantId = await this.admission.admit(request, 'read');
    return this.client.ask(NotificationSubjects.getSilence, { tenantId, id });
  }

  @Delete('silence/:id')
  @RouteDoc({ summary: 'Expire a silence (Alertmanager API v2)', access: 'admin scope' })
  async expire(@Req() request: FastifyRequest, @Param('id') id: string): Promise<string> {
    const tenantId = await this.admission.admit(request, 'admin');
    await this.client.ask(NotificationSubjects.expireSilence, { tenantId, id });
    return '';
  }

  @Get('status')
  @RouteDoc({ summary: 'Status and configuration (Alertmanager API v2)', access: 'read scope' })
  async status(@Req() request: FastifyRequest): Promise<unknown> {
    const tenantId = await this.admission.admit(request, 'read');
    return this.client.ask(NotificationSubjects.status, { tenantId });
  }

  @Get('receivers')
  @RouteDoc({ summary: 'Receivers (Alertmanager API v2)', access: 'read scope' })
  async receivers(@Req() request: FastifyRequest): Promise<unknown> {
    const tenantId = await this.admission.admit(request, 'read');
    return this.client.ask(NotificationSubjects.receivers, { tenantId });
  }
}

function alertFilters(q: Record<string, unknown>): {
  filter: string[];
  active: boolean;
  silenced: boolean;
  inhibited: boolean;
  unprocessed: boolean;
  receiver?: string;
} {
  return {
    filter: listParam(q.filter),
    active: boolParam(q.active),
    silenced: boolParam(q.silenced),
    inhibited: boolParam(q.inhibited),
    unprocessed: boolParam(q.unprocessed),
    ...(typeof q.receiver === 'string' && q.receiver !== '' ? { receiver: q.receiver } : {}),
  };
}
