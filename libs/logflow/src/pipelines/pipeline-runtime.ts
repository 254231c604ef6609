import { type PipelineView, type SinkBatch } from '@strata/contracts';
import {
  type CompiledPipeline,
  compilePipeline,
  type LogAlertCounts,
  type LogMetricCounts,
} from '@strata/logpipeline';
import { type SecretKeyring } from '@strata/service-kit';
import { type LogSink } from '../sinks/log-sink';
import { openPipelineSecrets } from './open-secrets';
import { type GroupDelivery, SinkBatcher } from '../sinks/sink-batcher';
import { createSink, type SinkEnvironment } from '../sinks/sink-factory';

/**
 * One version of a pipeline, compiled with its sinks. Batches hold the version they started
 * with; a new version takes the next batches, and the old one closes its sinks once idle.
 */
export class PipelineRuntime {
  readonly compiled: CompiledPipeline;
  readonly sinks: Map<string, LogSink>;
  private readonly batchers = new Map<string, SinkBatcher>();
  private inFlight = 0;
  private retired = false;
  private closed: Promise<void> | null = null;
  private idle: (() => void) | null = null;

  constructor(
    readonly view: PipelineView,
    env: SinkEnvironment,
    kept: { metrics?: LogMetricCounts; alerts?: LogAlertCounts } = {},
    secrets: SecretKeyring | null = null,
  ) {
    this.compiled = compilePipeline(
      openPipelineSecrets(view.pipeline, secrets, view.tenantId),
      kept,
    );
    this.sinks = new Map(this.compiled.sinks.map((s) => [s.id, createSink(s.spec, env)]));
  }

  /** The batcher of a sink with `batch` limits, made on first use with `deliver`. */
  batcher(sinkId: string, limits: SinkBatch, deliver: GroupDelivery): SinkBatcher {
    let batcher = this.batchers.get(sinkId);
    if (!batcher) this.batchers.set(sinkId, (batcher = new SinkBatcher(deliver, limits)));
    return batcher;
  }

  /** Sends what every batcher gathered now. */
  flushBatchers(): void {
    for (const b of this.batchers.values()) b.flush();
  }

  /** Marks a batch as using this version until `release`. */
  acquire(): void {
    this.inFlight++;
  }

  /** The batch is done with this version. */
  release(): void {
    this.inFlight--;
    if (this.inFlight === 0 && this.idle) this.idle();
  }

  /** Closes the sinks once no batch uses this version any more. */
  retire(): Promise<void> {
    if (this.closed) return this.closed;
    this.retired = true;
    // Gathered records go now rather than at their timeout, so the old version closes soon.
    this.flushBatchers();
    this.closed = (async () => {
      if (this.inFlight > 0) await new Promise<void>((resolve) => (this.idle = resolve));
      await Promise.all([...this.sinks.values()].map((s) => s.close?.()));
    })();
    return this.closed;
  }

  /** True once replaced or stopped. */
  get isRetired(): boolean {
    return this.retired;
  }
}
