import { DeliverPolicy, type ConsumerMessages, type JetStreamClient } from '@nats-io/jetstream';
import { type FollowOptions, type FollowedMessage, type Stoppable } from './bus';
import { decodeJson } from './codec';
import { describe } from './errors';
import { type BusLogger } from './logger';

const DEFAULT_RETRY_MS = 5_000;

/**
 * Follows a stream from now on with an ordered, ephemeral consumer: nothing lingers on the server
 * when the follower dies. When the stream is missing or the feed breaks, it retries and reports
 * the gap, so the follower can drop what it derived from messages it may have missed.
 */
export function followStream(
  js: JetStreamClient,
  log: BusLogger,
  stream: string,
  onMessage: (message: FollowedMessage) => void,
  options: FollowOptions,
): Stoppable {
  let messages: ConsumerMessages | null = null;
  let stopped = false;
  let wake: (() => void) | null = null;
  const retryMs = options.retryMs ?? DEFAULT_RETRY_MS;

  const run = async (): Promise<void> => {
    while (!stopped) {
      try {
        const start = options.from?.();
        const consumer = await js.consumers.get(
          stream,
          start === undefined
            ? { deliver_policy: DeliverPolicy.New }
            : start <= 1
              ? { deliver_policy: DeliverPolicy.All }
              : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: start },
        );
        messages = await consumer.consume();
        options.onGap();
        for await (const m of messages) {
          try {
            onMessage({
              subject: m.subject,
              seq: m.seq,
              data: m.data,
              json: <T>() => decodeJson<T>(m.data),
            });
          } catch (error) {
            log.warn(`ignored an unreadable message ${stream}#${m.seq}: ${describe(error)}`);
          }
        }
      } catch (error) {
        if (!stopped) log.debug(`${stream} unavailable to follow, retrying: ${describe(error)}`);
      }
      if (stopped) return;
      options.onGap();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, retryMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = null;
    }
  };
  const loop = run();
  return {
    stop: async () => {
      stopped = true;
      wake?.();
      await messages?.close().catch(() => undefined);
      await loop;
    },
  };
}
