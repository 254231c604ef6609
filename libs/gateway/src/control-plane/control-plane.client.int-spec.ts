import { connectBus, type NatsBus } from '@strata/bus';
import {
  type ControlCommandRequest,
  type ControlQueryRequest,
  QueueGroups,
  StrataError,
  Subjects,
} from '@strata/contracts';
import { testNatsLogin, testServices, uniqueName } from '@strata/testing';
import { type RunningGateway, startGateway } from '../start-gateway';
import { FakeControlPlane } from '../../testing/fake-control-plane';
import { ADMIN_TOKEN } from '../../testing/gateway-harness';
import { prefixedBus } from '@strata/bus/testing';
import { BusControlPlaneClient } from './control-plane.client';

const quiet = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

describe('BusControlPlaneClient over a real nats-server', () => {
  let nats: NatsBus;
  let gateway: RunningGateway;
  const fake = new FakeControlPlane();
  const seen: string[] = [];

  beforeAll(async () => {
    nats = await connectBus({
      url: testServices().natsUrl,
      ...testNatsLogin('admin'),
      name: 'gateway-client-spec',
      logger: quiet,
    });
    const bus = prefixedBus(nats, uniqueName('gw'));
    const group = QueueGroups.of('control-plane');
    bus.serve<ControlCommandRequest, unknown>(Subjects.controlCommand, group, async (req, meta) => {
      seen.push(meta.headers['x-request-id'] ?? '');
      return fake.command(req.command, req.context);
    });
    bus.serve<ControlQueryRequest, unknown>(Subjects.controlQuery, group, async (req) =>
      fake.query(req.query, req.requestId),
    );
    bus.serve(Subjects.serviceHealth('control-plane'), null, () => fake.health());
    gateway = await startGateway({
      config: {
        adminToken: ADMIN_TOKEN,
        tenantHeader: 'x-scope-orgid',
        maxBodyBytes: 1 << 20,
        host: '127.0.0.1',
        port: 0,
        tls: null,
      },
      bus,
      controlPlane: new BusControlPlaneClient(bus, 5_000),
    });
  });
  afterAll(async () => {
    await gateway.close();
    await nats.drain();
  });

  const call = (method: string, path: string, body?: unknown) =>
    fetch(`${gateway.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${ADMIN_TOKEN}`,
        'x-request-id': 'int-1',
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('sends commands and queries over the contract subjects and returns their replies', async () => {
    const created = await call('POST', '/api/v1/admin/tenants', {
      tenantId: 'acme',
      displayName: 'Acme',
    });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ tenantId: 'acme', version: 1 });
    expect(seen).toEqual(['int-1']);
  });

  it('rethrows the control plane error replies as StrataErrors with their codes', async () => {
    const again = await call('POST', '/api/v1/admin/tenants', {
      tenantId: 'acme',
      displayName: 'Acme',
    });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('already_exists');
  });

  it('reports ready when the control plane answers health requests', async () => {
    const res = await fetch(`${gateway.url}/readyz`);
    expect(res.status).toBe(200);
  });

  it('turns "nobody answers" into unavailable', async () => {
    const lonely = new BusControlPlaneClient(prefixedBus(nats, uniqueName('nobody')), 1_000);
    const error = await lonely
      .query({ type: 'GetTenant', tenantId: 'acme' }, 'r1')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StrataError);
    expect(['unavailable', 'timeout']).toContain((error as StrataError).code);
  });
});
