import { Logger } from '@nestjs/common';
import { type Bus, type ConsumedMessage, type KvBucket, type Stoppable } from '@strata/bus';
import {
  LogBatch,
  type LogDeadLetter,
  LogflowSubjects,
  LogsStreams,
  LogsSubjects,
  type PipelineView,
} from '@strata/contracts';
import {
  type LogAlertUpdate,
  LogMetricCounts,
  type LogMetricSample,
  runPipeline,
} from '@strata/logpipeline';
import { type LogflowMetrics } from '../logflow-metrics';
import { LogCounterLedger } from '../metrics/log-counter-ledger';
import { type SinkEnvironment } from '../sinks/sink-factory';
import { DeliveryInterruptedError, deliverToSink } from '../sinks/sink-delivery';
import { PipelineRuntime } from './pipeline-runtime';

/** What a runner needs from the service. */
export interface RunnerDeps {
  bus: Bus;
  metrics: LogflowMetrics;
  env: SinkEnvironment;
  concurrency: number;
  /** Where `log_to_metric` totals are kept (`KvBuckets.logflowCounters`). */
  counters: KvBucket;
}

/** The durable consumer of one tenant's pipeline: one per pipeline, so nothing slow is shared. */
export function pipelineConsumerName(tenantId: string, pipeline: string): string {
  return `logflow-${tenantId}-${pipeline}`;
}

/**
 * Runs one pipeline of one tenant over its own durable consumer of `STRATA_LOGS`, filtered to the
 * tenant's subject: a slow or failing sink holds back this pipeline only. A batch is acknowledged
 * once every sink on its path delivered its records or dead-lettered them; a crash before that
 * leaves it unacknowledged and JetStream delivers it again (at least once, end to end).
 */
export class PipelineRunner {
  private readonly log: Logger;
  private current: PipelineRuntime;
  private consumer: Stoppable | null = null;
  private readonly stopping = new AbortController();
  private readonly ledger: LogCounterLedger;

  constructor(
    view: PipelineView,
    private readonly deps: RunnerDeps,
  ) {
    const { tenantId, pipeline } = view;
    const durable = pipelineConsumerName(tenantId, pipeline.name);
    this.ledger = new LogCounterLedger(deps.counters, tenantId, pipeline.name, () =>
      deps.bus.consumerAckFloor(LogsStreams.batches.name, durable),
    );
    this.current = new PipelineRuntime(view, deps.env, { metrics: this.ledger.counts });
    this.log = new Logger(`Pipeline ${view.tenantId}/${view.pipeline.name}`);
  }

  /** The version running now. */
  get view(): PipelineView {
    return this.current.view;
  }

  /** The pipeline's `log_to_metric` totals (kept across versions). */
  metricsSnapshot(): LogMetricSample[] {
    return this.current.compiled.metrics.snapshot();
  }

  /** Evaluates the pipeline's log alert rules at `nowMs`. */
  evaluateAlerts(nowMs: number, resendMs: number): LogAlertUpdate[] {
    return this.current.compiled.alerts.evaluate(nowMs, resendMs);
  }

  /** Reads the stored counters, then starts consuming; a new pipeline reads batches stored from now on. */
  async start(): Promise<void> {
    const { tenantId, pipeline } = this.current.view;
    await this.ledger.load();
    this.consumer = await this.deps.bus.consume(
      {
        stream: LogsStreams.batches.name,
        durableName: pipelineConsumerName(tenantId, pipeline.name),
        filterSubjects: [LogsSubjects.batches(tenantId)],
        deliverPolicy: 'new',
        ackWaitMs: 60_000,
      },
      (m) => this.handle(m),
      { concurrency: this.deps.concurrency },
    );
  }

  /**
   * Swaps in a new version without stopping the consumer: batches already running finish with
   * the version they started with, the next ones use the new one, and nothing is dropped.
   */
  reload(view: PipelineView): void {
    // Counters and alert states carry over, so a reload neither resets a counter nor re-fires an alert.
    const next = new PipelineRuntime(view, this.deps.env, {
      metrics: this.current.compiled.metrics,
      alerts: this.current.compiled.alerts,
    });
    const old = this.current;
    this.current = next;
    void old.retire();
    this.log.log(`reloaded to version ${view.version}`);
  }

  /** Stops consuming; batches interrupted mid-retry are left for redelivery. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.consumer?.stop();
    await this.current.retire();
  }

  /** Removes the stored counters of a deleted pipeline; call after `stop`. */
  forgetCounters(): Promise<void> {
    return this.ledger.forget();
  }

  private async handle(m: ConsumedMessage): Promise<void> {
    const parsed = LogBatch.safeParse(m.json<unknown>());
    if (!parsed.success) {
      // A source stores only validated batches; anything else can never be delivered.
      m.term('not a log batch');
      return;
    }
    const batch = parsed.data;
    const runtime = this.current;
    runtime.acquire();
    try {
      await this.process(batch, runtime, m.seq);
    } catch (error) {
      if (error instanceof DeliveryInterruptedError) {
        m.nak();
        return;
      }
      throw error;
    } finally {
      runtime.release();
    }
  }

  private async process(batch: LogBatch, runtime: PipelineRuntime, seq: number): Promise<void> {
    const { tenantId } = batch;
    const pipeline = runtime.view.pipeline.name;
    // Counted apart and added to the totals once the batch is done, unless it was counted before.
    const counts = new LogMetricCounts();
    const outputs = runPipeline(runtime.compiled, batch.records, Date.now(), counts);
    const letters: LogDeadLetter[] = [];
    await Promise.all(
      runtime.compiled.sinks.map(async ({ id, spec }) => {
        const records = outputs.get(id);
        const sink = runtime.sinks.get(id);
        if (!records || !sink) return;
        const started = performance.now();
        const outcome = await deliverToSink(sink, records, spec.delivery, {
          tenantId,
          batchId: batch.batchId,
          stopping: this.stopping.signal,
        });
        const dead = outcome.dead.reduce((n, d) => n + d.records.length, 0);
        this.deps.metrics.delivery(
          { tenant: tenantId, pipeline, sink: id },
          outcome.delivered,
          dead,
          outcome.attempts,
          (performance.now() - started) / 1000,
        );
        for (const d of outcome.dead) {
          this.log.warn(`sink ${id} gave up on ${d.records.length} records: ${d.error}`);
          letters.push({
            tenantId,
            pipeline,
            sink: id,
            batchId: batch.batchId,
            attempts: d.attempts,
            error: d.error.slice(0, 1000),
            records: d.records,
          });
        }
      }),
    );
    // Dead letters are stored before the batch is acknowledged, or the batch is delivered again.
    for (const [i, letter] of letters.entries())
      await this.deps.bus.publish(LogflowSubjects.deadLetters(tenantId), letter, {
        msgId: `${batch.batchId}/${pipeline}/${letter.sink}/${i}`,
      });
    if (counts.size > 0) await this.ledger.commit(seq, counts.snapshot());
    this.deps.metrics.batch(tenantId, pipeline, batch.records.length);
  }
}
