import { randomBytes } from 'node:crypto';
import { type INestMicroservice } from '@nestjs/common';
import {
  BUS,
  BusModule,
  connectBus,
  createBusMicroservice,
  BusTransportModule,
  type NatsBus,
} from '@strata/bus';
import {
  Streams,
  Subjects,
  StrataError,
  type CommandAccepted,
  type TenantView,
} from '@strata/contracts';
import { jetstreamManager } from '@nats-io/jetstream';
import { freshDatabase, testNatsLogin, testServices, type FreshDatabase } from '@strata/testing';
import { ControlPlaneModule } from './control-plane.module';
import { ControlPlaneRuntime } from './control-plane.runtime';

jest.setTimeout(60_000);

describe('ControlPlaneModule over NATS', () => {
  let db: FreshDatabase;
  let bus: NatsBus;
  let app: INestMicroservice;
  // The shared test nats-server may hold other specs' control events, so this tenant is unique.
  const tenantId = `t-${randomBytes(5).toString('hex')}`;
  const context = {
    actor: 'ops',
    actorKind: 'platform-admin',
    sourceAddress: '198.51.100.1',
    requestId: 'r-1',
  };

  beforeAll(async () => {
    db = await freshDatabase('cp_module');
    bus = await connectBus({
      url: testServices().natsUrl,
      ...testNatsLogin('admin'),
      name: 'cp-module-spec-client',
    });
    ({ app } = await createBusMicroservice(
      (transport) => ({
        module: class ControlPlaneSpecModule {},
        imports: [
          BusTransportModule.forTransport(transport),
          BusModule.forRoot({
            url: testServices().natsUrl,
            ...testNatsLogin('control-plane'),
            name: 'control-plane-spec',
          }),
          ControlPlaneModule.forRoot({ databaseUrl: db.url, relay: { pollIntervalMs: 100 } }),
        ],
      }),
      (created) => created.get<NatsBus>(BUS),
      { logger: false },
    ));
    await app.listen();
    // The handlers subscribed on the module's own connection: a round trip makes sure nats-server has
    // registered them before this spec's connection sends the first request.
    await app.get<NatsBus>(BUS).connection.flush();
  });
  afterAll(async () => {
    await app.close();
    await bus.drain();
    await db.drop();
  });

  it('serves commands and queries with validation, and relays committed events to JetStream', async () => {
    const accepted = await bus.request<unknown, CommandAccepted>(Subjects.controlCommand, {
      command: { type: 'CreateTenant', tenantId, displayName: 'N' },
      context,
    });
    expect(accepted.version).toBe(1);
    const tenant = await bus.request<unknown, TenantView>(Subjects.controlQuery, {
      query: { type: 'GetTenant', tenantId },
      requestId: 'q',
    });
    expect(tenant.status).toBe('active');
    const bad = await bus
      .request(Subjects.controlCommand, {
        command: { type: 'SetQuota', tenantId, quota: { maxActiveSeries: -1 } },
        context,
      })
      .catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(StrataError);
    expect(bad).toMatchObject({
      code: 'validation_failed',
      fields: [expect.objectContaining({ path: 'command.quota.maxActiveSeries' })],
    });

    const runtime = app.get(ControlPlaneRuntime);
    const deadline = Date.now() + 10_000;
    while ((await runtime.relay.pending()) > 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    const jsm = await jetstreamManager(bus.connection);
    const msg = await jsm.streams.getMessage(Streams.controlEvents.name, {
      last_by_subj: Subjects.controlEvents('tenant'),
    });
    expect(msg?.json()).toMatchObject({
      type: 'TenantCreated',
      streamId: `tenant-${tenantId}`,
      metadata: { actor: 'ops', sourceAddress: '198.51.100.1', tenantId },
    });
  });
});
