import { type DataSource } from 'typeorm';
import { type Bus } from '@strata/bus';
import { type EventNotifier, Waker } from './event-notifier';
import { EVENT_COLUMNS, toRecordedEvent, type EventRow } from './rows';
import { type RecordedEvent } from './types';

/** Only one relay may publish at a time, or two could interleave one stream's events. */
export const RELAY_LOCK_KEY = 0x5374_7262;

/** The JSON message published for each event (the shape of `RelayedEvent` in contracts). */
export interface RelayedEnvelope {
  position: number;
  streamId: string;
  version: number;
  type: string;
  data: unknown;
  metadata: {
    actor: string;
    actorKind: string;
    sourceAddress: string;
    requestId: string;
    tenantId: string | null;
    causation: string | null;
    correlation: string | null;
  };
  recordedAt: string;
}

/** Options of the outbox relay. */
export interface OutboxRelayOptions {
  publisher: Pick<Bus, 'publish'>;
  notifier?: EventNotifier;
  batchSize?: number;
  pollIntervalMs?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  onError?: (error: unknown) => void;
}

/** The envelope of one event. */
export function toEnvelope(event: RecordedEvent): RelayedEnvelope {
  const m = event.metadata;
  return {
    position: event.position,
    streamId: event.streamId,
    version: event.version,
    type: event.type,
    data: event.data,
    metadata: {
      actor: m.actor,
      actorKind: m.actorKind,
      sourceAddress: m.sourceAddress,
      requestId: m.requestId,
      tenantId: m.tenant,
      causation: m.causation ?? null,
      correlation: m.correlation ?? null,
    },
    recordedAt: event.recordedAt,
  };
}

/**
 * Publishes committed events from the outbox to JetStream at least once, in order per stream;
 * the message id is the position, so JetStream drops a republished event within its window.
 */
export class OutboxRelay {
  private running = false;
  private loopDone: Promise<void> = Promise.resolve();
  private readonly waker = new Waker();
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: OutboxRelayOptions,
  ) {}

  /** Starts relaying in the background. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.options.notifier?.subscribe(() => this.waker.notify()) ?? null;
    this.loopDone = this.loop();
  }

  /** Stops after the current pass. */
  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    this.waker.notify();
    await this.loopDone;
  }

  /** Wakes the relay now (after a commit in this process). */
  nudge(): void {
    this.waker.notify();
  }

  /** Events still waiting to be published. */
  async pending(): Promise<number> {
    const [row]: Array<{ n: number }> = await this.dataSource.query(
      'SELECT count(*)::int AS n FROM outbox WHERE sent_at IS NULL',
    );
    return row.n;
  }

  private async loop(): Promise<void> {
    const min = this.options.minBackoffMs ?? 100;
    const max = this.options.maxBackoffMs ?? 5000;
    const batchSize = this.options.batchSize ?? 500;
    let backoff = min;
    while (this.running) {
      try {
        const sent = await this.relayOnce(batchSize);
        backoff = min;
        if (sent === batchSize) continue;
        await this.waker.wait(this.options.pollIntervalMs ?? 1000);
      } catch (error) {
        this.options.onError?.(error);
        await this.waker.wait(backoff);
        backoff = Math.min(backoff * 2, max);
      }
    }
  }

  /**
   * One pass: publishes up to `batchSize` pending events and marks those JetStream acknowledged.
   * Streams are published concurrently but each stream sequentially, and a stream stops at its
   * first failure, so a retry can never overtake an earlier event of the same stream.
   */
  async relayOnce(batchSize = 500): Promise<number> {
    const qr = this.dataSource.createQueryRunner();
    await qr.connect();
    try {
      await qr.startTransaction();
      // A lost "sent" mark only republishes, which JetStream deduplicates by message id.
      await qr.query('SET LOCAL synchronous_commit = off');
      const [lock]: Array<{ ok: boolean }> = await qr.query(
        'SELECT pg_try_advisory_xact_lock($1) AS ok',
        [RELAY_LOCK_KEY],
      );
      if (!lock.ok) {
        await qr.commitTransaction();
        return 0;
      }
      const rows: Array<EventRow & { subject: string }> = await qr.query(
        `SELECT o.subject, ${EVENT_COLUMNS.split(', ')
          .map((c) => `e.${c}`)
          .join(', ')}
         FROM outbox o JOIN events e ON e.position = o.position
         WHERE o.sent_at IS NULL ORDER BY o.position LIMIT $1`,
        [batchSize],
      );
      const byStream = new Map<string, Array<EventRow & { subject: string }>>();
      for (const row of rows) {
        const list = byStream.get(row.stream_id) ?? [];
        list.push(row);
        byStream.set(row.stream_id, list);
      }
      const sent: number[] = [];
      let failure: unknown = null;
      await Promise.all(
        [...byStream.values()].map(async (list) => {
          for (const row of list) {
            const event = toRecordedEvent(row);
            try {
              await this.options.publisher.publish(row.subject, toEnvelope(event), {
                msgId: String(event.position),
                headers: { 'Strata-Stream-Id': event.streamId },
              });
              sent.push(event.position);
            } catch (error) {
              failure ??= error;
              return;
            }
          }
        }),
      );
      if (sent.length > 0)
        await qr.query('UPDATE outbox SET sent_at = now() WHERE position = ANY($1::bigint[])', [
          sent,
        ]);
      await qr.commitTransaction();
      if (failure !== null) throw failure;
      return sent.length;
    } catch (error) {
      if (qr.isTransactionActive) await qr.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await qr.release();
    }
  }
}
