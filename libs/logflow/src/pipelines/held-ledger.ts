import { type KvBucket } from '@strata/bus';
import { logHeldKey, LogHeldState } from '@strata/contracts';
import { HeldEvents } from '@strata/logpipeline';

/**
 * The unfinished events one pipeline's merging transforms hold between batches, kept in KV with
 * the stream sequence of the last batch they include. A batch whose lines are held is acknowledged
 * only after this write, so a crash loses nothing: the held lines come back from KV, and a
 * redelivered batch at or below the stored sequence (batches come in order) is only acknowledged.
 */
export class HeldLedger {
  private current = new HeldEvents();
  private seq = 0;
  private readonly key: string;

  constructor(
    private readonly kv: KvBucket,
    tenantId: string,
    pipeline: string,
  ) {
    this.key = logHeldKey(tenantId, pipeline);
  }

  /** Reads what a previous process held. */
  async load(): Promise<void> {
    const entry = await this.kv.get(this.key);
    if (entry === null) return;
    const state = LogHeldState.parse(entry.json<unknown>());
    this.current = HeldEvents.from(state.held);
    this.seq = state.seq;
  }

  /** True when the batch at `seq` was processed and its held lines stored already. */
  done(seq: number): boolean {
    return seq <= this.seq;
  }

  /** The sequence of the last batch whose held lines are stored. */
  get lastSeq(): number {
    return this.seq;
  }

  /** A working copy to run the next batch or flush with; committed only once it is delivered. */
  working(): HeldEvents {
    return this.current.clone();
  }

  /** The earliest deadline of what is held, or null. */
  nextDeadline(): number | null {
    return this.current.nextDeadline();
  }

  /**
   * Stores `held` as what is held after the batch at `seq` (a timeout flush passes the last
   * sequence again). Nothing is written when nothing was or is held: a redelivery then runs the
   * batch again from the same state.
   */
  async commit(seq: number, held: HeldEvents): Promise<void> {
    if (held.size > 0 || this.current.size > 0) {
      const state: LogHeldState = { seq, held: held.toState() };
      await this.kv.put(this.key, state);
      this.seq = seq;
    }
    this.current = held;
  }

  /** Removes what a deleted pipeline held. */
  async forget(): Promise<void> {
    await this.kv.delete(this.key);
  }
}
