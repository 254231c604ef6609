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
import { type SecretKeyring } from '@strata/service-kit';
import { type LogflowMetrics } from '../logflow-metrics';
import { type SinkEnvironment } from '../sinks/sink-factory';
import { DeliveryInterruptedError, deliverToSink } from '../sinks/sink-delivery';
import { PipelineRuntime } from './pipeline-runtime';
import { PipelineStateConflictError, PipelineStateLedger } from './pipeline-state-ledger';

/** How often a pipeline that holds events checks for ones whose timeout passed. */
const FLUSH_CHECK_MS = 100;

/** Stored batches in flight for a pipeline whose sinks gather several into one request. */
const BATCHING_CONCURRENCY = 64;

/** Wait before a reload tries again to send on what a removed transform held. */
const RELEASE_RETRY_MS = 1_000;

/** What a runner needs from the service. */
export interface RunnerDeps {
  bus: Bus;
  metrics: LogflowMetrics;
  env: SinkEnvironment;
  concurrency: number;
  /** Opens sinks' sealed credentials (`STRATA_SECRET_KEY`). */
  secrets: SecretKeyring | null;
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
  /** The newest version asked for; it runs once the reloads before it are done. */
  private latest: PipelineView;
  private consumer: Stoppable | null = null;
  /** Whether the running consumer takes one batch at a time in stream order. */
  private ordered = false;
  private stopped = false;
  private readonly stopping = new AbortController();
  private readonly ledger: PipelineStateLedger;
  /** Batches and flushes of a pipeline that holds events, one at a time in stream order. */
  private turn: Promise<unknown> = Promise.resolve();
  /** Reloads, one at a time in the order the versions came. */
  private reloads: Promise<void> = Promise.resolve();
  private flushTimer: NodeJS.Timeout | null = null;
  private flushing = false;

  constructor(
    view: PipelineView,
    private readonly deps: RunnerDeps,
  ) {
    const { tenantId, pipeline } = view;
    const durable = pipelineConsumerName(tenantId, pipeline.name);
    this.ledger = new PipelineStateLedger(deps.state, tenantId, pipeline.name, () =>
      deps.bus.consumerAckFloor(LogsStreams.batches.name, durable),
    );
    this.current = new PipelineRuntime(
      view,
      deps.env,
      { metrics: this.ledger.counts },
      deps.secrets,
    );
    this.latest = view;
    this.log = new Logger(`Pipeline ${view.tenantId}/${view.pipeline.name}`);
  }

  /** The newest version asked for (running, or about to once the reloads before it finish). */
  get view(): PipelineView {
    return this.latest;
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
    await this.ledger.load();
    await this.dropOrphans();
    await this.consume(this.current.compiled.holds);
    this.flushTimer = setInterval(() => this.flushDue(), FLUSH_CHECK_MS);
  }

  /**
   * Runs `view` from the next batch on, without losing a line. Batches already running finish
   * with the version they started with. Events that a merging transform holds and the new version
   * removes or changes are sent on through the rest of the old version (the one they entered)
   * before the new version takes a batch; held events of an unchanged transform carry over.
   * Whether batches are taken in order is decided again: when it changes, the consumer stops
   * (its batches finish) and starts again in the new mode. Counters and alert states carry over.
   * Throws, keeping the running version, when `view` does not compile.
   */
  reload(view: PipelineView): void {
    const next = new PipelineRuntime(
      view,
      this.deps.env,
      { metrics: this.current.compiled.metrics, alerts: this.current.compiled.alerts },
      this.deps.secrets,
    );
    this.latest = view;
    this.reloads = this.reloads
      .then(() => this.switchTo(next))
      .catch((error: unknown) => this.log.error(`reload to ${view.version}: ${String(error)}`));
  }

  /** Resolves once every reload asked for so far runs. */
  reloaded(): Promise<void> {
    return this.reloads;
  }

  /** Stops consuming; batches interrupted mid-retry are left for redelivery. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.flushTimer) clearInterval(this.flushTimer);
    this.stopping.abort();
    // Batches waiting in a batcher are interrupted now (redelivered), not at its timeout.
    this.current.flushBatchers();
    await this.reloads;
    await this.consumer?.stop();
    await this.current.retire();
  }

  /** Removes the stored counters and held events of a deleted pipeline; call after `stop`. */
  async forgetState(): Promise<void> {
    await this.ledger.forget();
  }

  /**
   * Held events of a transform this version lacks were stored by a process that ran an older
   * version (the pipeline changed while no process ran it): the graph they were in is gone, so they
   * cannot be sent on where they belonged. They are dropped, loudly, rather than kept forever.
   */
  private async dropOrphans(): Promise<void> {
    const holders = new Set(
      this.current.compiled.nodes.filter((n) => n.transform.holds).map((n) => n.id),
    );
    const held = this.ledger.working();
    const before = held.size;
    held.retain(holders);
    if (held.size === before) return;
    this.log.warn(
      `dropping ${before - held.size} held events of transforms version ${this.current.view.version} lacks`,
    );
    await this.ledger.commit(null, [], held);
  }

  private async consume(ordered: boolean): Promise<void> {
    const { tenantId, pipeline } = this.current.view;
    const batching = this.current.compiled.sinks.some((s) => s.spec.batch !== undefined);
    const concurrency = batching
      ? Math.max(this.deps.concurrency, BATCHING_CONCURRENCY)
      : this.deps.concurrency;
    this.ordered = ordered;
    this.consumer = await this.deps.bus.consume(
      {
        stream: LogsStreams.batches.name,
        durableName: pipelineConsumerName(tenantId, pipeline.name),
        filterSubjects: [LogsSubjects.batches(tenantId)],
        deliverPolicy: 'new',
        ackWaitMs: 60_000,
      },
      (m) => this.handle(m, ordered),
      ordered ? { ordered: true } : { concurrency },
    );
  }

