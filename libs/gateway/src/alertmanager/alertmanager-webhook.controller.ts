import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { alertsOfWebhook } from '@strata/alertmanager';
import { StrataError } from '@strata/contracts';
import { type FastifyRequest } from 'fastify';
import { TenantAdmission } from '../auth/tenant-admission.service';
import { AlertIntake } from './alert-intake.service';
import { RouteDoc } from '../openapi/api-doc.decorator';

/**
 * An external Alertmanager's webhook receiver (payload version 4, notification-manager's mode):
 * point its `webhook_configs` at `/alertmanager/api/v1/webhook` with a write-scoped key, and its
 * notifications become the tenant's alerts, routed and delivered by the tenant's own configuration.
 */
@ApiTags('alertmanager')
@Controller()
export class AlertmanagerWebhookController {
  constructor(
    private readonly admission: TenantAdmission,
    private readonly intake: AlertIntake,
  ) {}

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
    await this.intake.store(tenantId, this.intake.check(read.alerts));
    return '';
  }
}
