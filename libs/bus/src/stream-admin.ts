import { JetStreamApiError, type JetStreamManager } from '@nats-io/jetstream';
import { retryTransient } from './transient-retry';

const CONSUMER_NOT_FOUND = 10014;

/** Stream sequence of the newest message on `subject` in `stream`, 0 when there is none. */
export async function lastSequence(
  jsm: JetStreamManager,
  stream: string,
  subject: string,
): Promise<number> {
  // A failed lookup is retried, never read as "empty": callers use it to know when they caught up.
  const message = await retryTransient(() =>
    jsm.streams.getMessage(stream, { last_by_subj: subject }),
  );
  return message?.seq ?? 0;
}

/** Deletes the consumers of `stream` whose names `matches` accepts; one already gone is not an error. */
export async function removeConsumers(
  jsm: JetStreamManager,
  stream: string,
  matches: (name: string) => boolean,
): Promise<void> {
  for await (const consumer of await jsm.consumers.list(stream)) {
    if (!matches(consumer.name)) continue;
    await jsm.consumers.delete(stream, consumer.name).catch((error: unknown) => {
      if (!(error instanceof JetStreamApiError && error.code === CONSUMER_NOT_FOUND)) throw error;
    });
  }
}

/** Messages a durable consumer has not settled yet: waiting to be delivered plus delivered and unacked. */
export async function consumerBacklog(
  jsm: JetStreamManager,
  stream: string,
  durable: string,
): Promise<number> {
  const info = await jsm.consumers.info(stream, durable);
  return info.num_pending + info.num_ack_pending;
}

/** The stream sequence at or below which a durable consumer has every message acknowledged. */
export async function consumerAckFloor(
  jsm: JetStreamManager,
  stream: string,
  durable: string,
): Promise<number> {
  const info = await jsm.consumers.info(stream, durable);
  return info.ack_floor.stream_seq;
}