  private async switchTo(next: PipelineRuntime): Promise<void> {
    if (this.stopped) return;
    const old = this.current;
    const ordered = next.compiled.holds;
    const remode = ordered !== this.ordered;
    if (remode) {
      // Gathered records go now, so the batches waiting for them finish before the switch.
      old.flushBatchers();
      await this.consumer?.stop();
      this.consumer = null;
    }
    if (old.compiled.holds) await this.inTurn(() => this.handOver(old, next));
    else this.current = next;
    void old.retire();
    this.log.log(`reloaded to version ${next.view.version}`);
    if (remode && !this.stopped) await this.consume(ordered);
  }

  /**
   * Between two batches: sends on through `old` what its removed or changed merging transforms
   * hold, stores that they hold nothing any more, then lets `next` take the following batches.
   */
  private async handOver(old: PipelineRuntime, next: PipelineRuntime): Promise<void> {
    for (;;) {
      const release = new Set(
        [...this.ledger.holders()].filter(
          (id) =>
            JSON.stringify(old.compiled.spec.transforms[id]) !==
            JSON.stringify(next.compiled.spec.transforms[id]),
        ),
      );
      if (release.size === 0) break;
      const held = this.ledger.working();
      old.acquire();
      try {
        await this.process(old, old.view.tenantId, `reload-${next.view.version}`, [], null, held, {
          release,
        });
        break;
      } catch (error) {
        if (error instanceof DeliveryInterruptedError || this.stopped) throw error;
        this.log.warn(`sending on held events at a reload failed, will retry: ${String(error)}`);
        await new Promise((r) => setTimeout(r, RELEASE_RETRY_MS));
      } finally {
        old.release();
      }
    }
    this.current = next;
  }

  private async handle(m: ConsumedMessage, ordered: boolean): Promise<void> {
    const parsed = LogBatch.safeParse(m.json<unknown>());
    if (!parsed.success) {
      // A source stores only validated batches; anything else can never be delivered.
      m.term('not a log batch');
      return;
    }
    const batch = parsed.data;
    try {
      if (ordered)
        await this.inTurn(async () => {
          if (this.ledger.done(m.seq)) return;
          // Out of order, it cannot continue what is held (that came after it): it runs on its
          // own, as batches taken several at once do, and leaves the held events as they are.
          const late = this.ledger.behind(m.seq);
          if (late)
            this.log.warn(
              `batch ${m.seq} came after ${this.ledger.lastSeq}: sent on without merging across batches`,
            );
          // Taken in the turn: a reload swaps versions between two batches.
          const runtime = this.current;
          runtime.acquire();
          try {
            const held = late ? null : this.ledger.working();
            await this.process(runtime, batch.tenantId, batch.batchId, batch.records, m.seq, held);
          } finally {
            runtime.release();
          }
        });
      else {
        const runtime = this.current;
        runtime.acquire();
        try {
          await this.process(runtime, batch.tenantId, batch.batchId, batch.records, m.seq, null);
        } finally {
          runtime.release();
        }
      }
    } catch (error) {
      if (
        error instanceof DeliveryInterruptedError ||
        error instanceof PipelineStateConflictError
      ) {
        m.nak();
        return;
      }
      throw error;
    }
  }

  private inTurn(task: () => Promise<void>): Promise<void> {
    const next = this.turn.then(task);
    this.turn = next.catch(() => undefined);
    return next;
  }

  /** Sends on the held events whose timeout passed, between batches; stored once delivered. */
  private flushDue(): void {
    const due = this.ledger.nextDeadline();
    if (this.flushing || due === null || due > Date.now()) return;
    this.flushing = true;
    void this.inTurn(async () => {
      const runtime = this.current;
      if (!runtime.compiled.holds) return;
      runtime.acquire();
      try {
        const held = this.ledger.working();
        const at = Date.now();
        await this.process(runtime, runtime.view.tenantId, `held-${at}`, [], null, held, { at });
      } finally {
        runtime.release();
      }
    })
      .catch((error: unknown) => {
        if (!(error instanceof DeliveryInterruptedError))
          this.log.warn(`sending held events failed, will retry: ${String(error)}`);
      })
      .finally(() => {
        this.flushing = false;
      });
  }

  /**
   * Runs records (none for a flush) through the pipeline, delivers each sink's share, then stores
   * its counts and, when `held` is given, what is held after it, in one write. `seq` null is a
   * flush (never redelivered): its counts go with the removal of what it sent on.
   */
  private async process(
    runtime: PipelineRuntime,
    tenantId: string,
    batchId: string,
    records: LogBatch['records'],
    seq: number | null,
    held: HeldEvents | null,
    options: { at?: number; release?: ReadonlySet<string> } = {},
  ): Promise<void> {
    const batch = { batchId, records };
    const pipeline = runtime.view.pipeline.name;
    // Counted apart and added to the totals once the batch is done, unless it was counted before.
    const counts = new LogMetricCounts();
    const nowMs = options.at ?? Date.now();
    const outputs = runPipeline(runtime.compiled, records, nowMs, counts, held, options.release);
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
    await this.ledger.commit(seq, counts.size > 0 ? counts.snapshot() : [], held);
    if (records.length > 0) this.deps.metrics.batch(tenantId, pipeline, records);
  }
}
