import { type LogRecord } from '@strata/contracts';

/** Wait for the next line of an unfinished event when a transform sets no `timeout_ms`. */
export const DEFAULT_HOLD_TIMEOUT_MS = 1_000;

/** An unfinished event a transform holds between batches: merged so far, its state, its deadline. */
export interface HeldEvent {
  record: LogRecord;
  /** The merging state it is in (a multiline state; empty for a partial line). */
  state: string;
  /** Lines or parts merged so far. */
  lines: number;
  /** When it goes on as it is unless its next line came (processing time, epoch ms). */
  deadlineMs: number;
}

/** The held events as stored: transform id → group key → event. */
export type HeldEventsState = Record<string, Record<string, HeldEvent>>;

/**
 * The unfinished events of a pipeline's merging transforms (multiline, partial lines), kept
 * between batches per transform and group so an event may span batches; logflow stores them with
 * the last batch they include before that batch is acknowledged.
 */
export class HeldEvents {
  private readonly byTransform = new Map<string, Map<string, HeldEvent>>();

  /** Held events from their stored form. */
  static from(state: HeldEventsState): HeldEvents {
    const held = new HeldEvents();
    for (const [id, groups] of Object.entries(state))
      held.byTransform.set(id, new Map(Object.entries(groups)));
    return held;
  }

  /** The held events of one transform, by group (created empty). */
  of(transformId: string): Map<string, HeldEvent> {
    let groups = this.byTransform.get(transformId);
    if (!groups) this.byTransform.set(transformId, (groups = new Map()));
    return groups;
  }

  /** Drops what transforms other than `ids` held (a new version without them). */
  retain(ids: ReadonlySet<string>): void {
    for (const id of [...this.byTransform.keys()]) if (!ids.has(id)) this.byTransform.delete(id);
  }

  /** The earliest deadline, or null when nothing is held. */
  nextDeadline(): number | null {
    let next: number | null = null;
    for (const groups of this.byTransform.values())
      for (const e of groups.values())
        if (next === null || e.deadlineMs < next) next = e.deadlineMs;
    return next;
  }

  /** How many events are held. */
  get size(): number {
    let n = 0;
    for (const groups of this.byTransform.values()) n += groups.size;
    return n;
  }

  /** The stored form (also a deep copy). */
  toState(): HeldEventsState {
    const state: HeldEventsState = {};
    for (const [id, groups] of this.byTransform)
      if (groups.size > 0) state[id] = structuredClone(Object.fromEntries(groups));
    return state;
  }

  /** An independent copy, so a batch that fails leaves the held events as they were. */
  clone(): HeldEvents {
    return HeldEvents.from(this.toState());
  }
}

/**
 * Ends a batch for a merging transform: the events still open that may continue are held (taken
 * out of `out`) until `nowMs + timeoutMs`, and held events whose deadline passed are released
 * into `out`. With `timeoutMs` 0 nothing waits.
 */
export function holdOpenEvents(
  out: Array<LogRecord | null>,
  open: Map<string, { index: number; state: string; lines: number; canContinue: boolean }>,
  held: Map<string, HeldEvent>,
  nowMs: number,
  timeoutMs: number,
): LogRecord[] {
  if (timeoutMs > 0)
    for (const [key, o] of open) {
      const record = out[o.index];
      if (!o.canContinue || record === null) continue;
      held.set(key, { record, state: o.state, lines: o.lines, deadlineMs: nowMs + timeoutMs });
      out[o.index] = null;
    }
  for (const [key, e] of held)
    if (e.deadlineMs <= nowMs || timeoutMs === 0) {
      out.push(e.record);
      held.delete(key);
    }
  return out.filter((r): r is LogRecord => r !== null);
}
