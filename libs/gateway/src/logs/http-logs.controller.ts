import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiConsumes, ApiTags } from '@nestjs/swagger';
import { type LogRecord, StrataError } from '@strata/contracts';
import { decodeUtf8, LogInputError, parseJsonLines } from '@strata/log-sources';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { TenantAdmission } from '../auth/tenant-admission.service';
import { RouteDoc } from '../openapi/api-doc.decorator';
import { requestBatchId } from './batch-id';
import { logInputAsStrataError, logBodyBytes } from './log-bodies';
import { LogIngest } from './log-ingest.service';

/** What `POST /api/v1/logs` answers: the lines stored, and whether JetStream already had them. */
export interface LogsAccepted {
  accepted: number;
  duplicate: boolean;
}

/**
 * Strata's plain HTTP log source: a JSON array, one object, or NDJSON of
 * `{"line", "timestamp"?, "labels"?, "fields"?}` entries (optionally gzip). The whole body is
 * parsed before anything is stored: the first bad entry is named in a 400 and nothing is kept.
 */
@ApiTags('logs')
@Controller('api/v1')
export class HttpLogsController {
  constructor(
    private readonly admission: TenantAdmission,
    private readonly ingest: LogIngest,
  ) {}

  @Post('logs')
  @HttpCode(200)
  @RouteDoc({
    summary: 'Log lines as JSON or NDJSON',
    access: 'write scope, or platform admin naming the tenant',
  })
  @ApiConsumes('application/json', 'application/x-ndjson')
  async logs(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<LogsAccepted> {
    const tenantId = await this.admission.admit(request, 'write');
    let body: Buffer;
    let records: LogRecord[];
    try {
      body = logBodyBytes(request, this.ingest.config.maxBodyBytes);
      records = parseJsonLines(decodeUtf8(body, 'body'), this.ingest.rules, Date.now());
    } catch (error) {
      if (error instanceof LogInputError)
        this.ingest.metrics.refused('http', tenantId, error.reason, 1);
      throw logInputAsStrataError(error);
    }
    if (records.length === 0) return { accepted: 0, duplicate: false };
    const stored = await this.ingest
      .ingest(
        {
          tenantId,
          batchId: requestBatchId(tenantId, 'http', body),
          source: 'http',
          receivedAt: Date.now(),
          records,
        },
        request.id,
      )
      .catch((error: unknown) => {
        if (error instanceof StrataError && error.retryAfterSeconds !== undefined)
          void reply.header('retry-after', String(error.retryAfterSeconds));
        throw error;
      });
    return { accepted: records.length, duplicate: stored.duplicates === stored.batches };
  }
}
