import { Controller, Get, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { CardinalityApi, type MimirAnswer } from './cardinality-api';
import {
  PROM_TENANT_RESOLVER,
  type PromTenantResolver,
  paramsOf,
} from './prometheus-api.controller';

async function send(reply: FastifyReply, answer: Promise<MimirAnswer>): Promise<void> {
  const a = await answer;
  if (a.contentType.startsWith('text/plain'))
    void reply.header('x-content-type-options', 'nosniff');
  await reply.status(a.statusCode).header('content-type', a.contentType).send(a.body);
}

/** Mimir's cardinality API under `/api/v1/cardinality`, GET and POST (form-encoded), for the admitted tenant. */
// Mimir documents these routes; the gateway's OpenAPI document describes its own admin API.
@ApiExcludeController()
@Controller('api/v1/cardinality')
export class CardinalityApiController {
  constructor(
    private readonly api: CardinalityApi,
    @Inject(PROM_TENANT_RESOLVER) private readonly tenants: PromTenantResolver,
  ) {}

  @Get('label_names')
  async labelNamesGet(@Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    await send(res, this.api.labelNames(await this.tenants.admit(req), paramsOf(req)));
  }

  @Post('label_names')
  async labelNamesPost(@Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    await this.labelNamesGet(req, res);
  }

  @Get('label_values')
  async labelValuesGet(@Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    await send(res, this.api.labelValues(await this.tenants.admit(req), paramsOf(req)));
  }

  @Post('label_values')
  async labelValuesPost(@Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    await this.labelValuesGet(req, res);
  }
}
