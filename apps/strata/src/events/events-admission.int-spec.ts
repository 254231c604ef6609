import { join } from 'node:path';
import { type NatsBus } from '@strata/bus';
import { KvBuckets } from '@strata/contracts';
import { type RunningNatsServer } from '@strata/devstack';
import { eventsService } from '@strata/events';
import {
  OPEN_QUOTA,
  clientBus,
  fakeControlPlane,
  removeTestDirs,
  startInProcess,
  startTestGateway,
  startTestNats,
  strataEnv,
  type TestKeys,
} from '@strata/platform/testing';
import { type RunningServices } from '@strata/service-kit';
import { auditCorpus, freshDatabase, type FreshDatabase } from '@strata/testing';

jest.setTimeout(120_000);

describe('per-tenant events admission across events replicas', () => {
  let nats: RunningNatsServer;
  let bus: NatsBus;
  let db: FreshDatabase;
  const replicas: RunningServices[] = [];
  let edge: { url: string; close(): Promise<void> };
  // A burst of 2,000 and a trickle of rate: what the tenant gets is its burst, however many replicas.
  const tenants = new Map([
    ['acme', { ...OPEN_QUOTA, eventsRatePerSecond: 1, eventsBurst: 2_000 }],
  ]);
  const keys: TestKeys = new Map([['key-a', { tenantId: 'acme', scopes: ['write', 'read'] }]]);

  beforeAll(async () => {
    const started = await startTestNats();
    nats = started.server;
    bus = await clientBus(nats);
    fakeControlPlane(bus, tenants, keys);
    db = await freshDatabase('admission');
    for (const name of ['one', 'two'])
      replicas.push(
        await startInProcess(strataEnv(nats, join(started.dir, name), { DATABASE_URL: db.url }), [
          eventsService,
        ]),
      );
    edge = await startTestGateway(bus);
  });

  afterAll(async () => {
    await edge?.close();
    for (const r of replicas) await r.stop();
    await bus?.drain();
    await nats?.process.stop();
    await db?.drop();
    removeTestDirs();
  });

  it("admits the tenant's burst once in total, not once per replica", async () => {
    const members = await bus.openKv(KvBuckets.eventsMembers);
    // Each replica counts the others when it renews (every 2 s).
    for (const until = Date.now() + 30_000; (await members.keys('m.>')).length < 2;) {
      if (Date.now() > until) throw new Error('the replicas never both joined');
      await new Promise((r) => setTimeout(r, 200));
    }
    await new Promise((r) => setTimeout(r, 4_500));
    const t0 = Date.now() - 600_000;
    let admitted = 0;
    let refused = 0;
    for (let b = 0; b < 20; b++) {
      const body = JSON.stringify({
        kind: 'EventList',
        apiVersion: 'audit.k8s.io/v1',
        items: auditCorpus(400, t0 + b * 400_000).map((e) => ({
          ...e,
          auditID: `${b}-${e.auditID}`,
        })),
      });
      const res = await fetch(`${edge.url}/api/v1/audit/webhook/event?cluster=prod`, {
        method: 'POST',
        body,
        headers: { Authorization: 'Bearer key-a', 'Content-Type': 'application/json' },
      });
      if (res.status === 200) admitted += 400;
      else {
        expect(res.status).toBe(429);
        refused += 400;
      }
    }
    // Two replicas, each admitting its whole burst, would take 4,000 (5 batches each) of 8,000.
    // Sharing it, each takes 1,000 (2 batches of 400, the third does not fit); the tenant's rate
    // of 1/s adds a few events over the run, not a batch.
    expect(admitted).toBeGreaterThanOrEqual(800);
    expect(admitted).toBeLessThanOrEqual(2_000);
    expect(refused).toBe(8_000 - admitted);
  });
});
