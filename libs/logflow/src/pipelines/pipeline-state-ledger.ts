import { type KvBucket, KvRevisionConflictError, KvKeyExistsError } from '@strata/bus';
import { logCounterKey, LogCounterState, logHeldKey, LogHeldState } from '@strata/contracts';
import { HeldEvents, LogMetricCounts, type LogMetricSample } from '@strata/logpipeline';

/** Counted sequences kept above the floor before the consumer's ack floor is read to trim them. */
const TRIM_AFTER = 64;

/** Where a ledger reads the consumer's ack floor: every sequence at or below it is settled. */
export type AckFloorReader = () => Promise<number>;

/**
 * Another writer changed the pipeline's state since this process read it; the ledger has read it
 * again, and the batch or flush must run again from there (its deliveries were at least once).
 */
export class PipelineStateConflictError extends Error {
  constructor(key: string) {
    super(`the state at ${key} was changed by another writer`);
    this.name = 'PipelineStateConflictError';
  }
}

const EMPTY: LogCounterState = { series: [], floor: 0, applied: [] };

/**
 * One pipeline's durable state in KV: its `log_to_metric` totals with the stream sequences of the
 * batches already counted, and the unfinished events its merging transforms hold with the
 * sequence of the last batch they include. Everything a batch or a timeout flush changes is
 * written in one compare-and-set before the batch is acknowledged, so a crash leaves either the
 * state before it (the batch is redelivered, the flush runs again, neither was counted) or the
 * state after it (a redelivered batch is recognised; a flushed event is no longer held). A held
 * event is therefore counted exactly when it stops being held.
 */
export class PipelineStateLedger {
  /** The totals exported as series; always what KV holds after this ledger's last read or write. */
  readonly counts: LogMetricCounts;
  private state: LogCounterState = EMPTY;
  private applied = new Set<number>();
  private revision = 0;
  private held = new HeldEvents();
  private heldSeq = 0;
  /** True while an older build's separate key of held events may still exist. */
  private legacyHeld = false;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly key: string;
  private readonly legacyKey: string;

  constructor(
    private readonly kv: KvBucket,
    tenantId: string,
    pipeline: string,
    private readonly ackFloor: AckFloorReader,
    counts: LogMetricCounts = new LogMetricCounts(),
  ) {
    this.key = logCounterKey(tenantId, pipeline);
    this.legacyKey = logHeldKey(tenantId, pipeline);
    this.counts = counts;
  }

  /** Reads the stored state (none for a new pipeline), and what an older build held apart. */
  async load(): Promise<void> {
    const entry = await this.kv.get(this.key);
    if (entry === null) this.take(EMPTY, 0);
    else this.take(LogCounterState.parse(entry.json<unknown>()), entry.revision);
    if (this.state.held !== undefined) return;
    const legacy = await this.kv.get(this.legacyKey);
    if (legacy === null) return;
    const stored = LogHeldState.parse(legacy.json<unknown>());
    this.held = HeldEvents.from(stored.held);
    this.heldSeq = stored.seq;
    this.legacyHeld = true;
  }

  /** True when the batch at `seq` has been counted already. */
  counted(seq: number): boolean {
    return seq <= this.state.floor || this.applied.has(seq);
  }

  /**
   * True when `seq` is the last batch whose held events are stored (ordered pipelines): taken one
   * at a time, only that one can be stored and still unacknowledged (a crash in between).
   */
  done(seq: number): boolean {
    return seq === this.heldSeq;
  }

  /**
   * True when `seq` is below the last stored batch: it comes after later ones, so it was never
   * run in order (one the server sent as a consumer stopped, back after its ack wait behind
   * batches handed back at once), or its acknowledgement was lost. Skipping it could lose it.
   */
  behind(seq: number): boolean {
    return seq < this.heldSeq;
  }

  /** The sequence of the last batch whose held events are stored. */
  get lastSeq(): number {
    return this.heldSeq;
  }

  /** A working copy of the held events to run the next batch or flush with. */
  working(): HeldEvents {
    return this.held.clone();
  }

  /** The earliest deadline of what is held, or null. */
  nextDeadline(): number | null {
    return this.held.nextDeadline();
  }

  /** The transforms holding events now. */
  holders(): Set<string> {
    return new Set(Object.keys(this.held.toState()));
  }

  /**
   * Stores what a batch (`seq`) or a flush (`seq` null, never redelivered) did: its counts, added
   * unless the batch was counted already, and, for a pipeline that holds events, `held` as what is
   * held after it. Resolves once KV holds both. When held events are involved and another writer
   * got there first, throws {@link PipelineStateConflictError} after reading the state again;
   * counts alone are simply decided again on the new totals.
   */
  commit(
    seq: number | null,
    batch: readonly LogMetricSample[],
    held: HeldEvents | null,
  ): Promise<void> {
    const next = this.queue.then(() => this.write(seq, batch, held));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Removes the stored state (the pipeline was deleted; a new one of that name starts at 0). */
  async forget(): Promise<void> {
    await this.queue;
    await this.kv.delete(this.key);
    await this.kv.delete(this.legacyKey);
  }

  private async write(
    seq: number | null,
    batch: readonly LogMetricSample[],
    held: HeldEvents | null,
  ): Promise<void> {
    for (;;) {
      const counting = batch.length > 0 && !(seq !== null && this.counted(seq));
      const holding = held !== null && (held.size > 0 || this.held.size > 0);
      if (!counting && !holding) {
        // Nothing was or is held: a redelivery runs the batch again from the same state.
        if (held !== null) this.held = held;
        return;
      }
      const totals = new LogMetricCounts();
      totals.reset(this.state.series);
      if (counting) totals.addAll(batch);
      let floor = this.state.floor;
      let applied = counting && seq !== null ? [...this.state.applied, seq] : this.state.applied;
      if (applied.length > TRIM_AFTER) {
        floor = Math.max(floor, await this.ackFloor());
        applied = applied.filter((s) => s > floor);
      }
      const heldSeq = seq ?? this.heldSeq;
      const state: LogCounterState = {
        series: totals.snapshot(),
        floor,
        applied,
        ...(held !== null
          ? { held: { seq: heldSeq, held: held.toState() } }
          : this.state.held && { held: this.state.held }),
      };
      try {
        const revision =
          this.revision === 0
            ? await this.kv.create(this.key, state)
            : await this.kv.update(this.key, state, this.revision);
        this.take(state, revision);
        if (held !== null) {
          this.held = held;
          this.heldSeq = heldSeq;
        }
        await this.dropLegacy();
        return;
      } catch (error) {
        if (!(error instanceof KvRevisionConflictError || error instanceof KvKeyExistsError))
          throw error;
        await this.load();
        // Held events computed from a stale state cannot be merged; the caller runs again.
        if (held !== null) throw new PipelineStateConflictError(this.key);
      }
    }
  }

  private async dropLegacy(): Promise<void> {
    if (!this.legacyHeld || this.state.held === undefined) return;
    await this.kv.delete(this.legacyKey);
    this.legacyHeld = false;
  }

  private take(state: LogCounterState, revision: number): void {
    this.state = state;
    this.applied = new Set(state.applied);
    this.revision = revision;
    this.counts.reset(state.series);
    if (state.held !== undefined) {
      this.held = HeldEvents.from(state.held.held);
      this.heldSeq = state.held.seq;
    }
  }
}
