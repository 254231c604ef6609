import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  type RegistryWebhookDelivery,
  type RegistryWebhookTestResult,
  type RegistryWebhookView,
} from '@strata/contracts';
import { z } from 'zod';
import { type FastifyRequest } from 'fastify';
import { TenantAdmission } from '../auth/tenant-admission.service';
import { callerOf } from '../http/request-state';
import { validate } from '../http/validate';
import { RouteDoc } from '../openapi/api-doc.decorator';
import { RegistryWebhooksService } from './registry-webhooks.service';

const TestBody = z.object({ event: z.string().min(1).max(100).optional() }).strict();

/**
 * The tenant's registry webhook subscriptions over REST (MLflow's events, signed with the
 * subscription's secret), delivered by the model-registry service.
 */
@ApiTags('models')
@Controller('api/v1/registry/webhooks')
export class RegistryWebhooksController {
  constructor(
    private readonly admission: TenantAdmission,
    private readonly webhooks: RegistryWebhooksService,
  ) {}

  @Get()
  @RouteDoc({ summary: "The tenant's registry webhooks, secrets masked", access: 'read scope' })
  async list(@Req() request: FastifyRequest): Promise<{ items: RegistryWebhookView[] }> {
    const tenantId = await this.admission.admit(request, 'read');
    return { items: await this.webhooks.list(callerOf(request), tenantId) };
  }

  @Get(':name')
  @RouteDoc({ summary: 'One registry webhook, its secret masked', access: 'read scope' })
  async get(
    @Req() request: FastifyRequest,
    @Param('name') name: string,
  ): Promise<RegistryWebhookView> {
    const tenantId = await this.admission.admit(request, 'read');
    return this.webhooks.get(callerOf(request), tenantId, name);
  }

  @Put(':name')
  @RouteDoc({ summary: 'Create or replace a registry webhook', access: 'write scope' })
  async set(
    @Req() request: FastifyRequest,
    @Param('name') name: string,
    @Body() body: unknown,
  ): Promise<RegistryWebhookView> {
    const tenantId = await this.admission.admit(request, 'write');
    return this.webhooks.set(callerOf(request), tenantId, name, body);
  }

  @Delete(':name')
  @HttpCode(204)
  @RouteDoc({ summary: 'Delete a registry webhook', access: 'write scope', status: 204 })
  async remove(@Req() request: FastifyRequest, @Param('name') name: string): Promise<void> {
    const tenantId = await this.admission.admit(request, 'write');
    await this.webhooks.remove(callerOf(request), tenantId, name);
  }

  @Post(':name/test')
  @HttpCode(200)
  @RouteDoc({
    summary:
      "Send a signed sample event now (MLflow's webhook test; body {event?}); answers the receiver's status",
    access: 'write scope',
  })
  async test(
    @Req() request: FastifyRequest,
    @Param('name') name: string,
    @Body() body: unknown,
  ): Promise<RegistryWebhookTestResult> {
    const tenantId = await this.admission.admit(request, 'write');
    const { event } = validate(TestBody, body ?? {}, 'webhook test');
    return this.webhooks.test(callerOf(request), tenantId, name, event);
  }

  @Get(':name/deliveries')
  @RouteDoc({
    summary: "The webhook's last deliveries, newest first: status, attempts, delivery id, time",
    access: 'read scope',
  })
  async deliveries(
    @Req() request: FastifyRequest,
    @Param('name') name: string,
  ): Promise<{ items: RegistryWebhookDelivery[] }> {
    const tenantId = await this.admission.admit(request, 'read');
    return { items: await this.webhooks.deliveries(callerOf(request), tenantId, name) };
  }
}
