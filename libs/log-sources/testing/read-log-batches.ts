import { randomUUID } from 'node:crypto';
import { type Bus } from '@strata/bus';
import { LogBatch, LogsStreams, LogsSubjects } from '@strata/contracts';

/** What `readLogBatches` waits for. */
export interface ReadLogBatchesOptions {
  /** Only this tenant's subject; every tenant's when absent. */
  tenantId?: string;
  /** Stop once the batches read hold at least this many records. */
  records: number;
  /**
   * Also stop once the newest batch stored when the read began has been read, so a count of what
   * is stored does not depend on how fast the read runs. Needs `tenantId`.
   */
  untilLastStored?: boolean;
  /** Give up waiting after this long and return what was read (default 20 s). */
  timeoutMs?: number;
  /** After reaching `records`, keep reading this long to catch extra (duplicate) batches (default 300 ms). */
  settleMs?: number;
}

/**
 * Reads `STRATA_LOGS` from the start with a throwaway durable consumer and returns the batches
 * (each validated against the `LogBatch` contract) in stream order.
 */
export async function readLogBatches(
  bus: Bus,
  options: ReadLogBatchesOptions,
): Promise<LogBatch[]> {
  const batches: LogBatch[] = [];
  let count = 0;
  let reached!: () => void;
  const done = new Promise<void>((resolve) => (reached = resolve));
  const durableName = `spec-read-${randomUUID().slice(0, 8)}`;
  const subject = options.tenantId
    ? LogsSubjects.batches(options.tenantId)
    : LogsSubjects.batchesAll;
  if (options.untilLastStored && !options.tenantId)
    throw new Error('untilLastStored reads one tenant: give tenantId');
  const last = options.untilLastStored
    ? await bus.lastSequence(LogsStreams.batches.name, subject)
    : Number.POSITIVE_INFINITY;
  if (last === 0) return batches;
  const consumer = await bus.consume(
    {
      stream: LogsStreams.batches.name,
      durableName,
      filterSubjects: [subject],
      deliverPolicy: 'all',
      maxDeliver: 1,
    },
    (message) => {
      const batch = LogBatch.parse(message.json<unknown>());
      batches.push(batch);
      count += batch.records.length;
      if (count >= options.records || message.seq >= last) reached();
      return Promise.resolve();
    },
    { ordered: true },
  );
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((r) => (timer = setTimeout(r, options.timeoutMs ?? 20_000)));
  await Promise.race([done, timeout]);
  clearTimeout(timer);
  await new Promise((r) => setTimeout(r, options.settleMs ?? 300));
  await consumer.stop();
  await bus.removeConsumers(LogsStreams.batches.name, (name) => name === durableName);
  return batches;
}
