import { type LogRecord, type SinkBatch } from '@strata/contracts';
import { type DeadLetters, type DeliveryOutcome } from './sink-delivery';

/** Vector's defaults where a sink's `batch` leaves a limit out. */
const DEFAULT_MAX_EVENTS = 10_000;
const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;
const DEFAULT_TIMEOUT_SECS = 1;

interface Waiter {
  records: readonly LogRecord[];
  batchId: string;
  resolve: (outcome: DeliveryOutcome) => void;
  reject: (error: unknown) => void;
}

/** Sends a group of records as one delivery (with its retries and dead letters). */
export type GroupDelivery = (
  records: readonly LogRecord[],
  batchId: string,
) => Promise<DeliveryOutcome>;

/**
 * Gathers the records of several stored batches into one sink request, as Vector's `batch`
 * (`max_events`, `max_bytes` of JSON, `timeout_secs` after the first record) does. Each stored
 * batch waits for the delivery of the group its records went out in and gets its own share of
 * the outcome, so a batch is still acknowledged only once its records were delivered or
 * dead-lettered (at least once).
 */
export class SinkBatcher {
  private waiting: Waiter[] = [];
  private events = 0;
  private bytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly maxEvents: number;
  private readonly maxBytes: number;
  private readonly timeoutMs: number;

  constructor(
    private readonly deliver: GroupDelivery,
    limits: SinkBatch,
  ) {
    this.maxEvents = limits.max_events ?? DEFAULT_MAX_EVENTS;
    this.maxBytes = limits.max_bytes ?? DEFAULT_MAX_BYTES;
    this.timeoutMs = (limits.timeout_secs ?? DEFAULT_TIMEOUT_SECS) * 1000;
  }

  /** Adds one stored batch's records; resolves with their share once their group is delivered. */
  submit(records: readonly LogRecord[], batchId: string): Promise<DeliveryOutcome> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ records, batchId, resolve, reject });
      this.events += records.length;
      for (const r of records) this.bytes += JSON.stringify(r).length;
      if (this.events >= this.maxEvents || this.bytes >= this.maxBytes) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.timeoutMs);
    });
  }

  /** Sends what is gathered now (at a limit, the timeout, or when the pipeline version retires). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const group = this.waiting;
    this.waiting = [];
    this.events = 0;
    this.bytes = 0;
    if (group.length === 0) return;
    const records = group.length === 1 ? group[0].records : group.flatMap((w) => w.records);
    // A name that depends only on the stored batches in it (S3 keys, dead-letter ids).
    const id = group.length === 1 ? group[0].batchId : `${group[0].batchId}+${group.length - 1}`;
    this.deliver(records, id).then(
      (outcome) => {
        const shares = share(group, outcome);
        group.forEach((w, i) => w.resolve(shares[i]));
      },
      (error: unknown) => group.forEach((w) => w.reject(error)),
    );
  }
}

/** Each stored batch's part of a group's outcome: its own dead letters, the rest delivered. */
function share(group: readonly Waiter[], outcome: DeliveryOutcome): DeliveryOutcome[] {
  const owner = new Map<LogRecord, number>();
  group.forEach((w, i) => w.records.forEach((r) => owner.set(r, i)));
  const dead: DeadLetters[][] = group.map(() => []);
  for (const d of outcome.dead) {
    const parts = new Map<number, LogRecord[]>();
    for (const r of d.records) {
      const i = owner.get(r) ?? 0;
      parts.set(i, [...(parts.get(i) ?? []), r]);
    }
    for (const [i, records] of parts) dead[i].push({ ...d, records });
  }
  return group.map((w, i) => ({
    attempts: outcome.attempts,
    dead: dead[i],
    delivered: w.records.length - dead[i].reduce((n, d) => n + d.records.length, 0),
  }));
}
