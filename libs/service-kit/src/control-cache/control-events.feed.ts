import { type Bus, type Stoppable } from '@strata/bus';
import { type RelayedEvent, Streams } from '@strata/contracts';

/**
 * Follows control-plane events from now on: every instance (router, gateway) needs all events, and nothing
 * should linger on the server when an instance dies. Whenever following (re)starts, `onGap` says
 * events may have been missed, so the caller can drop what it cached meanwhile.
 */
export class ControlEventsFeed {
  private following: Stoppable | null = null;

  constructor(
    private readonly bus: Bus,
    private readonly onEvent: (event: RelayedEvent) => void,
    private readonly onGap: () => void,
  ) {}

  /** Starts following in the background. */
  start(): void {
    this.following ??= this.bus.follow(
      Streams.controlEvents.name,
      (m) => this.onEvent(m.json<RelayedEvent>()),
      { onGap: this.onGap },
    );
  }

  /** Stops following. */
  async stop(): Promise<void> {
    await this.following?.stop();
    this.following = null;
  }
}
