import { Controller, Get, Inject, Param, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  addThroughput,
  emptyThroughput,
  PipelineStatsReply,
  type PipelineStats,
  type PipelineStatsRequest,
  PipelineStatsSubjects,
} from '@strata/contracts';
import { type FastifyRequest } from 'fastify';
import { callerOf } from '../http/request-state';
import { TenantAdmission } from '../auth/tenant-admission.service';
import { GATEWAY_OPTIONS, type GatewayOptions } from '../gateway.options';
import { RouteDoc } from '../openapi/api-doc.decorator';
import { PipelinesService } from './pipelines.service';

/** How long the gateway waits for logflow replicas to answer; those later are left out of the sum. */
const REPLICA_WAIT_MS = 500;

/**
 * A pipeline's throughput, as Vector's component counters: records in and out, bytes, and per
 * sink delivered, failed and dead-lettered, summed over the logflow replicas with the reading's
 * time, so that two readings give rates.
 */
@ApiTags('logs')
@Controller('api/v1/logs/pipelines')
export class PipelineStatsController {
  constructor(
    private readonly admission: TenantAdmission,
    private readonly pipelines: PipelinesService,
    @Inject(GATEWAY_OPTIONS) private readonly options: GatewayOptions,
  ) {}

  @Get(':name/stats')
  @RouteDoc({
    summary: "A log pipeline's throughput counters",
    access: 'read scope, or platform admin naming the tenant',
  })
  async stats(@Req() request: FastifyRequest, @Param('name') name: string): Promise<PipelineStats> {
    const tenantId = await this.admission.admit(request, 'read');
    // An unknown pipeline is a 404, not counters of nothing.
    const { pipeline } = await this.pipelines.get(callerOf(request), tenantId, name);
    const asked: PipelineStatsRequest = { tenantId, pipeline: pipeline.name };
    const replies = await this.options.bus.requestAll<PipelineStatsRequest, unknown>(
      PipelineStatsSubjects.stats,
      asked,
      { maxWaitMs: REPLICA_WAIT_MS },
    );
    const readAt = Date.now();
    const totals = emptyThroughput();
    const replicas: PipelineStats['replicas'] = [];
    for (const envelope of replies) {
      const reply = PipelineStatsReply.safeParse(envelope.ok);
      if (!reply.success) continue;
      replicas.push({ instance: reply.data.instance, startedAt: reply.data.startedAt });
      if (reply.data.counts) addThroughput(totals, reply.data.counts);
    }
    // Sinks in the order the control plane lists them, each listed (zeros until it is sent
    // something); sinks a reload removed keep their counts after them.
    const ordered: typeof totals.sinks = {};
    for (const sink of Object.keys(pipeline.sinks))
      ordered[sink] = totals.sinks[sink] ?? {
        receivedEvents: 0,
        sentEvents: 0,
        deadEvents: 0,
        failedSends: 0,
      };
    totals.sinks = { ...ordered, ...totals.sinks };
    return { tenantId, pipeline: pipeline.name, readAt, replicas, totals };
  }
}
