import { type DataSource } from 'typeorm';
import { freshDatabase, type FreshDatabase } from '@strata/testing';
import { Subjects } from '@strata/contracts';
import { createEventStoreDataSource, runMigrations } from './data-source';
import { EventStore } from './event-store';
import { ExpectedVersionConflictError } from './errors';
import { type EventMetadata } from './types';

const meta: EventMetadata = {
  actor: 'alice',
  actorKind: 'platform-admin',
  tenant: 't1',
  requestId: 'r1',
  sourceAddress: '127.0.0.1',
};

describe('EventStore', () => {
  let db: FreshDatabase;
  let ds: DataSource;
  let store: EventStore;

  beforeAll(async () => {
    db = await freshDatabase('eventstore');
    ds = createEventStoreDataSource({ databaseUrl: db.url });
    await ds.initialize();
    expect(await runMigrations(ds)).toEqual(['CreateEventStore1732150000000']);
    expect(await runMigrations(ds)).toEqual([]);
    store = new EventStore(ds, {
      outboxSubject: (_s, aggregate) => Subjects.controlEvents(aggregate),
    });
  });
  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  it('appends with optimistic concurrency and reads streams back in order', async () => {
    const first = await store.append(
      'thing-a',
      'no_stream',
      [
        { type: 'Made', data: { n: 1 } },
        { type: 'Changed', data: { n: 2 } },
      ],
      meta,
    );
    expect(first.version).toBe(2);
    expect(first.positions).toHaveLength(2);
    await expect(
      store.append('thing-a', 'no_stream', [{ type: 'Made', data: {} }], meta),
    ).rejects.toBeInstanceOf(ExpectedVersionConflictError);
    await expect(
      store.append('thing-a', 1, [{ type: 'Changed', data: {} }], meta),
    ).rejects.toMatchObject({ code: 'version_conflict' });
    const third = await store.append('thing-a', 2, [{ type: 'Changed', data: { n: 3 } }], meta);
    expect(third.version).toBe(3);
    const events = await store.readStream('thing-a');
    expect(events.map((e) => [e.version, e.type, e.data])).toEqual([
      [1, 'Made', { n: 1 }],
      [2, 'Changed', { n: 2 }],
      [3, 'Changed', { n: 3 }],
    ]);
    expect(events[0].metadata).toEqual(meta);
    expect(await store.streamVersion('thing-a')).toBe(3);
  });

  it('lets exactly one of many concurrent writers with the same expected version win', async () => {
    await store.append('thing-race', 'no_stream', [{ type: 'Made', data: {} }], meta);
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        store.append(
          'thing-race',
          1,
          [
            { type: 'Changed', data: { i } },
            { type: 'Changed', data: { i, second: true } },
          ],
          meta,
        ),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(rejected).toHaveLength(9);
    for (const r of rejected) expect(r.reason).toMatchObject({ code: 'version_conflict' });
    expect(await store.readStream('thing-race')).toHaveLength(3);
  });

  it('writes one outbox row per event in the same transaction', async () => {
    const [{ events, outbox }]: Array<{ events: number; outbox: number }> = await ds.query(
      'SELECT (SELECT count(*)::int FROM events) AS events, (SELECT count(*)::int FROM outbox) AS outbox',
    );
    expect(outbox).toBe(events);
  });

  it('keeps a verifiable chain under concurrent appends and finds a tampered row', async () => {
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        store.append(
          `thing-c${i % 20}`,
          'any',
          [{ type: 'Ticked', data: { i, f: 0.1, nested: { b: 1, a: [1, 'x'] } } }],
          meta,
        ),
      ),
    );
    const ok = await store.verifyChain();
    expect(ok).toMatchObject({ ok: true, brokenAt: null });
    expect(ok.checkedEvents).toBe(await store.headPosition());

    const [{ position }]: Array<{ position: string }> = await ds.query(
      "SELECT position FROM events WHERE type = 'Ticked' ORDER BY position OFFSET 50 LIMIT 1",
    );
    await expect(
      ds.query('UPDATE events SET data = $1 WHERE position = $2', ['{"i":-1}', position]),
    ).rejects.toThrow(/append-only/);
    await ds.transaction(async (m) => {
      await m.query('SET LOCAL session_replication_role = replica');
      await m.query('UPDATE events SET data = $1 WHERE position = $2', ['{"i":-1}', position]);
    });
    const broken = await store.verifyChain();
    expect(broken).toMatchObject({ ok: false, brokenAt: Number(position) });
    expect(broken.reason).toMatch(/modified/);
  });

  it('maps instants to positions monotonically and replays up to a bound', async () => {
    const head = await store.headPosition();
    const [last] = await store.readAll(head, 1);
    expect(await store.positionAt(last.recordedAt)).toBe(head);
    expect(await store.positionAt('2000-01-01T00:00:00Z')).toBe(0);
    const counted = await store.replay(
      { initialState: () => 0, evolve: (n) => n + 1 },
      { position: 5 },
    );
    expect(counted).toMatchObject({ state: 5, position: 5 });
  });

  it('rejects bad stream ids and empty appends', async () => {
    await expect(
      store.append('no dash', 'any', [{ type: 'X', data: {} }], meta),
    ).rejects.toMatchObject({ code: 'bad_request' });
    await expect(store.append('thing-x', 'any', [], meta)).rejects.toMatchObject({
      code: 'bad_request',
    });
  });
});
