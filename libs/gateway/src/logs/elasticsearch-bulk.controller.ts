import { Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import { ApiConsumes, ApiTags } from '@nestjs/swagger';
import { type BulkItem, LogInputError, lineBytes, parseBulk } from '@strata/log-sources';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { TenantAdmission } from '../auth/tenant-admission.service';
import { RouteDoc } from '../openapi/api-doc.decorator';
import { requestBatchId } from './batch-id';
import { logBodyBytes } from './log-bodies';
import { LogIngest } from './log-ingest.service';

/** The header the Elasticsearch clients check to know they talk to Elasticsearch. */
const PRODUCT_HEADER = { 'x-elastic-product': 'Elasticsearch' };

/** The version this source answers as: the 8.x bulk API the clients and Beats speak. */
const ES_VERSION = '8.15.0';

/**
 * Elasticsearch's `_bulk` API for Filebeat, Logstash, Fluent Bit's es output and the official
 * clients: `index` and `create` items store their documents as log records; each item gets ES's
 * own per-item result, so a bad document or a refused limit (429, which the clients retry) fails
 * that item only while the good ones are stored, as ES does. The answer comes once JetStream
 * stored the good items.
 */
@ApiTags('logs')
@Controller()
export class ElasticsearchBulkController {
  constructor(
    private readonly admission: TenantAdmission,
    private readonly ingest: LogIngest,
  ) {}

  @Get()
  @RouteDoc({
    summary: "Elasticsearch info (for the clients' product check)",
    access: 'any authenticated caller',
  })
  info(@Res() reply: FastifyReply): void {
    void reply.headers(PRODUCT_HEADER).send({
      name: 'strata',
      cluster_name: 'strata',
      cluster_uuid: 'strata',
      version: {
        number: ES_VERSION,
        build_flavor: 'default',
        lucene_version: '9.11.1',
        minimum_wire_compatibility_version: '7.17.0',
        minimum_index_compatibility_version: '7.0.0',
      },
      tagline: 'You Know, for Search',
    });
  }

  @Post('_bulk')
  @RouteDoc({
    summary: 'Elasticsearch _bulk (NDJSON)',
    access: 'write scope, or platform admin naming the tenant',
  })
  @ApiConsumes('application/x-ndjson')
  bulk(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.handle(request, reply, undefined);
  }

  @Post(':index/_bulk')
  @RouteDoc({
    summary: 'Elasticsearch _bulk into an index (NDJSON)',
    access: 'write scope, or platform admin naming the tenant',
  })
  @ApiConsumes('application/x-ndjson')
  bulkIndex(
    @Param('index') index: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    return this.handle(request, reply, index);
  }

  private async handle(
    request: FastifyRequest,
    reply: FastifyReply,
    index: string | undefined,
  ): Promise<void> {
    const started = Date.now();
    const tenantId = await this.admission.admit(request, 'write');
    let body: Buffer;
    let items: BulkItem[];
    try {
      body = logBodyBytes(request, this.ingest.config.maxBodyBytes);
      const batchId = requestBatchId(tenantId, 'elasticsearch', body);
      items = parseBulk(body, index, this.ingest.rules, Date.now(), batchId);
    } catch (error) {
      if (!(error instanceof LogInputError)) throw error;
      this.ingest.metrics.refused('elasticsearch', tenantId, error.reason, 1);
      const type =
        error.reason === 'decoded_too_large'
          ? 'content_too_long_exception'
          : 'illegal_argument_exception';
      const status = error.reason === 'decoded_too_large' ? 413 : 400;
      return void reply
        .status(status)
        .headers(PRODUCT_HEADER)
        .send({
          error: { root_cause: [{ type, reason: error.message }], type, reason: error.message },
          status,
        });
    }
    const good = items.flatMap((item) => ('record' in item ? [item.record] : []));
    let refused: { status: number; type: string; reason: string } | null = null;
    if (good.length > 0) {
      const bytes = lineBytes(good);
      const admission = await this.ingest.admit(tenantId, bytes, request.id);
      if (!admission.ok) {
        this.ingest.metrics.refused('elasticsearch', tenantId, admission.reason, good.length);
        refused = {
          status: 429,
          type: 'es_rejected_execution_exception',
          reason: admission.message,
        };
        void reply.header('retry-after', String(admission.retryAfterSeconds));
      } else {
        try {
          await this.ingest.store({
            tenantId,
            batchId: requestBatchId(tenantId, 'elasticsearch', body),
            source: 'elasticsearch',
            receivedAt: Date.now(),
            records: good,
          });
        } catch (error) {
          await this.ingest.refund(tenantId, bytes, request.id);
          throw error;
        }
      }
    }
    const bad = items.length - good.length;
    if (bad > 0) this.ingest.metrics.refused('elasticsearch', tenantId, 'bad_item', bad);
    let errors = false;
    const results = items.map((item, i) => {
      const error = 'error' in item ? item.error : refused;
      if (error) errors = true;
      const result = error
        ? {
            _index: item.index,
            _id: item.id,
            status: error.status,
            error: { type: error.type, reason: error.reason },
          }
        : {
            _index: item.index,
            _id: item.id,
            _version: 1,
            result: 'created',
            _shards: { total: 1, successful: 1, failed: 0 },
            _seq_no: i,
            _primary_term: 1,
            status: 201,
          };
      return { [item.action]: result };
    });
    void reply
      .status(200)
      .headers(PRODUCT_HEADER)
      .send({ took: Date.now() - started, errors, items: results });
  }
}
