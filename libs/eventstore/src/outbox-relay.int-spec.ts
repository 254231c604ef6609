import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DataSource } from 'typeorm';
import { jetstreamManager } from '@nats-io/jetstream';
import { connectBus, type NatsBus } from '@strata/bus';
import { Streams, Subjects } from '@strata/contracts';
import { freePort, startNatsServer, type RunningNatsServer } from '@strata/devstack';
import { freshDatabase, type FreshDatabase } from '@strata/testing';
import { createEventStoreDataSource, runMigrations } from './data-source';
import { EventNotifier } from './event-notifier';
import { EventStore } from './event-store';
import { OutboxRelay, type RelayedEnvelope } from './outbox-relay';

jest.setTimeout(120_000);

const quiet = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

const meta = {
  actor: 'bob',
  actorKind: 'system',
  tenant: null,
  requestId: 'r',
  sourceAddress: '10.0.0.1',
};

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('OutboxRelay', () => {
  let db: FreshDatabase;
  let ds: DataSource;
  let store: EventStore;
  let dataDir: string;
  let port: number;
  let nats: RunningNatsServer;
  let publisher: NatsBus;
  let notifier: EventNotifier;
  let relay: OutboxRelay;
  const errors: unknown[] = [];

  beforeAll(async () => {
    db = await freshDatabase('outbox');
    ds = createEventStoreDataSource({ databaseUrl: db.url });
    await ds.initialize();
    await runMigrations(ds);
    store = new EventStore(ds, {
      outboxSubject: (_s, aggregate) => Subjects.controlEvents(aggregate),
    });
    dataDir = mkdtempSync(join(tmpdir(), 'strata-outbox-'));
    port = await freePort();
    nats = await startNatsServer({ dataDir, port });
    publisher = await connectBus({
      url: nats.url,
      ...nats.login('admin'),
      name: 'outbox-spec',
      reconnectWaitMs: 50,
      maxReconnectWaitMs: 200,
      logger: quiet,
    });
    await publisher.ensureStream({
      name: Streams.controlEvents.name,
      subjects: [...Streams.controlEvents.subjects],
      duplicateWindowMs: 120_000,
    });
    notifier = new EventNotifier(db.url);
    await notifier.start();
    relay = new OutboxRelay(ds, {
      publisher,
      notifier,
      pollIntervalMs: 200,
      minBackoffMs: 50,
      maxBackoffMs: 500,
      onError: (e) => errors.push(e),
    });
    relay.start();
  });
  afterAll(async () => {
    await relay.stop();
    await notifier.stop();
    await publisher.drain().catch(() => undefined);
    await nats.process.stop();
    await ds.destroy();
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('delivers every event at least once and in order per stream across a nats-server restart', async () => {
    const total = 1000;
    const streams = 25;
    const appends: Array<Promise<unknown>> = [];
    for (let i = 0; i < total; i++) {
      if (i === 300) {
        await Promise.all(appends);
        await nats.process.stop();
      }
      if (i === 700) {
        await Promise.all(appends);
        nats = await startNatsServer({ dataDir, port });
      }
      appends.push(
        store.append(
          `widget-w${i % streams}`,
          'any',
          [{ type: 'WidgetTurned', data: { i } }],
          meta,
        ),
      );
      if (i % 50 === 49) await new Promise((r) => setTimeout(r, 5));
    }
    await Promise.all(appends);
    await until(async () => (await relay.pending()) === 0, 60_000);
    expect(errors.length).toBeGreaterThan(0); // the outage was noticed and retried

    const jsm = await jetstreamManager(publisher.connection);
    const info = await jsm.streams.info(Streams.controlEvents.name);
    const seen: RelayedEnvelope[] = [];
    for (let seq = 1; seq <= info.state.last_seq; seq++) {
      const msg = await jsm.streams
        .getMessage(Streams.controlEvents.name, { seq })
        .catch(() => null);
      if (msg) seen.push(msg.json<RelayedEnvelope>());
    }
    expect(new Set(seen.map((e) => e.position)).size).toBe(total);
    const lastVersion = new Map<string, number>();
    for (const e of seen) {
      const prev = lastVersion.get(e.streamId) ?? 0;
      expect(e.version).toBeGreaterThan(prev);
      lastVersion.set(e.streamId, e.version);
    }
    expect(seen[0].metadata).toMatchObject({ actor: 'bob', sourceAddress: '10.0.0.1' });
  });
});
