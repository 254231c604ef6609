import { Module } from '@nestjs/common';
import { LogflowMetrics } from './logflow-metrics';
import { LogMetricsWriter } from './metrics/log-metrics-writer';
import { PipelineRegistry } from './pipelines/pipeline-registry';

/**
 * The logflow service: runs each tenant's log pipelines over `STRATA_LOGS` (one durable consumer
 * per pipeline), delivers to their sinks at least once, dead-letters what a sink gives up on, and
 * writes `log_to_metric` counters through the router.
 */
@Module({ providers: [LogflowMetrics, PipelineRegistry, LogMetricsWriter] })
export class LogflowModule {}
