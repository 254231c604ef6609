import { DEFAULT_QUOTA } from '@strata/contracts';
import { type Harness, seedTenants, startHarness } from '../../testing/gateway-harness';

describe('quotas and API keys over REST', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await seedTenants(h, 'acme');
  });
  afterAll(() => h.close());

  it('reads the quota with its ETag, patches one field and replaces the whole quota', async () => {
    const initial = await h.call('GET', '/api/v1/admin/tenants/acme/quota');
    expect(initial.status).toBe(200);
    expect(initial.body.quota).toEqual(DEFAULT_QUOTA);
    expect(initial.headers.get('etag')).toBe('"0"');

    const patched = await h.call('PATCH', '/api/v1/admin/tenants/acme/quota', {
      body: { maxActiveSeries: 10 },
      headers: { 'if-match': '"0"' },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.quota).toEqual({ ...DEFAULT_QUOTA, maxActiveSeries: 10 });
    expect(patched.headers.get('etag')).toBe('"1"');
    expect(h.controlPlane.commands.at(-1)!.command).toEqual({
      type: 'SetQuota',
      tenantId: 'acme',
      quota: { maxActiveSeries: 10 },
      expectedVersion: 0,
    });

    const whole = { ...DEFAULT_QUOTA, ingestionRateSamplesPerSecond: 0 };
    const replaced = await h.call('PUT', '/api/v1/admin/tenants/acme/quota', {
      body: { ...whole, expectedVersion: 1 },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body.quota).toEqual(whole);
  });

  it('issues keys, pages through them and reads one', async () => {
    for (const name of ['a', 'b', 'c']) {
      const res = await h.call('POST', '/api/v1/admin/tenants/acme/api-keys', {
        body: { name, scopes: ['read'] },
      });
      expect(res.status).toBe(201);
      expect(res.headers.get('location')).toBe(`/api/v1/admin/api-keys/${res.body.key.keyId}`);
    }
    const first = await h.call('GET', '/api/v1/admin/tenants/acme/api-keys?limit=2');
    expect(first.body.items).toHaveLength(2);
    const rest = await h.call(
      'GET',
      `/api/v1/admin/tenants/acme/api-keys?limit=2&cursor=${first.body.nextCursor}`,
    );
    expect(rest.body).toMatchObject({
      items: [expect.objectContaining({ name: 'c' })],
      nextCursor: null,
    });
    const one = await h.call('GET', `/api/v1/admin/api-keys/${rest.body.items[0].keyId}`);
    expect(one.headers.get('etag')).toBe('"1"');
    expect(one.body.secret).toBeUndefined();
  });

  it('refuses a malformed key id and key requests without scopes', async () => {
    expect((await h.call('GET', '/api/v1/admin/api-keys/not-a-key')).body.error.fields).toEqual([
      { path: 'keyId', message: expect.any(String) },
    ]);
    const noScopes = await h.call('POST', '/api/v1/admin/tenants/acme/api-keys', {
      body: { name: 'x', scopes: [] },
    });
    expect(noScopes.body.error.fields).toEqual([{ path: 'scopes', message: 'at least one scope' }]);
    const badScope = await h.call('POST', '/api/v1/admin/tenants/acme/api-keys', {
      body: { name: 'x', scopes: ['root'] },
    });
    expect(badScope.body.error.fields[0].path).toBe('scopes.0');
  });
});
