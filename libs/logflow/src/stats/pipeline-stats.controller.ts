import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { requestRoute, ValidatePayload } from '@strata/bus';
import {
  PipelineStatsRequest,
  type PipelineStatsReply,
  PipelineStatsSubjects,
} from '@strata/contracts';
import { PipelineThroughputCounters } from './pipeline-throughput.counters';

/** Answers the gateway's throughput question; every replica answers with its own counts. */
@Controller()
export class PipelineStatsController {
  constructor(private readonly counters: PipelineThroughputCounters) {}

  @MessagePattern(PipelineStatsSubjects.stats, requestRoute({ queueGroup: null }))
  stats(
    @Payload(new ValidatePayload(PipelineStatsRequest, 'pipeline stats request'))
    request: PipelineStatsRequest,
  ): PipelineStatsReply {
    return this.counters.reply(request.tenantId, request.pipeline);
  }
}
