import { Body, Controller, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { alertsOfWebhook } from '@strata/alertmanager';
import { BusClient } from '@strata/bus';
import { NotificationSubjects, StrataError } from '@strata/contracts';
import { type FastifyRequest } from 'fastify';
import { TenantAdmission } from '../auth/tenant-admission.service';
import { GATEWAY_OPTIONS, type GatewayOptions } from '../gateway.options';
import { RouteDoc } from '../openapi/api-doc.decorator';

/**
 * An external Alertmanager's webhook receiver (payload version 4, notification-manager's mode):
 * point its `webhook_configs` at `/alertmanager/api/v1/webhook` with a write-scoped key, and its
 * notifications become the tenant's alerts, routed and delivered by the tenant's own configuration.
 */
@ApiTags('alertmanager')
@Controller()
export class AlertmanagerWebhookController {
  private readonly client: BusClient;

  constructor(
    private readonly admission: TenantAdmission,
    @Inject(GATEWAY_OPTIONS) options: GatewayOptions,
  ) {
    this.client = new BusClient(options.bus);
  }

  @Post('alertmanager/api/v1/webhook')
  @HttpCode(200)
  @RouteDoc({
    summary: "Receive an Alertmanager webhook notification (version 4) as the tenant's alerts",
    access: 'write scope',
  })
  async receive(@Req() request: FastifyRequest, @Body() body: unknown): Promise<string> {
    const tenantId = await this.admission.admit(request, 'write');
    const read = alertsOfWebhook(body);
    if ('problems' in read)
      throw new StrataError(
        'validation_failed',
        `not an Alertmanager webhook payload: ${read.problems[0].path}: ${read.problems[0].message}`,
        read.problems,
      );
    await this.client.ask(NotificationSubjects.postAlerts, { tenantId, alerts: read.alerts });
    return '';
  }
}
