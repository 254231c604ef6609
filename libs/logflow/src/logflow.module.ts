import { Module } from '@nestjs/common';
import { LogAlertPublisher } from './alerts/log-alert-publisher';
import { LogflowMetrics } from './logflow-metrics';
import { LogMetricsWriter } from './metrics/log-metrics-writer';
import { PipelineRegistry } from './pipelines/pipeline-registry';
import { PipelineStatsController } from './stats/pipeline-stats.controller';
import { PipelineThroughputCounters } from './stats/pipeline-throughput.counters';

/**
 * The logflow service: runs each tenant's log pipelines over `STRATA_LOGS` (one durable consumer
 * per pipeline), delivers to their sinks at least once, dead-letters what a sink gives up on, and
 * writes `log_to_metric` counters through the router, publishes log alerts for notification, and
 * answers how many records each pipeline and sink took in, sent and dead-lettered.
 */
@Module({
  controllers: [PipelineStatsController],
  providers: [
    PipelineThroughputCounters,
    LogflowMetrics,
    PipelineRegistry,
    LogMetricsWriter,
    LogAlertPublisher,
  ],
})
export class LogflowModule {}
