import { type Harness, seedTenants, startHarness } from '../../testing/gateway-harness';

describe('tenants over REST', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('creates a tenant and answers 201 with the view, its ETag and Location', async () => {
    const res = await h.call('POST', '/api/v1/admin/tenants', {
      body: { tenantId: 'acme', displayName: 'Acme' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      tenantId: 'acme',
      displayName: 'Acme',
      status: 'active',
      version: 1,
    });
    expect(res.headers.get('etag')).toBe('"1"');
    expect(res.headers.get('location')).toBe('/api/v1/admin/tenants/acme');
    expect(h.controlPlane.commands.at(-1)!.context).toMatchObject({
      actor: 'platform-admin',
      actorKind: 'platform-admin',
      sourceAddress: '127.0.0.1',
    });
  });

  it('answers 409 already_exists on a second create', async () => {
    const res = await h.call('POST', '/api/v1/admin/tenants', {
      body: { tenantId: 'acme', displayName: 'Acme' },
    });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('already_exists');
  });

  it('lists, reads, renames with If-Match, suspends, resumes and deletes', async () => {
    await seedTenants(h, 'beta');
    const list = await h.call('GET', '/api/v1/admin/tenants?limit=1');
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(1);
    expect(list.body.nextCursor).toBe('1');
    const next = await h.call(
      'GET',
      `/api/v1/admin/tenants?limit=1&cursor=${list.body.nextCursor}`,
    );
    expect(next.body.items[0].tenantId).toBe('beta');

    const one = await h.call('GET', '/api/v1/admin/tenants/beta');
    expect(one.headers.get('etag')).toBe('"1"');
    const renamed = await h.call('PATCH', '/api/v1/admin/tenants/beta', {
      body: { displayName: 'Beta Inc' },
      headers: { 'if-match': '"1"' },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body.displayName).toBe('Beta Inc');
    expect(renamed.headers.get('etag')).toBe('"2"');

    const stale = await h.call('PATCH', '/api/v1/admin/tenants/beta', {
      body: { displayName: 'Again' },
      headers: { 'if-match': '"1"' },
    });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('version_conflict');
    const staleBody = await h.call('PATCH', '/api/v1/admin/tenants/beta', {
      body: { displayName: 'Again', expectedVersion: 1 },
    });
    expect(staleBody.body.error.code).toBe('version_conflict');

    const suspended = await h.call('POST', '/api/v1/admin/tenants/beta/suspend', {
      body: { reason: 'unpaid' },
    });
    expect(suspended.status).toBe(200);
    expect(suspended.body).toMatchObject({ status: 'suspended', suspendedReason: 'unpaid' });
    const resumed = await h.call('POST', '/api/v1/admin/tenants/beta/resume');
    expect(resumed.body.status).toBe('active');
    const deleted = await h.call('DELETE', '/api/v1/admin/tenants/beta');
    expect(deleted.status).toBe(200);
    expect(deleted.body.status).toBe('deleted');
  });

  it('answers 404 not_found for an unknown tenant and for an unknown route', async () => {
    expect((await h.call('GET', '/api/v1/admin/tenants/nope')).body.error.code).toBe('not_found');
    const route = await h.call('GET', '/api/v1/admin/nothing-here');
    expect(route.status).toBe(404);
    expect(route.body.error.code).toBe('not_found');
  });

  it('carries the caller request id through to the command and back', async () => {
    const res = await h.call('POST', '/api/v1/admin/tenants', {
      body: { tenantId: 'gamma', displayName: 'G' },
      headers: { 'x-request-id': 'req-123' },
    });
    expect(res.headers.get('x-request-id')).toBe('req-123');
    expect(h.controlPlane.commands.at(-1)!.context.requestId).toBe('req-123');
    const generated = await h.call('GET', '/api/v1/admin/tenants/gamma');
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
