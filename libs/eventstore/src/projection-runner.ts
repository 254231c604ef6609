import { type DataSource, type QueryRunner } from 'typeorm';
import { type EventNotifier, Waker } from './event-notifier';
import { EVENT_COLUMNS, toRecordedEvent, type EventRow } from './rows';
import { type RecordedEvent } from './types';

/** A read model kept up to date from the event log. */
export interface Projection {
  /** Checkpoint name; renaming it rebuilds the projection. */
  name: string;
  /** Tables this projection owns, truncated by a rebuild. */
  tables: string[];
  /** Applies one event inside the runner's transaction (`q` is that transaction). */
  apply(q: QueryRunner, event: RecordedEvent): Promise<void>;
  /** Applies a batch at once (fewer round trips); when absent, `apply` runs per event. */
  applyBatch?(q: QueryRunner, events: RecordedEvent[]): Promise<void>;
}

async function applyAll(
  projection: Projection,
  q: QueryRunner,
  events: RecordedEvent[],
): Promise<void> {
  if (projection.applyBatch) await projection.applyBatch(q, events);
  else for (const event of events) await projection.apply(q, event);
}

/** Options of the projection runner. */
export interface ProjectionRunnerOptions {
  notifier?: EventNotifier;
  batchSize?: number;
  pollIntervalMs?: number;
  onError?: (projection: string, error: unknown) => void;
}

/**
 * Applies events to read models in position order, committing each batch together with its
 * checkpoint, so a read model is always exactly the fold of the events up to its checkpoint.
 * The checkpoint row is locked per batch, so runners in several processes never apply twice.
 */
export class ProjectionRunner {
  private running = false;
  private loopDone: Promise<void> = Promise.resolve();
  private readonly waker = new Waker();
  private unsubscribe: (() => void) | null = null;
  private readonly batchSize: number;
  /** Every projection has applied at least up to here (as far as this process knows). */
  private reached = 0;
  private inflight: Promise<void> | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly projections: Projection[],
    private readonly options: ProjectionRunnerOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 500;
  }

  /** Starts following the log in the background. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.options.notifier?.subscribe(() => this.waker.notify()) ?? null;
    this.loopDone = this.loop();
  }

  /** Stops after the current batch. */
  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    this.waker.notify();
    await this.loopDone;
  }

  /**
   * Brings every projection up to at least `position` (the head when omitted) before resolving.
   * Concurrent callers share one catch-up, so a burst of commands does not queue a burst of
   * transactions on the checkpoint lock.
   */
  async catchUp(position?: number): Promise<void> {
    const target = position ?? (await this.head());
    while (this.reached < target) {
      this.inflight ??= this.catchUpOnce().finally(() => {
        this.inflight = null;
      });
      await this.inflight;
    }
  }

  private async catchUpOnce(): Promise<void> {
    const head = await this.head();
    let reached = Number.MAX_SAFE_INTEGER;
    for (const p of this.projections) {
      let checkpoint = 0;
      do checkpoint = (await this.runBatch(p)).checkpoint;
      while (checkpoint < head);
      reached = Math.min(reached, checkpoint);
    }
    this.reached = Math.max(this.reached, reached);
  }

  /** The checkpoint of a projection. */
  async checkpoint(name: string): Promise<number> {
    const [row]: Array<{ position: string }> = await this.dataSource.query(
      'SELECT position FROM projection_checkpoints WHERE name = $1',
      [name],
    );
    return Number(row?.position ?? 0);
  }

  /** Empties a projection's tables and replays it from position 0, in one transaction, so readers never see it half-built. */
  async rebuild(name: string): Promise<void> {
    const projection = this.find(name);
    await this.inTransaction(async (q) => {
      await this.lockCheckpoint(q, projection.name);
      if (projection.tables.length > 0) await q.query(`TRUNCATE ${projection.tables.join(', ')}`);
      let from = 0;
      for (;;) {
        const rows: EventRow[] = await q.query(
          `SELECT ${EVENT_COLUMNS} FROM events WHERE position > $1 ORDER BY position LIMIT $2`,
          [from, this.batchSize],
        );
        if (rows.length === 0) break;
        await applyAll(projection, q, rows.map(toRecordedEvent));
        from = Number(rows[rows.length - 1].position);
      }
      await q.query(
        'UPDATE projection_checkpoints SET position = $2, updated_at = now() WHERE name = $1',
        [projection.name, from],
      );
    });
  }

  private find(name: string): Projection {
    const p = this.projections.find((x) => x.name === name);
    if (!p) throw new Error(`unknown projection ${name}`);
    return p;
  }

  private async loop(): Promise<void> {
    while (this.running) {
      let busy = false;
      for (const p of this.projections) {
        try {
          busy = (await this.runBatch(p)).applied === this.batchSize || busy;
        } catch (error) {
          this.options.onError?.(p.name, error);
        }
      }
      if (!busy) await this.waker.wait(this.options.pollIntervalMs ?? 1000);
    }
  }

  private async head(): Promise<number> {
    const [row]: Array<{ p: string | null }> = await this.dataSource.query(
      'SELECT max(position) AS p FROM events',
    );
    return Number(row?.p ?? 0);
  }

  private async runBatch(projection: Projection): Promise<{ applied: number; checkpoint: number }> {
    return this.inTransaction(async (q) => {
      const from = await this.lockCheckpoint(q, projection.name);
      const rows: EventRow[] = await q.query(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE position > $1 ORDER BY position LIMIT $2`,
        [from, this.batchSize],
      );
      if (rows.length === 0) return { applied: 0, checkpoint: from };
      await applyAll(projection, q, rows.map(toRecordedEvent));
      const checkpoint = Number(rows[rows.length - 1].position);
      await q.query(
        'UPDATE projection_checkpoints SET position = $2, updated_at = now() WHERE name = $1',
        [projection.name, checkpoint],
      );
      return { applied: rows.length, checkpoint };
    });
  }

  private async lockCheckpoint(q: QueryRunner, name: string): Promise<number> {
    await q.query(
      'INSERT INTO projection_checkpoints (name) VALUES ($1) ON CONFLICT (name) DO NOTHING',
      [name],
    );
    const [row]: Array<{ position: string }> = await q.query(
      'SELECT position FROM projection_checkpoints WHERE name = $1 FOR UPDATE',
      [name],
    );
    return Number(row.position);
  }

  private async inTransaction<T>(work: (q: QueryRunner) => Promise<T>): Promise<T> {
    const q = this.dataSource.createQueryRunner();
    await q.connect();
    try {
      await q.startTransaction();
      // Read models and checkpoints commit together and are rebuilt from the durable log, so a
      // crash that loses the last of them only replays those events: no need to wait for fsync.
      await q.query('SET LOCAL synchronous_commit = off');
      const result = await work(q);
      await q.commitTransaction();
      return result;
    } catch (error) {
      if (q.isTransactionActive) await q.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await q.release();
    }
  }
}
