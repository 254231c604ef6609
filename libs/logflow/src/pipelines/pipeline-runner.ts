import { Logger } from '@nestjs/common';
import { type Bus, type ConsumedMessage, type KvBucket, type Stoppable } from '@strata/bus';
import {
  LogBatch,
  type LogDeadLetter,
  type LogRecord,
  LogflowSubjects,
  LogsStreams,
  LogsSubjects,
  type PipelineView,
} from '@strata/contracts';
import {
  type HeldEvents,
  type LogAlertUpdate,
  LogMetricCounts,
  type LogMetricSample,
  runPipeline,
} from '@strata/logpipeline';
import { type LogflowMetrics } from '../logflow-metrics';
import { LogCounterLedger } from '../metrics/log-counter-ledger';
import { HeldLedger } from './held-ledger';
import { type SinkEnvironment } from '../sinks/sink-factory';
import { DeliveryInterruptedError, deliverToSink } from '../sinks/sink-delivery';
import { PipelineRuntime } from './pipeline-runtime';

/** How often a pipeline that holds events checks for ones whose timeout passed. */
const FLUSH_CHECK_MS = 100;

/** Stored batches in flight for a pipeline whose sinks gather several into one request. */
const BATCHING_CONCURRENCY = 64;

/** What a runner needs from the service. */
export interface RunnerDeps {
  bus: Bus;
  metrics: LogflowMetrics;
  env: SinkEnvironment;
  concurrency: number;
  /** Where `log_to_metric` totals and held events are kept (`KvBuckets.logflowState`). */
  state: KvBucket;
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
  private readonly heldLedger: HeldLedger;
  /** Batches and timeout flushes of a pipeline that holds events, one at a time in stream order. */
  private turn: Promise<unknown> = Promise.resolve();
  private flushTimer: NodeJS.Timeout | null = null;
  private flushing = false;

  constructor(
    view: PipelineView,
    private readonly deps: RunnerDeps,
  ) {
    const { tenantId, pipeline } = view;
    const durable = pipelineConsumerName(tenantId, pipeline.name);
    this.ledger = new LogCounterLedger(deps.state, tenantId, pipeline.name, () =>
      deps.bus.consumerAckFloor(LogsStreams.batches.name, durable),
    );
    this.heldLedger = new HeldLedger(deps.state, tenantId, pipeline.name);
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

  /**
   * Reads the stored counters and held events, then starts consuming; a new pipeline reads
   * batches stored from now on. A pipeline whose transforms hold events between batches
   * consumes in stream order, one batch at a time, so an event continues in the batch after it.
   */
  async start(): Promise<void> {
    const { tenantId, pipeline } = this.current.view;
    await this.ledger.load();
    await this.heldLedger.load();
    const ordered = this.current.compiled.holds;
    const batching = this.current.compiled.sinks.some((s) => s.spec.batch !== undefined);
    const concurrency = batching
      ? Math.max(this.deps.concurrency, BATCHING_CONCURRENCY)
      : this.deps.concurrency;
    this.consumer = await this.deps.bus.consume(
      {
        stream: LogsStreams.batches.name,
        durableName: pipelineConsumerName(tenantId, pipeline.name),
        filterSubjects: [LogsSubjects.batches(tenantId)],
        deliverPolicy: 'new',
        ackWaitMs: 60_000,
      },
      (m) => this.handle(m),
      ordered ? { ordered: true } : { concurrency },
    );
    this.flushTimer = setInterval(() => this.flushDue(), FLUSH_CHECK_MS);
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
    if (this.flushTimer) clearInterval(this.flushTimer);
    this.stopping.abort();
    // Batches waiting in a batcher are interrupted now (redelivered), not at its timeout.
    this.current.flushBatchers();
    await this.consumer?.stop();
    await this.current.retire();
  }

  /** Removes the stored counters and held events of a deleted pipeline; call after `stop`. */
  async forgetState(): Promise<void> {
    await this.ledger.forget();
    await this.heldLedger.forget();
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
      if (runtime.compiled.holds)
        await this.inTurn(async () => {
          if (this.heldLedger.done(m.seq)) return;
          const held = this.heldLedger.working();
          await this.process(runtime, batch.tenantId, batch.batchId, batch.records, m.seq, held);
          await this.heldLedger.commit(m.seq, held);
        });
      else await this.process(runtime, batch.tenantId, batch.batchId, batch.records, m.seq, null);
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

  private inTurn(task: () => Promise<void>): Promise<void> {
    const next = this.turn.then(task);
    this.turn = next.catch(() => undefined);
    return next;
  }

  /** Sends on the held events whose timeout passed, between batches; stored once delivered. */
  private flushDue(): void {
    const due = this.heldLedger.nextDeadline();
    if (this.flushing || due === null || due > Date.now()) return;
    this.flushing = true;
    const runtime = this.current;
    runtime.acquire();
    void this.inTurn(async () => {
      const held = this.heldLedger.working();
      const at = Date.now();
      await this.process(runtime, runtime.view.tenantId, `held-${at}`, [], null, held, at);
      await this.heldLedger.commit(this.heldLedger.lastSeq, held);
    })
      .catch((error: unknown) => {
        if (!(error instanceof DeliveryInterruptedError))
          this.log.warn(`sending held events failed, will retry: ${String(error)}`);
      })
      .finally(() => {
        this.flushing = false;
        runtime.release();
      });
  }

  /**
   * Runs records (none for a timeout flush) through the pipeline and delivers each sink's share.
   * `seq` null counts without the redelivery check (a flush is never redelivered).
   */
  private async process(
    runtime: PipelineRuntime,
    tenantId: string,
    batchId: string,
    records: LogBatch['records'],
    seq: number | null,
    held: HeldEvents | null,
    nowMs = Date.now(),
  ): Promise<void> {
    const batch = { batchId, records };
    const pipeline = runtime.view.pipeline.name;
    // Counted apart and added to the totals once the batch is done, unless it was counted before.
    const counts = new LogMetricCounts();
    const outputs = runPipeline(runtime.compiled, records, nowMs, counts, held);
    const letters: LogDeadLetter[] = [];
    await Promise.all(
      runtime.compiled.sinks.map(async ({ id, spec }) => {
        const records = outputs.get(id);
        const sink = runtime.sinks.get(id);
        if (!records || !sink) return;
        const started = performance.now();
        const deliver = (group: readonly LogRecord[], groupId: string) =>
          deliverToSink(sink, group, spec.delivery, {
            tenantId,
            batchId: groupId,
            stopping: this.stopping.signal,
          });
        // In order, one batch at a time, nothing else could join a group: send at once.
        const outcome =
          spec.batch && !runtime.compiled.holds
            ? await runtime.batcher(id, spec.batch, deliver).submit(records, batch.batchId)
            : await deliver(records, batch.batchId);
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
    if (records.length > 0) this.deps.metrics.batch(tenantId, pipeline, records);
  }
}
