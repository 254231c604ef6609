import { type KvBucket, KvRevisionConflictError, KvKeyExistsError } from '@strata/bus';
import { logCounterKey, LogCounterState } from '@strata/contracts';
import { LogMetricCounts, type LogMetricSample } from '@strata/logpipeline';

/** Counted sequences kept above the floor before the consumer's ack floor is read to trim them. */
const TRIM_AFTER = 64;

/** Where a ledger reads the consumer's ack floor: every sequence at or below it is settled. */
export type AckFloorReader = () => Promise<number>;

/**
 * One pipeline's `log_to_metric` totals, kept in KV with the stream sequences of the batches
 * already counted, so totals continue after a restart and a redelivered batch counts once. A
 * batch's counts are written (compare-and-set) before the batch is acknowledged: a crash before
 * the write redelivers a batch that was never counted; a crash after it redelivers one the ledger
 * recognises. Sequences at or below the consumer's ack floor are never redelivered, so the list of
 * counted sequences is trimmed to those above it.
 */
export class LogCounterLedger {
  /** The totals exported as series; always what KV holds after this ledger's last read or write. */
  readonly counts: LogMetricCounts;
  private state: LogCounterState = { series: [], floor: 0, applied: [] };
  private applied = new Set<number>();
  private revision = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly key: string;

  constructor(
    private readonly kv: KvBucket,
    tenantId: string,
    pipeline: string,
    private readonly ackFloor: AckFloorReader,
    counts: LogMetricCounts = new LogMetricCounts(),
  ) {
    this.key = logCounterKey(tenantId, pipeline);
    this.counts = counts;
  }

  /** Reads the stored totals (none for a new pipeline). */
  async load(): Promise<void> {
    const entry = await this.kv.get(this.key);
    if (entry === null) {
      this.take({ series: [], floor: 0, applied: [] }, 0);
      return;
    }
    this.take(LogCounterState.parse(entry.json<unknown>()), entry.revision);
  }

  /** True when the batch at `seq` has been counted already. */
  counted(seq: number): boolean {
    return seq <= this.state.floor || this.applied.has(seq);
  }

  /**
   * Adds one batch's counts unless the batch at `seq` was counted already (by this process before
   * a redelivery, or by another before a crash); resolves once KV holds them. `seq` null (held
   * events sent on at their timeout, never redelivered) always adds.
   */
  commit(seq: number | null, batch: readonly LogMetricSample[]): Promise<void> {
    const next = this.queue.then(() => this.write(seq, batch));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Removes the stored totals (the pipeline was deleted; a new one of that name starts at 0). */
  async forget(): Promise<void> {
    await this.queue;
    await this.kv.delete(this.key);
  }

  private async write(seq: number | null, batch: readonly LogMetricSample[]): Promise<void> {
    for (;;) {
      if (seq !== null && this.counted(seq)) return;
      const totals = new LogMetricCounts();
      totals.reset(this.state.series);
      totals.addAll(batch);
      let floor = this.state.floor;
      let applied = seq === null ? [...this.state.applied] : [...this.state.applied, seq];
      if (applied.length > TRIM_AFTER) {
        floor = Math.max(floor, await this.ackFloor());
        applied = applied.filter((s) => s > floor);
      }
      const state: LogCounterState = { series: totals.snapshot(), floor, applied };
      try {
        const revision =
          this.revision === 0
            ? await this.kv.create(this.key, state)
            : await this.kv.update(this.key, state, this.revision);
        this.take(state, revision);
        return;
      } catch (error) {
        // Another replica counted meanwhile: read its totals and decide again.
        if (!(error instanceof KvRevisionConflictError || error instanceof KvKeyExistsError))
          throw error;
        await this.load();
      }
    }
  }

  private take(state: LogCounterState, revision: number): void {
    this.state = state;
    this.applied = new Set(state.applied);
    this.revision = revision;
    this.counts.reset(state.series);
  }
}
