import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { type NatsBus } from '@strata/bus';
import {
  type CommandAccepted,
  type ControlCommand,
  type ControlCommandRequest,
  StrataError,
  Subjects,
} from '@strata/contracts';
import { controlPlaneService } from '@strata/control-plane';
import { freePort } from '@strata/devstack';
import { gatewayService } from '@strata/gateway';
import { encodeWriteRequestV1 } from '@strata/remote-write/testing';
import { type RunningNatsServer } from '@strata/devstack';
import { ingesterService } from '@strata/ingester';
import { routerService } from '@strata/router';
import { type RunningServices } from '@strata/service-kit';
import { freshDatabase, type FreshDatabase } from '@strata/testing';
import {
  batchAt,
  clientBus,
  countSamples,
  storeClient,
  sendWrite,
  startInProcess,
  startTestNats,
  strataEnv,
  writeRequest,
  removeTestDirs,
} from '@strata/platform/testing';

jest.setTimeout(90_000);

/**
 * With the real control plane (Postgres event store, outbox to NATS): the router learns a
 * tenant's quota once and follows changes through the relayed events, without asking again.
 */
describe('the write path with the real gateway and control plane', () => {
  let nats: RunningNatsServer;
  let db: FreshDatabase;
  let bus: NatsBus;
  let platform: RunningServices;
  let queries = 0;
  const relayed: string[] = [];
  let httpPort = 0;

  beforeAll(async () => {
    db = await freshDatabase('write_path');
    const started = await startTestNats();
    nats = started.server;
    bus = await clientBus(nats);
    httpPort = await freePort();
    platform = await startInProcess(
      strataEnv(nats, join(started.dir, 'data'), {
        DATABASE_URL: db.url,
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: String(httpPort),
        STRATA_ADMIN_TOKEN: 'write-path-admin-token-0123',
      }),
      [gatewayService, controlPlaneService, routerService, ingesterService],
    );
    // Counts the control-plane queries the router makes; listens without answering.
    bus.connection.subscribe(Subjects.controlQuery, {
      callback: () => {
        queries++;
      },
    });
    // The events the router's cache follows, as relayed: a relay can land after a write already
    // refetched the limits, and then rightly causes one refetch more.
    bus.connection.subscribe(Subjects.controlEventsAll, {
      callback: (_error, msg) => {
        relayed.push((msg.json() as { type: string }).type);
      },
    });
  });

  afterAll(async () => {
    await platform?.stop();
    await bus?.drain();
    await nats?.process.stop();
    removeTestDirs();
    await db?.drop();
  });

  const command = (c: ControlCommand) =>
    bus.request<ControlCommandRequest, CommandAccepted>(Subjects.controlCommand, {
      command: c,
      context: {
        actor: 'spec',
        actorKind: 'platform-admin',
        sourceAddress: '127.0.0.1',
        requestId: randomUUID(),
      },
    });
  const t0 = Date.now() - 60_000;

  it('refuses an unknown tenant, then admits it once created, applying quota changes and suspension as they happen', async () => {
    await expect(
      sendWrite(bus, writeRequest('later', batchAt('cp_m', 10, t0, 1))),
    ).rejects.toMatchObject({ code: 'tenant_unknown' });
    await command({ type: 'CreateTenant', tenantId: 'later', displayName: 'Later' });
    await command({
      type: 'SetQuota',
      tenantId: 'later',
      quota: { ingestionRateSamplesPerSecond: 1, ingestionBurstSamples: 1_000 },
    });
    await eventually(async () =>
      expect(await sendWrite(bus, writeRequest('later', batchAt('cp_m', 10, t0, 1)))).toMatchObject(
        { samples: 10 },
      ),
    );

    await eventually(() => {
      expect(relayed).toEqual(expect.arrayContaining(['TenantCreated', 'QuotaSet']));
      return Promise.resolve();
    });
    await sendWrite(bus, writeRequest('later', batchAt('cp_m', 10, t0 + 500, 1)));
    const before = queries;
    for (let i = 1; i <= 20; i++)
      await sendWrite(bus, writeRequest('later', batchAt('cp_m', 10, t0 + i * 1000, 1)));
    expect(queries).toBe(before); // no control-plane round trip per write
    const refused = await sendWrite(
      bus,
      writeRequest('later', batchAt('cp_m', 1000, t0 + 30_000, 1)),
    ).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'rate_limited', reason: 'ingestion_rate' });

    await command({
      type: 'SetQuota',
      tenantId: 'later',
      quota: { ingestionRateSamplesPerSecond: 1_000_000, ingestionBurstSamples: 1_000_000 },
    });
    await eventually(async () =>
      expect(
        await sendWrite(bus, writeRequest('later', batchAt('cp_m', 1000, t0 + 30_000, 1))),
      ).toMatchObject({ samples: 1000 }),
    );

    await command({ type: 'SuspendTenant', tenantId: 'later', reason: 'spec' });
    await eventually(async () => {
      const e = await sendWrite(
        bus,
        writeRequest('later', batchAt('cp_m', 1, t0 + 40_000, 1)),
      ).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(StrataError);
      expect(e).toMatchObject({ code: 'tenant_suspended' });
    });
  });

  it('takes a remote write over HTTP with a key the control plane issued, serves it back, and refuses the key once revoked', async () => {
    await command({ type: 'CreateTenant', tenantId: 'http-e2e', displayName: 'E2E' });
    const issued = await command({
      type: 'IssueApiKey',
      tenantId: 'http-e2e',
      name: 'prometheus',
      scopes: ['write'],
    });
    const send = () =>
      fetch(`http://127.0.0.1:${httpPort}/api/v1/write`, {
        method: 'POST',
        body: encodeWriteRequestV1(batchAt('cp_http', 5, t0, 1)),
        headers: {
          Authorization: `Bearer ${issued.apiKey!.secret}`,
          'Content-Type': 'application/x-protobuf',
          'Content-Encoding': 'snappy',
        },
      });
    const res = await send();
    expect(res.status).toBe(204);
    expect(res.headers.get('x-prometheus-remote-write-samples-written')).toBe('5');
    const store = storeClient(bus);
    await eventually(async () =>
      expect(await countSamples(store, 'http-e2e', 'cp_http')).toEqual({
        series: 5,
        samples: 5,
        distinct: 5,
      }),
    );
    await command({ type: 'RevokeApiKey', keyId: issued.apiKey!.keyId });
    // Revoked through the bus, not this gateway: refused once the event reaches its admission cache.
    await eventually(async () => expect((await send()).status).toBe(401));
  });
});

async function eventually(check: () => Promise<void>, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
