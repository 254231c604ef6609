import { Logger } from '@nestjs/common';
import { DeliverPolicy, jetstream, type ConsumerMessages } from '@nats-io/jetstream';
import { type NatsConnection } from '@nats-io/nats-core';
import { type RelayedEvent, Streams } from '@strata/contracts';

const RETRY_MS = 5_000;

/**
 * Follows control-plane events from now on with an ordered, ephemeral consumer: every router
 * instance needs all events, and nothing should linger on the server when an instance dies.
 * When the stream is missing or the feed breaks, it retries and reports the gap with `onGap`,
 * so the caller can drop what it cached meanwhile.
 */
export class ControlEventsFeed {
  private readonly log = new Logger('ControlEventsFeed');
  private messages: ConsumerMessages | null = null;
  private stopped = false;
  private loop: Promise<void> = Promise.resolve();
  private wake: (() => void) | null = null;

  constructor(
    private readonly connection: NatsConnection,
    private readonly onEvent: (event: RelayedEvent) => void,
    private readonly onGap: () => void,
  ) {}

  /** Starts following in the background. */
  start(): void {
    this.loop = this.run();
  }

  /** Stops following. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.messages?.close().catch(() => undefined);
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        const consumer = await jetstream(this.connection).consumers.get(
          Streams.controlEvents.name,
          { deliver_policy: DeliverPolicy.New },
        );
        this.messages = await consumer.consume();
        this.onGap();
        for await (const m of this.messages) {
          try {
            this.onEvent(m.json<RelayedEvent>());
          } catch (error) {
            this.log.warn(`ignored an unreadable control event #${m.seq}: ${String(error)}`);
          }
        }
      } catch (error) {
        if (!this.stopped) this.log.debug(`control events unavailable, retrying: ${String(error)}`);
      }
      if (this.stopped) return;
      this.onGap();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, RETRY_MS);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
  }
}
