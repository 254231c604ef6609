import { type DynamicModule, type INestApplicationContext, Module } from '@nestjs/common';
import { connectBus, serveOnBus, type NatsBus } from '@strata/bus';
import { Subjects } from '@strata/contracts';
// eslint-disable-next-line @nx/enforce-module-boundaries -- revocation is shown against the real control plane
import { ControlPlaneModule } from '@strata/control-plane';
import {
  freshDatabase,
  type FreshDatabase,
  testNatsLogin,
  testServices,
  uniqueName,
} from '@strata/testing';
import { type RunningGateway, startGateway } from '../start-gateway';
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

/**
 * Two gateway replicas in front of one real control plane (NATS, Postgres): what one of them
 * changes, the other stops honouring within the event's propagation, cache or no cache.
 */
describe('admission cache across gateway replicas', () => {
  let db: FreshDatabase;
  let nats: NatsBus;
  let controlPlane: INestApplicationContext;
  let first: RunningGateway;
  let second: RunningGateway;

  beforeAll(async () => {
    db = await freshDatabase('gateway_admission');
    nats = await connectBus({
      url: testServices().natsUrl,
      ...testNatsLogin('admin'),
      name: 'gateway-admission',
      logger: quiet,
    });
    const bus = prefixedBus(nats, uniqueName('admit'));
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
          ControlPlaneModule.forRoot({ databaseUrl: db.url, busToken: SPEC_BUS }),
        ],
      },
      { logger: ['error'] },
    ));
    const config = {
      adminToken: ADMIN,
      tenantHeader: 'x-scope-orgid',
      maxBodyBytes: 1 << 20,
      host: '127.0.0.1',
      port: 0,
      tls: null,
    };
    // A TTL far beyond the spec's deadline, so only the events can explain a refusal.
    first = await startGateway({ config, bus, admissionCacheTtlMs: 600_000 });
    second = await startGateway({ config, bus, admissionCacheTtlMs: 600_000 });
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
    await controlPlane?.close();
    await nats?.drain();
    await db?.drop();
  });

  const call = async (
    gateway: RunningGateway,
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
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as any };
  };

  /** Polls until `request` answers `status`; the milliseconds that took. */
  const msUntil = async (status: number, request: () => Promise<{ status: number }>) => {
    const start = Date.now();
    for (;;) {
      if ((await request()).status === status) return Date.now() - start;
      if (Date.now() - start > 10_000) throw new Error(`no ${status} within 10 s`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  it('refuses a key revoked through one replica on the other within a second', async () => {
    expect(
      (
        await call(first, 'POST', '/api/v1/admin/tenants', {
          body: { tenantId: 'acme', displayName: 'Acme' },
        })
      ).status,
    ).toBe(201);
    const issued = await call(first, 'POST', '/api/v1/admin/tenants/acme/api-keys', {
      body: { name: 'grafana', scopes: ['read'] },
    });
    expect(issued.status).toBe(201);
    const { key, secret } = issued.body as { key: { keyId: string }; secret: string };
    const asKey = (gateway: RunningGateway) =>
      call(gateway, 'GET', '/api/v1/user_limits', { auth: `Bearer ${secret}` });
    // Both replicas now hold the key.
    expect((await asKey(first)).status).toBe(200);
    expect((await asKey(second)).status).toBe(200);

    expect((await call(first, 'DELETE', `/api/v1/admin/api-keys/${key.keyId}`)).status).toBe(200);
    expect((await asKey(first)).status).toBe(401);
    expect(await msUntil(401, () => asKey(second))).toBeLessThan(1_000);

    // A refusal is not remembered: a key issued right after works on both at once.
    const again = await call(first, 'POST', '/api/v1/admin/tenants/acme/api-keys', {
      body: { name: 'grafana-2', scopes: ['read'] },
    });
    const fresh = `Bearer ${(again.body as { secret: string }).secret}`;
    expect(
      (await call(second, 'GET', '/api/v1/user_limits', { auth: 'Bearer stk_nope' })).status,
    ).toBe(401);
    expect((await call(second, 'GET', '/api/v1/user_limits', { auth: fresh })).status).toBe(200);
  });

  it("refuses the platform admin's requests for a tenant suspended through the other replica", async () => {
    expect(
      (
        await call(first, 'POST', '/api/v1/admin/tenants', {
          body: { tenantId: 'globex', displayName: 'Globex' },
        })
      ).status,
    ).toBe(201);
    const forGlobex = (gateway: RunningGateway) =>
      call(gateway, 'GET', '/api/v1/user_limits', { headers: { 'x-scope-orgid': 'globex' } });
    expect((await forGlobex(first)).status).toBe(200);
    expect((await forGlobex(second)).status).toBe(200);

    const suspended = await call(first, 'POST', '/api/v1/admin/tenants/globex/suspend', {
      body: {},
    });
    expect(suspended.status).toBe(200);
    expect((await forGlobex(first)).body.error.code).toBe('tenant_suspended');
    expect(await msUntil(403, () => forGlobex(second))).toBeLessThan(1_000);
    expect((await forGlobex(second)).body.error.code).toBe('tenant_suspended');

    expect(
      (await call(second, 'POST', '/api/v1/admin/tenants/globex/resume', { body: {} })).status,
    ).toBe(200);
    expect(await msUntil(200, () => forGlobex(first))).toBeLessThan(1_000);
  });
});
