import { createHash } from 'node:crypto';
import { Controller, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { ApiConsumes, ApiHeader, ApiQuery, ApiTags } from '@nestjs/swagger';
import { BusClient } from '@strata/bus';
import {
  ClusterName,
  type EventBatchAccepted,
  type EventBatchMeta,
  EventsSubjects,
  StrataError,
} from '@strata/contracts';
import {
  BatchError,
  type ParsedBatch,
  parseAuditEventList,
  parseKubeEventsBody,
  parsedBatches,
} from '@strata/event-rules';
import { type FastifyRequest } from 'fastify';
import { TenantAdmission } from '../auth/tenant-admission.service';
import { GATEWAY_OPTIONS, type GatewayOptions } from '../gateway.options';
import { RouteDoc } from '../openapi/api-doc.decorator';

/** Header naming the cluster of a batch when the URL does not (`?cluster=`). */
export const CLUSTER_HEADER = 'x-strata-cluster';

/**
 * Kubernetes audit events (kube-apiserver's webhook backend, batch and blocking modes, and
 * kube-auditing's path) and Kubernetes events (kube-events' exporter). A batch is parsed whole
 * before anything is sent: the first bad line or item is named in a 400 and nothing is stored.
 * The 200 means the batch is in JetStream; evaluation and archiving follow from there.
 */
@ApiTags('events')
@Controller()
export class EventsIngestController {
  private readonly client: BusClient;

  constructor(
    private readonly admission: TenantAdmission,
    @Inject(GATEWAY_OPTIONS) options: GatewayOptions,
  ) {
    this.client = new BusClient(options.bus);
  }

  @Post(['api/v1/audit/webhook/event', 'audit/webhook/event'])
  @HttpCode(200)
  @RouteDoc({
    summary: 'audit.k8s.io/v1 EventList from kube-apiserver',
    access: 'write scope, or platform admin naming the tenant',
  })
  @ApiConsumes('application/json')
  @ApiQuery({
    name: 'cluster',
    required: false,
    description: `the cluster label (or the ${CLUSTER_HEADER} header)`,
  })
  @ApiHeader({ name: 'X-Strata-Cluster', required: false })
  async audit(@Req() request: FastifyRequest): Promise<EventBatchAccepted> {
    const tenantId = await this.admission.admit(request, 'write');
    const cluster = clusterOf(request);
    const body = textBody(request);
    const items = edge(() => parseAuditEventList(body));
    if (items.length === 0) return { accepted: 0, duplicate: false };
    return this.send({ kind: 'audit', text: body, items }, tenantId, cluster);
  }

  @Post('api/v1/events')
  @HttpCode(200)
  @RouteDoc({
    summary: 'Kubernetes events: kube-events exporter NDJSON, a JSON array or events.k8s.io/v1',
    access: 'write scope, or platform admin naming the tenant',
  })
  @ApiConsumes('application/json', 'application/x-ndjson')
  @ApiQuery({
    name: 'cluster',
    required: false,
    description: `the cluster of events without a cluster field (or the ${CLUSTER_HEADER} header)`,
  })
  async events(@Req() request: FastifyRequest): Promise<EventBatchAccepted> {
    const tenantId = await this.admission.admit(request, 'write');
    const cluster = clusterOf(request);
    const body = textBody(request);
    const parsed = edge(() => parseKubeEventsBody(body, cluster));
    parsed.forEach((e, i) => {
      if (!ClusterName.safeParse(e.cluster).success)
        throw new StrataError(
          'bad_request',
          `event ${i}: cluster ${JSON.stringify(e.cluster)} is not a valid name`,
          undefined,
          { reason: 'bad_cluster' },
        );
    });
    if (parsed.length === 0) return { accepted: 0, duplicate: false };
    return this.send({ kind: 'events', text: body, items: parsed }, tenantId, cluster);
  }

  /**
   * The body goes on as it came: the events service re-reads it with the same parser, so nothing
   * is re-encoded; its consumer in this process, if any, takes the parsed batch instead.
   */
  private async send(
    batch: ParsedBatch,
    tenantId: string,
    cluster: string,
  ): Promise<EventBatchAccepted> {
    const meta: EventBatchMeta = {
      kind: batch.kind,
      tenantId,
      cluster,
      batchId: batchId(tenantId, batch.kind, cluster, batch.text),
      receivedAt: Date.now(),
      count: batch.items.length,
    };
    parsedBatches.put(meta.batchId, batch);
    try {
      const accepted = await this.client.askBinary(
        EventsSubjects.ingest,
        Buffer.from(batch.text, 'utf8'),
        meta,
        { timeoutMs: 30_000 },
      );
      // A duplicate is not delivered again: its first copy was (or will be) read from the bytes.
      if (accepted.duplicate) parsedBatches.drop(meta.batchId);
      return accepted;
    } catch (error) {
      parsedBatches.drop(meta.batchId);
      throw error;
    }
  }
}

function textBody(request: FastifyRequest): string {
  if (typeof request.body === 'string') return request.body;
  if (request.body === undefined || request.body === null)
    throw new StrataError('bad_request', 'the body is empty', undefined, { reason: 'empty_body' });
  throw new StrataError(
    'unsupported_media_type',
    `send application/json or application/x-ndjson, not ${request.headers['content-type'] ?? 'none'}`,
  );
}

function clusterOf(request: FastifyRequest): string {
  const query = (request.query ?? {}) as Record<string, unknown>;
  const header = request.headers[CLUSTER_HEADER];
  const value =
    typeof query.cluster === 'string' ? query.cluster : typeof header === 'string' ? header : '';
  if (!ClusterName.safeParse(value).success)
    throw new StrataError(
      'bad_request',
      `cluster ${JSON.stringify(value)} is not a valid name`,
      undefined,
      { reason: 'bad_cluster' },
    );
  return value;
}

function edge<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof BatchError)
      throw new StrataError(
        'bad_request',
        error.message,
        [{ path: error.where, message: error.reason }],
        { reason: 'malformed_batch', cause: error },
      );
    throw error;
  }
}

/** Same tenant, cluster and bytes: the same batch, stored once however often it is retried. */
function batchId(tenantId: string, kind: string, cluster: string, body: string): string {
  return createHash('sha256')
    .update(`${tenantId}\n${kind}\n${cluster}\n`)
    .update(body)
    .digest('hex');
}
