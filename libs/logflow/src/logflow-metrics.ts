import { Injectable } from '@nestjs/common';
import { type LogRecord } from '@strata/contracts';
import { StrataMetrics } from '@strata/service-kit';
import { type Counter, type Histogram } from 'prom-client';
import { PipelineThroughputCounters } from './stats/pipeline-throughput.counters';

type SinkLabels = 'tenant' | 'pipeline' | 'sink';

/** The logflow service's counters per tenant, pipeline and sink, on the process registry. */
@Injectable()
export class LogflowMetrics {
  private readonly batchesTotal: Counter<'tenant' | 'pipeline'>;
  private readonly recordsInTotal: Counter<'tenant' | 'pipeline'>;
  private readonly sentTotal: Counter<SinkLabels>;
  private readonly deadTotal: Counter<SinkLabels>;
  private readonly retriesTotal: Counter<SinkLabels>;
  private readonly sendSeconds: Histogram<SinkLabels>;

  constructor(
    metrics: StrataMetrics,
    private readonly throughput: PipelineThroughputCounters,
  ) {
    this.batchesTotal = metrics.counter(
      'logflow_batches_total',
      'Batches of STRATA_LOGS a pipeline finished (every sink delivered or dead-lettered them).',
      ['tenant', 'pipeline'],
    );
    this.recordsInTotal = metrics.counter(
      'logflow_records_in_total',
      'Records read by a pipeline.',
      ['tenant', 'pipeline'],
    );
    this.sentTotal = metrics.counter(
      'logflow_sink_records_sent_total',
      'Records a sink delivered.',
      ['tenant', 'pipeline', 'sink'],
    );
    this.deadTotal = metrics.counter(
      'logflow_sink_records_dead_total',
      'Records a sink gave up on (published to STRATA_LOGS_DEAD).',
      ['tenant', 'pipeline', 'sink'],
    );
    this.retriesTotal = metrics.counter(
      'logflow_sink_retries_total',
      'Sends a sink repeated after a failure.',
      ['tenant', 'pipeline', 'sink'],
    );
    this.sendSeconds = metrics.histogram(
      'logflow_sink_delivery_seconds',
      'Time to deliver one batch to one sink, retries included.',
      ['tenant', 'pipeline', 'sink'],
    );
  }

  /** A batch finished by a pipeline. */
  batch(tenant: string, pipeline: string, records: readonly LogRecord[]): void {
    this.batchesTotal.inc({ tenant, pipeline });
    this.recordsInTotal.inc({ tenant, pipeline }, records.length);
    this.throughput.batch(tenant, pipeline, records);
  }

  /** One sink's delivery of one batch. */
  delivery(
    labels: { tenant: string; pipeline: string; sink: string },
    sent: number,
    dead: number,
    attempts: number,
    seconds: number,
  ): void {
    if (sent > 0) this.sentTotal.inc(labels, sent);
    if (dead > 0) this.deadTotal.inc(labels, dead);
    if (attempts > 1) this.retriesTotal.inc(labels, attempts - 1);
    this.sendSeconds.observe(labels, seconds);
    this.throughput.delivery(labels.tenant, labels.pipeline, labels.sink, sent, dead, attempts);
  }
}
