import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiConsumes, ApiTags } from '@nestjs/swagger';
import { type LogRecord, StrataError } from '@strata/contracts';
import {
  decodeUtf8,
  expandSnappy,
  LogInputError,
  parseLokiJson,
  parseLokiProtobuf,
} from '@strata/log-sources';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { TenantAdmission } from '../auth/tenant-admission.service';
import { RouteDoc } from '../openapi/api-doc.decorator';
import { requestBatchId, nowNs } from './batch-id';
import { logBodyBytes, logContentType } from './log-bodies';
import { LogIngest } from './log-ingest.service';

/**
 * Loki's push API, for Promtail, Grafana Alloy, Fluent Bit's and Vector's loki outputs:
 * `logproto.PushRequest` as a snappy block (`application/x-protobuf`), or JSON (optionally
 * gzip). 204 once JetStream stored every line; errors are Loki's plain-text bodies.
 */
@ApiTags('logs')
@Controller('loki/api/v1')
export class LokiPushController {
  constructor(
    private readonly admission: TenantAdmission,
    private readonly ingest: LogIngest,
  ) {}

  @Post('push')
  @HttpCode(204)
  @RouteDoc({
    summary: 'Loki push (protobuf+snappy or JSON)',
    access: 'write scope, or platform admin naming the tenant',
    status: 204,
  })
  @ApiConsumes('application/x-protobuf', 'application/json')
  async push(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const tenantId = await this.admission.admit(request, 'write');
    const max = this.ingest.config.maxBodyBytes;
    let records: LogRecord[];
    let body: Buffer;
    try {
      body = logBodyBytes(request, max);
      const type = logContentType(request);
      records =
        type === 'application/json'
          ? parseLokiJson(decodeUtf8(body, 'body'), this.ingest.rules, nowNs())
          : parseLokiProtobuf(expandSnappy(body, max), this.ingest.rules, nowNs());
    } catch (error) {
      if (!(error instanceof LogInputError)) throw error;
      this.ingest.metrics.refused('loki', tenantId, error.reason, 1);
      const status =
        error.reason === 'decoded_too_large'
          ? 413
          : error.reason === 'unsupported_encoding'
            ? 415
            : 400;
      return void reply.status(status).type('text/plain; charset=utf-8').send(`${error.message}\n`);
    }
    if (records.length > 0) {
      try {
        await this.ingest.ingest(
          {
            tenantId,
            batchId: requestBatchId(tenantId, 'loki', body),
            source: 'loki',
            receivedAt: Date.now(),
            records,
          },
          request.id,
        );
      } catch (error) {
        if (!(error instanceof StrataError) || error.code !== 'rate_limited') throw error;
        return void reply
          .status(429)
          .header('retry-after', String(error.retryAfterSeconds ?? 1))
          .type('text/plain; charset=utf-8')
          .send(`${error.message}\n`);
      }
    }
    void reply.status(204).send();
  }
}
