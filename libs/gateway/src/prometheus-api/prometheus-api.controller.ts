import { Controller, Get, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { ApiParams } from './params';
import { cacheDirectiveOf } from '../query-frontend/query-frontend';
import { type AdmittedTenant, type ApiAnswer, PrometheusApi } from './prometheus-api';

/** Admits a call to the read API: resolves the tenant (read scope) and its query limits, or throws. */
export interface PromTenantResolver {
  admit(request: FastifyRequest): Promise<AdmittedTenant>;
}

/** Injection token of the `PromTenantResolver`. */
export const PROM_TENANT_RESOLVER = Symbol.for('@strata/gateway:prom-tenant-resolver');

/** The parameters of a call: form-encoded body values first, then the URL query. */
export function paramsOf(request: FastifyRequest): ApiParams {
  const body =
    typeof request.body === 'object' && request.body !== null
      ? (request.body as Record<string, unknown>)
      : {};
  return new ApiParams((request.query ?? {}) as Record<string, unknown>, body);
}

async function send(reply: FastifyReply, answer: ApiAnswer | Promise<ApiAnswer>): Promise<void> {
  const a = await answer;
  await reply
    .status(a.statusCode)
    .header('content-type', 'application/json')
    .send(a.serialized ?? JSON.stringify(a.body));
}

/** Prometheus' query API under `/api/v1`, GET and POST (form-encoded) alike, scoped to the admitted tenant. */
// Prometheus documents these routes; the gateway's OpenAPI document describes its own admin API.
@ApiExcludeController()
@Controller('api/v1')
export class PrometheusApiController {
  constructor(
    private readonly api: PrometheusApi,
    @Inject(PROM_TENANT_RESOLVER) private readonly tenants: PromTenantResolver,
  ) {}

  @Get('query')
  async queryGet(@Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    const cache = cacheDirectiveOf(req.headers['cache-control']);
    await send(res, this.api.query(await this.tenants.admit(req), paramsOf(req), cache));
  }

  @Post('query')
  async queryPost(@Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    await this.queryGet(req, res);
  }

  @Get('query_range')
  async rangeGet(@Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    const cache = cacheDirectiveOf(req.headers['cache-control']);
    await send(res, this.api.queryRange(await this.tenants.admit(req), paramsOf(req), cache));
  }

  @Post('query_range')
  async rangePost(@Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    await this.rangeGet(req, res);
  }

  @Get('series')
  async seriesGet(@Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    await send(res, this.api.series(await this.tenants.admit(req), paramsOf(req)));
  }

  @Post('series')
  async seriesPost(@Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    await this.seriesGet(req, res);
  }

  @Get('labels')
  async labelsGet(@Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    await send(res, this.api.labels(await this.tenants.admit(req), paramsOf(req)));
  }

  @Post('labels')
  async labelsPost(@Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    await this.labelsGet(req, res);
  }

  @Get('label/:name/values')
  async labelValues(
    @Param('name') name: string,
    @Req() req: FastifyRequest,
    @Res() res: FastifyReply,
  ): Promise<void> {
    await send(res, this.api.labelValues(await this.tenants.admit(req), name, paramsOf(req)));
  }

  @Get('metadata')
  async metadata(@Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    await send(res, this.api.metadata(await this.tenants.admit(req), paramsOf(req)));
  }

  @Get('query_exemplars')
  async exemplarsGet(@Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    await send(res, this.api.queryExemplars(await this.tenants.admit(req), paramsOf(req)));
  }

  @Post('query_exemplars')
  async exemplarsPost(@Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    await this.exemplarsGet(req, res);
  }

  @Get('format_query')
  async formatGet(@Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    await this.tenants.admit(req);
    await send(res, this.api.formatQuery(paramsOf(req)));
  }

  @Post('format_query')
  async formatPost(@Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    await this.formatGet(req, res);
  }

  @Get('parse_query')
  async parseGet(@Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    await this.tenants.admit(req);
    await send(res, this.api.parseQuery(paramsOf(req)));
  }

  @Post('parse_query')
  async parsePost(@Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    await this.parseGet(req, res);
  }

  @Get('status/tsdb')
  async tsdbStatus(@Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    await send(res, this.api.tsdbStatus(await this.tenants.admit(req), paramsOf(req)));
  }

  @Get('status/buildinfo')
  async buildInfo(@Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    await this.tenants.admit(req);
    await send(res, this.api.buildInfo());
  }
}
