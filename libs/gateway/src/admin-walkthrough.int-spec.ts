import { type DynamicModule, type INestApplicationContext, Module } from '@nestjs/common';
import { connectBus, serveOnBus, type NatsBus } from '@strata/bus';
import { type AuditEntry, type ControlPlaneSnapshot, Subjects } from '@strata/contracts';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the walk-through runs the real control plane behind the gateway
import { ControlPlaneModule } from '@strata/control-plane';
import {
  freshDatabase,
  type FreshDatabase,
  testNatsLogin,
  testServices,
  uniqueName,
} from '@strata/testing';
import { type RunningGateway, startGateway } from './start-gateway';
import { prefixedBus } from '@strata/bus/testing';

jest.setTimeout(60_000);

const ADMIN = 'walkthrough-admin-token-0123456789';
const SPEC_BUS = Symbol('SPEC_BUS');
const quiet = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

@Module({})
class SpecBusModule {
  static of(bus: unknown): DynamicModule {
    return {
      module: SpecBusModule,
      global: true,
      providers: [{ provide: SPEC_BUS, useValue: bus }],
      exports: [SPEC_BUS],
    };
  }
}

/** The README walk-through over real HTTP, NATS and Postgres: gateway → bus → control plane → event store. */
describe('admin walk-through against the real control plane', () => {
  let db: FreshDatabase;
  let nats: NatsBus;
  let controlPlane: INestApplicationContext;
  let gateway: RunningGateway;

  beforeAll(async () => {
    db = await freshDatabase('gateway_walkthrough');
    nats = await connectBus({
      url: testServices().natsUrl,
      ...testNatsLogin('admin'),
      name: 'gateway-walkthrough',
      logger: quiet,
    });
    // Its own subject namespace, so other specs' control planes on the shared server never answer.
    const bus = prefixedBus(nats, uniqueName('walk'));
    bus.serve(Subjects.serviceHealth('control-plane'), null, async () => ({
      service: 'control-plane',
      instanceId: 'spec',
      status: 'ok',
      checks: {},
    }));
    ({ app: controlPlane } = await serveOnBus(
      bus,
      {
        imports: [
          SpecBusModule.of(bus),
          ControlPlaneModule.forRoot({
            databaseUrl: db.url,
            busToken: SPEC_BUS,
            relay: { pollIntervalMs: 100 },
          }),
        ],
      },
      { logger: ['error'] },
    ));
    gateway = await startGateway({
      config: {
        adminToken: ADMIN,
        tenantHeader: 'x-scope-orgid',
        maxBodyBytes: 1 << 20,
        host: '127.0.0.1',
        port: 0,
        tls: null,
      },
      bus,
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await controlPlane?.close();
    await nats?.drain();
    await db?.drop();
  });

  const call = async (
    method: string,
    path: string,
    options: { body?: unknown; auth?: string; headers?: Record<string, string> } = {},
  ) => {
    const response = await fetch(`${gateway.url}${path}`, {
      method,
      headers: {
        authorization: options.auth ?? `Bearer ${ADMIN}`,
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...options.headers,
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      body: (text ? JSON.parse(text) : undefined) as any,
    };
  };
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('creates a tenant, sets its quota twice, issues a key, lists the audit trail and replays between the quota changes', async () => {
    expect((await call('GET', '/readyz')).status).toBe(200);

    const created = await call('POST', '/api/v1/admin/tenants', {
      body: { tenantId: 'acme', displayName: 'Acme Corp' },
      headers: { 'x-request-id': 'walk-1' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      tenantId: 'acme',
      displayName: 'Acme Corp',
      status: 'active',
      version: 1,
    });
    expect(created.headers.get('etag')).toBe('"1"');

    const first = await call('PATCH', '/api/v1/admin/tenants/acme/quota', {
      body: { maxActiveSeries: 1000, ingestionRateSamplesPerSecond: 500 },
    });
    expect(first.status).toBe(200);
    expect(first.body.quota).toMatchObject({
      maxActiveSeries: 1000,
      ingestionRateSamplesPerSecond: 500,
    });
    await pause(50);
    const between = new Date().toISOString();
    await pause(50);
    const second = await call('PATCH', '/api/v1/admin/tenants/acme/quota', {
      body: { maxActiveSeries: 2000 },
      headers: { 'if-match': first.headers.get('etag') ?? '' },
    });
    expect(second.status).toBe(200);
    expect(second.body.quota.maxActiveSeries).toBe(2000);
    const stale = await call('PATCH', '/api/v1/admin/tenants/acme/quota', {
      body: { maxActiveSeries: 3000 },
      headers: { 'if-match': first.headers.get('etag') ?? '' },
    });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('version_conflict');

    const bad = await call('PATCH', '/api/v1/admin/tenants/acme/quota', {
      body: { maxActiveSeries: -1 },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields).toEqual([{ path: 'maxActiveSeries', message: 'must be >= 0' }]);

    const issued = await call('POST', '/api/v1/admin/tenants/acme/api-keys', {
      body: { name: 'grafana', scopes: ['read'] },
    });
    expect(issued.status).toBe(201);
    const { key, secret } = issued.body as { key: { keyId: string }; secret: string };
    const asKey = await call('GET', '/api/v1/admin/tenants/acme/quota', {
      auth: `Bearer ${secret}`,
    });
    expect(asKey.status).toBe(200);
    expect(asKey.body.quota.maxActiveSeries).toBe(2000);
    const basic = `Basic ${Buffer.from(`${key.keyId}:${secret}`).toString('base64')}`;
    expect((await call('GET', '/api/v1/user_limits', { auth: basic })).body).toMatchObject({
      tenantId: 'acme',
      limits: { maxActiveSeries: 2000 },
    });
    expect(
      (
        await call('PATCH', '/api/v1/admin/tenants/acme/quota', {
          auth: `Bearer ${secret}`,
          body: { maxActiveSeries: 1 },
        })
      ).status,
    ).toBe(403);

    const audit = await call('GET', '/api/v1/admin/audit?tenant=acme');
    expect(audit.status).toBe(200);
    const entries = audit.body.items as AuditEntry[];
    expect(entries.map((e) => e.type)).toEqual([
      'TenantCreated',
      'QuotaSet',
      'QuotaSet',
      'ApiKeyIssued',
    ]);
    expect(entries[0]).toMatchObject({
      actor: 'platform-admin',
      actorKind: 'platform-admin',
      requestId: 'walk-1',
      sourceAddress: '127.0.0.1',
      tenantId: 'acme',
    });
    const page = await call('GET', '/api/v1/admin/audit?tenant=acme&type=QuotaSet&limit=1');
    expect(page.body.items).toHaveLength(1);
    expect(page.body.nextCursor).toEqual(expect.any(String));

    const replay = await call(
      'GET',
      `/api/v1/admin/audit/replay?at=${encodeURIComponent(between)}`,
    );
    expect(replay.status).toBe(200);
    const snapshot = replay.body as ControlPlaneSnapshot;
    expect(snapshot.tenants.find((t) => t.tenantId === 'acme')?.quota.maxActiveSeries).toBe(1000);

    const verify = await call('GET', '/api/v1/admin/audit/verify');
    expect(verify.body).toMatchObject({ ok: true, brokenAt: null });

    const revoked = await call('DELETE', `/api/v1/admin/api-keys/${key.keyId}`);
    expect(revoked.body.status).toBe('revoked');
    const refused = await call('GET', '/api/v1/admin/tenants/acme', { auth: `Bearer ${secret}` });
    expect(refused.status).toBe(401);
  });

  it('answers the same over GraphQL', async () => {
    const res = await call('POST', '/graphql', {
      body: {
        query:
          '{ tenant(tenantId: "acme") { displayName } quota(tenantId: "acme") { quota { maxActiveSeries } } auditEvents(filter: { tenantId: "acme" }, first: 2) { items { type } nextCursor } }',
      },
    });
    expect(res.body.data).toEqual({
      tenant: { displayName: 'Acme Corp' },
      quota: { quota: { maxActiveSeries: 2000 } },
      auditEvents: {
        items: [{ type: 'TenantCreated' }, { type: 'QuotaSet' }],
        nextCursor: expect.any(String),
      },
    });
    const missing = await call('POST', '/graphql', {
      body: { query: 'mutation { suspendTenant(tenantId: "nobody") { status } }' },
    });
    expect(missing.body.errors[0].extensions.code).toBe('not_found');
  });
});
