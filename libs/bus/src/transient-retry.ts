import { errors } from '@nats-io/nats-core';
import { JetStreamApiError } from '@nats-io/jetstream';

/**
 * JetStream API failures that pass: a cluster electing its meta leader answers nothing or 503, and
 * nats-server 2.9 may not answer one of two identical creates that race (several processes
 * declaring the same stream or bucket at start). Such steps are idempotent, so they are tried again.
 */
export function isTransientJetStreamError(error: unknown): boolean {
  if (error instanceof errors.TimeoutError || error instanceof errors.NoRespondersError)
    return true;
  if (error instanceof errors.RequestError) return isTransientJetStreamError(error.cause);
  return error instanceof JetStreamApiError && error.status === 503;
}

/** Runs an idempotent JetStream API step (provisioning, a read), again after transient failures, until `deadlineMs` has passed. */
export async function retryTransient<T>(step: () => Promise<T>, deadlineMs = 30_000): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (let delay = 250; ; delay = Math.min(2_000, delay * 2)) {
    try {
      return await step();
    } catch (error) {
      if (!isTransientJetStreamError(error) || Date.now() + delay > deadline) throw error;
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
