import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connectBus, type NatsBus } from '@strata/bus';
import { Streams, Subjects, type ControlCommand, type RelayedEvent } from '@strata/contracts';
import { freePort, startNatsServer, type RunningNatsServer } from '@strata/devstack';
import { EventNotifier, OutboxRelay } from '@strata/eventstore';
import { freshDatabase, type FreshDatabase } from '@strata/testing';
import { openControlPlaneStore, type ControlPlaneStore } from './control-plane-store';
import { ControlPlaneService } from './control-plane.service';

jest.setTimeout(180_000);

const quiet = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

describe('control-plane events through the outbox', () => {
  let db: FreshDatabase;
  let cp: ControlPlaneStore;
  let dataDir: string;
  let nats: RunningNatsServer;
  let bus: NatsBus;
  let notifier: EventNotifier;
  let relay: OutboxRelay;
  let relayErrors = 0;

  beforeAll(async () => {
    db = await freshDatabase('cp_outbox');
    cp = await openControlPlaneStore({ databaseUrl: db.url, migrate: true });
    dataDir = mkdtempSync(join(tmpdir(), 'strata-cp-outbox-'));
    const port = await freePort();
    nats = await startNatsServer({ dataDir, port });
    bus = await connectBus({
      url: nats.url,
      ...nats.login('admin'),
      name: 'cp-outbox-spec',
      reconnectWaitMs: 50,
      maxReconnectWaitMs: 200,
      logger: quiet,
    });
    await bus.ensureStream({
      name: Streams.controlEvents.name,
      subjects: [...Streams.controlEvents.subjects],
    });
    notifier = new EventNotifier(db.url);
    await notifier.start();
    relay = new OutboxRelay(cp.dataSource, {
      publisher: bus,
      notifier,
      pollIntervalMs: 200,
      minBackoffMs: 50,
      maxBackoffMs: 400,
      onError: () => relayErrors++,
    });
    relay.start();
  });
  afterAll(async () => {
    await relay.stop();
    await notifier.stop();
    await bus.drain().catch(() => undefined);
    await nats.process.stop();
    await cp.close();
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('delivers all events of 1,000 commands in order per stream while nats-server restarts mid-burst', async () => {
    const service = new ControlPlaneService(cp.dataSource, cp.store);
    const tenants = 40;
    const perTenant = 25; // create + 24 quota changes = 1,000 commands
    const context = {
      actor: 'burst',
      actorKind: 'system' as const,
      sourceAddress: '127.0.0.1',
      requestId: 'burst',
    };
    let done = 0;
    const restart = (async () => {
      while (done < 300) await new Promise((r) => setTimeout(r, 5));
      await nats.process.stop();
      while (done < 700) await new Promise((r) => setTimeout(r, 5));
      nats = await startNatsServer({ dataDir, port: nats.port });
    })();
    await Promise.all(
      Array.from({ length: tenants }, async (_, t) => {
        for (let i = 0; i < perTenant; i++) {
          const command: ControlCommand =
            i === 0
              ? { type: 'CreateTenant', tenantId: `burst-${t}`, displayName: `B${t}` }
              : { type: 'SetQuota', tenantId: `burst-${t}`, quota: { maxActiveSeries: i } };
          await service.execute({ command, context: { ...context, requestId: `burst-${t}-${i}` } });
          done++;
          await new Promise((r) => setTimeout(r, 1));
        }
      }),
    );
    await restart;
    const deadline = Date.now() + 60_000;
    while ((await relay.pending()) > 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    expect(await relay.pending()).toBe(0);
    expect(relayErrors).toBeGreaterThan(0);

    const jsm = await jetstreamManager(bus.connection);
    const info = await jsm.streams.info(Streams.controlEvents.name);
    const received: RelayedEvent[] = [];
    for (let seq = 1; seq <= info.state.last_seq; seq++) {
      const msg = await jsm.streams
        .getMessage(Streams.controlEvents.name, { seq })
        .catch(() => null);
      if (msg) received.push(msg.json<RelayedEvent>());
    }
    expect(new Set(received.map((e) => e.position)).size).toBe(tenants * perTenant);
    const versions = new Map<string, number>();
    for (const e of received) {
      expect(e.version).toBeGreaterThan(versions.get(e.streamId) ?? 0);
      versions.set(e.streamId, e.version);
    }
    expect(versions.get('quota-burst-0')).toBe(perTenant - 1);
    const subjects = await jsm.streams.getMessage(Streams.controlEvents.name, {
      last_by_subj: Subjects.controlEvents('quota'),
    });
    expect(subjects?.json<RelayedEvent>().type).toBe('QuotaSet');
  });
});
