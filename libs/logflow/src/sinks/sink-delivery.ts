import { type LogRecord, type SinkDelivery } from '@strata/contracts';
import { asSendError, type LogSink } from './log-sink';

const DEFAULT_ATTEMPTS = 5;
const DEFAULT_BACKOFF_MS = 500;
const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_BACKOFF_MS = 30_000;

/** Records a sink gave up on, with the last reason and how many attempts were made. */
export interface DeadLetters {
  records: LogRecord[];
  error: string;
  attempts: number;
}

/** What delivering one batch to one sink ended with. */
export interface DeliveryOutcome {
  delivered: number;
  attempts: number;
  dead: DeadLetters[];
}

/** Thrown when the process stops while a send is waiting to be retried: the batch is redelivered, never dead-lettered. */
export class DeliveryInterruptedError extends Error {
  constructor() {
    super('delivery interrupted by shutdown');
    this.name = 'DeliveryInterruptedError';
  }
}

function sleep(ms: number, stopping: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (stopping.aborted) return reject(new DeliveryInterruptedError());
    const onAbort = () => {
      clearTimeout(timer);
      reject(new DeliveryInterruptedError());
    };
    const timer = setTimeout(() => {
      stopping.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    stopping.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Sends records to a sink until all are delivered or given up: retryable failures are tried again
 * with exponential backoff up to `max_attempts`, only the records still pending (a `_bulk`'s
 * failed items); refusals that retrying cannot fix are dead letters at once.
 */
export async function deliverToSink(
  sink: LogSink,
  records: readonly LogRecord[],
  delivery: SinkDelivery | undefined,
  ctx: { tenantId: string; batchId: string; stopping: AbortSignal },
): Promise<DeliveryOutcome> {
  const maxAttempts = delivery?.max_attempts ?? DEFAULT_ATTEMPTS;
  const backoff = delivery?.backoff_ms ?? DEFAULT_BACKOFF_MS;
  const timeoutMs = delivery?.timeout_ms ?? DEFAULT_TIMEOUT_MS;
  let pending: readonly LogRecord[] = records;
  let delivered = 0;
  let attempts = 0;
  let lastError = '';
  const dead: DeadLetters[] = [];
  while (pending.length > 0) {
    if (ctx.stopping.aborted) throw new DeliveryInterruptedError();
    attempts++;
    try {
      const signal = AbortSignal.any([ctx.stopping, AbortSignal.timeout(timeoutMs)]);
      const result = await sink.send(pending, {
        tenantId: ctx.tenantId,
        batchId: ctx.batchId,
        signal,
      });
      if (result.rejected.length > 0)
        dead.push({ records: result.rejected, error: result.error ?? 'refused', attempts });
      delivered += pending.length - result.retry.length - result.rejected.length;
      pending = result.retry;
      lastError = result.error ?? '';
    } catch (error) {
      if (ctx.stopping.aborted) throw new DeliveryInterruptedError();
      const e = asSendError(error);
      lastError = e.message;
      if (!e.retryable) {
        dead.push({ records: [...pending], error: e.message, attempts });
        pending = [];
        break;
      }
    }
    if (pending.length === 0) break;
    if (attempts >= maxAttempts) {
      dead.push({ records: [...pending], error: lastError, attempts });
      break;
    }
    await sleep(Math.min(MAX_BACKOFF_MS, backoff * 2 ** (attempts - 1)), ctx.stopping);
  }
  return { delivered, attempts, dead };
}
