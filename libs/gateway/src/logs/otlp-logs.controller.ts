import { Controller, Post, Req, Res } from '@nestjs/common';
import { ApiConsumes, ApiTags } from '@nestjs/swagger';
import { StrataError } from '@strata/contracts';
import {
  decodeUtf8,
  encodeLogsResponse,
  encodeStatus,
  LogInputError,
  type OtlpLogsResult,
  parseOtlpJson,
  parseOtlpProtobuf,
} from '@strata/log-sources';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { TenantAdmission } from '../auth/tenant-admission.service';
import { RouteDoc } from '../openapi/api-doc.decorator';
import { nowNs, requestBatchId } from './batch-id';
import { logBodyBytes, logContentType } from './log-bodies';
import { LogIngest } from './log-ingest.service';

// google.rpc.Code values OTLP/HTTP error bodies carry.
const INVALID_ARGUMENT = 3;
const RESOURCE_EXHAUSTED = 8;

/**
 * OTLP/HTTP logs (`ExportLogsServiceRequest` in protobuf or JSON, optionally gzip), for any
 * OpenTelemetry SDK or Collector. 200 with an `ExportLogsServiceResponse` in the request's
 * encoding once JetStream stored the records; records refused one by one (too long, not UTF-8)
 * are counted in `partial_success` and the others stored. A body that is not a request is a 400
 * with a `google.rpc.Status`, a refused limit a 429 with `Retry-After`.
 */
@ApiTags('logs')
@Controller('v1')
export class OtlpLogsController {
  constructor(
    private readonly admission: TenantAdmission,
    private readonly ingest: LogIngest,
  ) {}

  @Post('logs')
  @RouteDoc({
    summary: 'OTLP/HTTP logs export (protobuf or JSON)',
    access: 'write scope, or platform admin naming the tenant',
  })
  @ApiConsumes('application/x-protobuf', 'application/json')
  async export(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const tenantId = await this.admission.admit(request, 'write');
    const json = logContentType(request) === 'application/json';
    const answer = (status: number, body: Uint8Array | object) =>
      void reply
        .status(status)
        .type(json ? 'application/json' : 'application/x-protobuf')
        .send(body instanceof Uint8Array ? Buffer.from(body) : JSON.stringify(body));
    const status = (code: number, message: string) =>
      json ? { code, message } : encodeStatus(code, message);
    let body: Buffer;
    let result: OtlpLogsResult;
    try {
      body = logBodyBytes(request, this.ingest.config.maxBodyBytes);
      result = json
        ? parseOtlpJson(decodeUtf8(body, 'body'), this.ingest.rules, nowNs())
        : parseOtlpProtobuf(body, this.ingest.rules, nowNs());
    } catch (error) {
      if (!(error instanceof LogInputError)) throw error;
      this.ingest.metrics.refused('otlp', tenantId, error.reason, 1);
      return answer(
        error.reason === 'decoded_too_large' ? 413 : 400,
        status(INVALID_ARGUMENT, error.message),
      );
    }
    if (result.rejected > 0)
      this.ingest.metrics.refused('otlp', tenantId, 'rejected_record', result.rejected);
    if (result.records.length > 0) {
      try {
        await this.ingest.ingest(
          {
            tenantId,
            batchId: requestBatchId(tenantId, 'otlp', body),
            source: 'otlp',
            receivedAt: Date.now(),
            records: result.records,
          },
          request.id,
        );
      } catch (error) {
        if (!(error instanceof StrataError) || error.code !== 'rate_limited') throw error;
        void reply.header('retry-after', String(error.retryAfterSeconds ?? 1));
        return answer(429, status(RESOURCE_EXHAUSTED, error.message));
      }
    }
    if (json)
      return answer(
        200,
        result.rejected > 0
          ? {
              partialSuccess: {
                rejectedLogRecords: String(result.rejected),
                errorMessage: result.firstError,
              },
            }
          : {},
      );
    return answer(200, encodeLogsResponse(result.rejected, result.firstError));
  }
}
