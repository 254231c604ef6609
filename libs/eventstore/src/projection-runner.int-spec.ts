import { type DataSource } from 'typeorm';
import { freshDatabase, type FreshDatabase } from '@strata/testing';
import { createEventStoreDataSource, runMigrations } from './data-source';
import { EventNotifier } from './event-notifier';
import { EventStore } from './event-store';
import { ProjectionRunner, type Projection } from './projection-runner';

const meta = { actor: 'p', actorKind: 'system', tenant: null, requestId: 'r', sourceAddress: '' };

/** Counts events per stream and remembers the last version seen, failing on any gap or repeat. */
const counter: Projection = {
  name: 'counter',
  tables: ['counter_view'],
  async apply(q, event) {
    const [row]: Array<{ n: number; last: number }> = await q.query(
      'SELECT n, last FROM counter_view WHERE stream_id = $1',
      [event.streamId],
    );
    if ((row?.last ?? 0) + 1 !== event.version)
      throw new Error(`out of order: ${event.streamId} ${row?.last} then ${event.version}`);
    await q.query(
      'INSERT INTO counter_view (stream_id, n, last) VALUES ($1, 1, $2) ON CONFLICT (stream_id) DO UPDATE SET n = counter_view.n + 1, last = $2',
      [event.streamId, event.version],
    );
  },
};

describe('ProjectionRunner', () => {
  let db: FreshDatabase;
  let ds: DataSource;
  let store: EventStore;

  beforeAll(async () => {
    db = await freshDatabase('projections');
    ds = createEventStoreDataSource({ databaseUrl: db.url });
    await ds.initialize();
    await runMigrations(ds);
    await ds.query(
      'CREATE TABLE counter_view (stream_id text PRIMARY KEY, n int NOT NULL, last int NOT NULL)',
    );
    store = new EventStore(ds);
  });
  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  it('applies every event exactly once in order, even with two runners following the log at once', async () => {
    const errors: unknown[] = [];
    const notifier = new EventNotifier(db.url);
    await notifier.start();
    const a = new ProjectionRunner(ds, [counter], {
      notifier,
      batchSize: 7,
      onError: (_n, e) => errors.push(e),
    });
    const b = new ProjectionRunner(ds, [counter], {
      notifier,
      batchSize: 13,
      onError: (_n, e) => errors.push(e),
    });
    a.start();
    b.start();
    await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        store.append(`thing-${i % 10}`, 'any', [{ type: 'Ticked', data: { i } }], meta),
      ),
    );
    await a.catchUp();
    await Promise.all([a.stop(), b.stop()]);
    await notifier.stop();
    expect(errors).toEqual([]);
    const rows: Array<{ n: number }> = await ds.query('SELECT n FROM counter_view');
    expect(rows).toHaveLength(10);
    expect(rows.every((r) => r.n === 30)).toBe(true);
    expect(await a.checkpoint('counter')).toBe(await store.headPosition());
  });

  it('rebuilds from position 0 into the same state', async () => {
    const runner = new ProjectionRunner(ds, [counter]);
    const before = await ds.query('SELECT * FROM counter_view ORDER BY stream_id');
    await runner.rebuild('counter');
    expect(await ds.query('SELECT * FROM counter_view ORDER BY stream_id')).toEqual(before);
    await expect(runner.rebuild('nope')).rejects.toThrow(/unknown projection/);
  });
});
