import { Client } from 'pg';
import { EVENTS_CHANNEL } from './append-events';

/**
 * One LISTEN connection that wakes the outbox relay and the projections when events commit.
 * Notifications are only a hint: readers also poll, so a lost connection delays but loses nothing.
 */
export class EventNotifier {
  private client: Client | null = null;
  private readonly listeners = new Set<(position: number) => void>();
  private stopped = false;
  private retry: NodeJS.Timeout | null = null;

  constructor(private readonly databaseUrl: string) {}

  /** Connects and listens; on failure it keeps retrying in the background. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.connect().catch(() => this.scheduleReconnect());
  }

  /** Registers a callback for committed positions; returns its removal. */
  subscribe(listener: (position: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Closes the connection. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new Client({
      connectionString: this.databaseUrl,
      application_name: 'strata-event-notifier',
    });
    client.on('notification', (msg) => {
      const position = Number(msg.payload ?? 0);
      for (const l of this.listeners) l(position);
    });
    client.on('error', () => {
      if (this.client === client) this.client = null;
      void client.end().catch(() => undefined);
      this.scheduleReconnect();
    });
    await client.connect();
    await client.query(`LISTEN ${EVENTS_CHANNEL}`);
    if (this.stopped) {
      await client.end();
      return;
    }
    this.client = client;
    // Whatever committed while we were not listening is picked up by a wake-up now.
    for (const l of this.listeners) l(0);
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      void this.connect().catch(() => this.scheduleReconnect());
    }, 1000);
  }
}

/** A sleep that a wake-up cuts short. */
export class Waker {
  private wake: (() => void) | null = null;
  private pending = false;

  /** Ends the current or next wait. */
  notify(): void {
    if (this.wake) this.wake();
    else this.pending = true;
  }

  /** Waits up to `ms`, or less if notified. */
  wait(ms: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}
