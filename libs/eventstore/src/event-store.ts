import { type DataSource } from 'typeorm';
import { type ChainVerification } from '@strata/contracts';
import { appendBatch, type PendingAppend } from './append-events';
import { EventStoreUsageError } from './errors';
import {
  EVENT_COLUMNS,
  STREAM_ID_PATTERN,
  aggregateOf,
  toRecordedEvent,
  type EventRow,
} from './rows';
import { verifyChain } from './verify-chain';
import {
  type AppendResult,
  type EventMetadata,
  type ExpectedVersion,
  type NewEvent,
  type ReadBound,
  type RecordedEvent,
} from './types';

/** Tuning of the event store. */
export interface EventStoreOptions {
  /**
   * Subject of the outbox row written with each event, or null for no outbox row. Defaults to
   * none; the control plane passes `Subjects.controlEvents(aggregate)`.
   */
  outboxSubject?: (streamId: string, aggregate: string) => string | null;
  /** Most appends committed in one transaction. */
  maxBatch?: number;
}

/** A folder of events into a state, as used by replay. */
export interface Fold<S> {
  initialState(): S;
  evolve(state: S, event: RecordedEvent): S;
}

/**
 * Append-only event streams in Postgres with a global hash chain. Concurrent appends from one
 * process are grouped into one transaction (group commit), because the chain lock would otherwise
 * let only one commit, and one fsync, through at a time.
 */
export class EventStore {
  private readonly queue: PendingAppend[] = [];
  private flushing = false;
  private readonly maxBatch: number;
  private readonly subjectOf: ((streamId: string) => string | null) | null;

  constructor(
    readonly dataSource: DataSource,
    options: EventStoreOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 500;
    const outboxSubject = options.outboxSubject;
    this.subjectOf = outboxSubject
      ? (streamId) => outboxSubject(streamId, aggregateOf(streamId))
      : null;
  }

  /** Appends events to a stream if its version is as expected; throws `ExpectedVersionConflictError` otherwise. */
  append(
    streamId: string,
    expected: ExpectedVersion,
    events: NewEvent[],
    metadata: EventMetadata,
  ): Promise<AppendResult> {
    if (!STREAM_ID_PATTERN.test(streamId))
      return Promise.reject(new EventStoreUsageError(`invalid stream id ${streamId}`));
    if (events.length === 0) return Promise.reject(new EventStoreUsageError('nothing to append'));
    if (typeof expected === 'number' && expected === 0) expected = 'no_stream';
    // A JSON round trip now, so the hash covers exactly what jsonb will give back.
    const normalized = events.map((e) => ({
      type: e.type,
      data: JSON.parse(JSON.stringify(e.data ?? null)) as unknown,
    }));
    const meta = JSON.parse(JSON.stringify(metadata)) as EventMetadata;
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ streamId, expected, events: normalized, metadata: meta, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        try {
          await appendBatch(this.dataSource, batch, this.subjectOf);
        } catch (error) {
          if (batch.length === 1) batch[0].reject(error);
          // One bad append must not fail its neighbours: retry each alone.
          else
            for (const p of batch)
              await appendBatch(this.dataSource, [p], this.subjectOf).catch((e: unknown) =>
                p.reject(e),
              );
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  /** The events of one stream in version order, optionally only those up to a bound. */
  async readStream(
    streamId: string,
    options: { fromVersion?: number; until?: ReadBound } = {},
  ): Promise<RecordedEvent[]> {
    const params: unknown[] = [streamId, options.fromVersion ?? 1];
    let bound = '';
    if (options.until) {
      params.push(
        'position' in options.until
          ? options.until.position
          : new Date(options.until.at).toISOString(),
      );
      bound =
        'position' in options.until ? ' AND position <= $3' : ' AND recorded_at <= $3::timestamptz';
    }
    const rows: EventRow[] = await this.dataSource.query(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = $1 AND stream_version >= $2${bound} ORDER BY stream_version`,
      params,
    );
    return rows.map(toRecordedEvent);
  }

  /** The current version of a stream, 0 when it has no events. */
  async streamVersion(streamId: string): Promise<number> {
    const [row]: Array<{ v: number | null }> = await this.dataSource.query(
      'SELECT max(stream_version)::int AS v FROM events WHERE stream_id = $1',
      [streamId],
    );
    return row?.v ?? 0;
  }

  /** Up to `limit` events from `fromPosition` (inclusive) on, in global order, stopping at `toPosition` when given. */
  async readAll(
    fromPosition: number,
    limit: number,
    toPosition?: number,
  ): Promise<RecordedEvent[]> {
    const rows: EventRow[] = await this.dataSource.query(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE position >= $1 AND ($3::bigint IS NULL OR position <= $3) ORDER BY position LIMIT $2`,
      [fromPosition, limit, toPosition ?? null],
    );
    return rows.map(toRecordedEvent);
  }

  /** The last position recorded at or before `at`, 0 when none was. */
  async positionAt(at: string | Date): Promise<number> {
    const [row]: Array<{ p: string | null }> = await this.dataSource.query(
      'SELECT max(position) AS p FROM events WHERE recorded_at <= $1::timestamptz',
      [new Date(at).toISOString()],
    );
    return Number(row?.p ?? 0);
  }

  /** The position of the newest event, 0 on an empty store. */
  async headPosition(): Promise<number> {
    const [row]: Array<{ p: string | null }> = await this.dataSource.query(
      'SELECT max(position) AS p FROM events',
    );
    return Number(row?.p ?? 0);
  }

  /** Every event up to a bound, page by page, in global order. */
  async *readAllUntil(until: ReadBound, pageSize = 1000): AsyncGenerator<RecordedEvent[]> {
    const last = 'position' in until ? until.position : await this.positionAt(until.at);
    let from = 1;
    for (;;) {
      const page = await this.readAll(from, pageSize, last);
      if (page.length === 0) return;
      yield page;
      from = page[page.length - 1].position + 1;
    }
  }

  /** Folds every event up to a bound into a state: the store as it was then. */
  async replay<S>(
    fold: Fold<S>,
    until: ReadBound,
  ): Promise<{ state: S; position: number; recordedAt: string | null }> {
    let state = fold.initialState();
    let position = 0;
    let recordedAt: string | null = null;
    for await (const page of this.readAllUntil(until)) {
      for (const event of page) state = fold.evolve(state, event);
      position = page[page.length - 1].position;
      recordedAt = page[page.length - 1].recordedAt;
    }
    return { state, position, recordedAt };
  }

  /** Walks the whole chain and reports the first event whose hash or link does not hold. */
  verifyChain(): Promise<ChainVerification> {
    return verifyChain(this);
  }
}
