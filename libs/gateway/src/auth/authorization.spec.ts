import {
  ADMIN_TOKEN,
  type Harness,
  seedTenants,
  startHarness,
} from '../../testing/gateway-harness';

const basic = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('authentication and authorization matrix', () => {
  let h: Harness;
  let readA: { keyId: string; secret: string };
  let adminA: { keyId: string; secret: string };
  let writeA: { keyId: string; secret: string };
  let readB: { keyId: string; secret: string };

  beforeAll(async () => {
    h = await startHarness();
    await seedTenants(h, 'tenant-a', 'tenant-b');
    readA = await h.issueKey('tenant-a', ['read']);
    adminA = await h.issueKey('tenant-a', ['admin']);
    writeA = await h.issueKey('tenant-a', ['write']);
    readB = await h.issueKey('tenant-b', ['read']);
  });
  afterAll(() => h.close());
  beforeEach(() => {
    h.controlPlane.commands.length = 0;
  });

  const bearer = (key: { secret: string }): string => `Bearer ${key.secret}`;

  describe('authentication', () => {
    it('answers missing credentials with 401 and a challenge', async () => {
      const res = await h.call('GET', '/api/v1/admin/tenants', { auth: null });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('unauthorized');
      expect(res.headers.get('www-authenticate')).toContain('Bearer');
      expect(res.headers.get('www-authenticate')).toContain('Basic');
    });

    it('answers a wrong secret, a wrong scheme and a garbled header with 401', async () => {
      for (const auth of [
        'Bearer nope',
        'Digest abc',
        'Bearer',
        basic('admin', 'wrong-token-0123456789'),
      ]) {
        const res = await h.call('GET', '/api/v1/admin/tenants', { auth });
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toBeTruthy();
      }
    });

    it('accepts the admin token as Bearer and as Basic admin:<token>', async () => {
      expect(
        (await h.call('GET', '/api/v1/admin/tenants', { auth: `Bearer ${ADMIN_TOKEN}` })).status,
      ).toBe(200);
      expect(
        (await h.call('GET', '/api/v1/admin/tenants', { auth: basic('admin', ADMIN_TOKEN) }))
          .status,
      ).toBe(200);
      expect(
        (await h.call('GET', '/api/v1/admin/tenants', { auth: basic('someone', ADMIN_TOKEN) }))
          .status,
      ).toBe(401);
    });

    it('accepts a key as Bearer, as Basic keyId:secret and as Basic with any user', async () => {
      for (const auth of [
        bearer(readA),
        basic(readA.keyId, readA.secret),
        basic('grafana', readA.secret),
      ]) {
        expect((await h.call('GET', '/api/v1/admin/tenants/tenant-a', { auth })).status).toBe(200);
      }
      const otherKeyId = await h.call('GET', '/api/v1/admin/tenants/tenant-a', {
        auth: basic(adminA.keyId, readA.secret),
      });
      expect(otherKeyId.status).toBe(401);
    });

    it('rejects a revoked key on the very next request', async () => {
      const key = await h.issueKey('tenant-a', ['read']);
      expect(
        (await h.call('GET', '/api/v1/admin/tenants/tenant-a', { auth: bearer(key) })).status,
      ).toBe(200);
      const revoke = await h.call('DELETE', `/api/v1/admin/api-keys/${key.keyId}`, {
        auth: bearer(adminA),
      });
      expect(revoke.status).toBe(200);
      expect(revoke.body.status).toBe('revoked');
      const after = await h.call('GET', '/api/v1/admin/tenants/tenant-a', { auth: bearer(key) });
      expect(after.status).toBe(401);
      expect(after.body.error.code).toBe('unauthorized');
    });

    it('refuses every key of a suspended tenant with 403 tenant_suspended, and lets the platform admin in', async () => {
      await seedTenants(h, 'sleepy');
      const key = await h.issueKey('sleepy', ['read', 'admin']);
      await h.call('POST', '/api/v1/admin/tenants/sleepy/suspend', { body: {} });
      const res = await h.call('GET', '/api/v1/admin/tenants/sleepy', { auth: bearer(key) });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('tenant_suspended');
      expect((await h.call('GET', '/api/v1/admin/tenants/sleepy')).status).toBe(200);
    });
  });

  describe("a key of tenant A and tenant B's data", () => {
    it.each([
      ['GET', '/api/v1/admin/tenants/tenant-b'],
      ['GET', '/api/v1/admin/tenants/tenant-b/quota'],
      ['GET', '/api/v1/admin/tenants/tenant-b/api-keys'],
      ['GET', '/api/v1/admin/audit?tenant=tenant-b'],
    ])('%s %s → 403 forbidden', async (method, path) => {
      const res = await h.call(method, path, { auth: bearer(adminA) });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
    });

    it('cannot rename B, issue keys for B, or read or revoke a key of B', async () => {
      const attempts = [
        h.call('PATCH', '/api/v1/admin/tenants/tenant-b', {
          auth: bearer(adminA),
          body: { displayName: 'pwned' },
        }),
        h.call('POST', '/api/v1/admin/tenants/tenant-b/api-keys', {
          auth: bearer(adminA),
          body: { name: 'x', scopes: ['admin'] },
        }),
        h.call('GET', `/api/v1/admin/api-keys/${readB.keyId}`, { auth: bearer(adminA) }),
        h.call('DELETE', `/api/v1/admin/api-keys/${readB.keyId}`, { auth: bearer(adminA) }),
      ];
      for (const res of await Promise.all(attempts)) {
        expect(res.status).toBe(403);
        expect(res.body.error.code).toBe('forbidden');
      }
      expect(h.controlPlane.commands).toEqual([]);
    });

    it('sees only its own tenant in lists, audit and replay', async () => {
      const list = await h.call('GET', '/api/v1/admin/tenants', { auth: bearer(readA) });
      expect(list.body.items.map((t: { tenantId: string }) => t.tenantId)).toEqual(['tenant-a']);
      await h.call('PATCH', '/api/v1/admin/tenants/tenant-b', {
        body: { displayName: 'B renamed' },
      });
      const audit = await h.call('GET', '/api/v1/admin/audit', { auth: bearer(readA) });
      expect(audit.status).toBe(200);
      expect(audit.body.items.length).toBeGreaterThan(0);
      expect(audit.body.items.every((e: { tenantId: string }) => e.tenantId === 'tenant-a')).toBe(
        true,
      );
      const replay = await h.call('GET', '/api/v1/admin/audit/replay?position=1000', {
        auth: bearer(readA),
      });
      expect(replay.body.tenants.map((t: { tenantId: string }) => t.tenantId)).toEqual([
        'tenant-a',
      ]);
    });
  });

  describe('scopes', () => {
    it('a read key reads but cannot rename, issue or revoke', async () => {
      expect(
        (await h.call('GET', '/api/v1/admin/tenants/tenant-a/api-keys', { auth: bearer(readA) }))
          .status,
      ).toBe(200);
      const rename = await h.call('PATCH', '/api/v1/admin/tenants/tenant-a', {
        auth: bearer(readA),
        body: { displayName: 'x' },
      });
      expect(rename.status).toBe(403);
      const issue = await h.call('POST', '/api/v1/admin/tenants/tenant-a/api-keys', {
        auth: bearer(readA),
        body: { name: 'x', scopes: ['read'] },
      });
      expect(issue.status).toBe(403);
      const revoke = await h.call('DELETE', `/api/v1/admin/api-keys/${adminA.keyId}`, {
        auth: bearer(readA),
      });
      expect(revoke.status).toBe(403);
      expect(h.controlPlane.commands).toEqual([]);
    });

    it('a write key cannot read admin data', async () => {
      const res = await h.call('GET', '/api/v1/admin/tenants/tenant-a', { auth: bearer(writeA) });
      expect(res.status).toBe(403);
      expect(res.body.error.message).toContain('read');
    });

    it('an admin key renames its tenant and issues keys for it; the secret is returned once', async () => {
      const rename = await h.call('PATCH', '/api/v1/admin/tenants/tenant-a', {
        auth: bearer(adminA),
        body: { displayName: 'A Corp' },
      });
      expect(rename.status).toBe(200);
      const issued = await h.call('POST', '/api/v1/admin/tenants/tenant-a/api-keys', {
        auth: bearer(adminA),
        body: { name: 'ci', scopes: ['write'] },
      });
      expect(issued.status).toBe(201);
      expect(issued.body.secret).toMatch(/^strata_/);
      expect(issued.body.key).toMatchObject({
        tenantId: 'tenant-a',
        name: 'ci',
        scopes: ['write'],
        status: 'active',
      });
      expect(issued.headers.get('cache-control')).toBe('no-store');
      const listed = await h.call('GET', '/api/v1/admin/tenants/tenant-a/api-keys', {
        auth: bearer(adminA),
      });
      expect(JSON.stringify(listed.body)).not.toContain(issued.body.secret);
      expect(h.controlPlane.commands.map((c) => c.context.actor)).toEqual([
        adminA.keyId,
        adminA.keyId,
      ]);
      expect(h.controlPlane.commands.map((c) => c.context.actorKind)).toEqual([
        'api-key',
        'api-key',
      ]);
    });

    it.each([
      ['POST', '/api/v1/admin/tenants', { tenantId: 'mine', displayName: 'M' }],
      ['POST', '/api/v1/admin/tenants/tenant-a/suspend', {}],
      ['POST', '/api/v1/admin/tenants/tenant-a/resume', {}],
      ['DELETE', '/api/v1/admin/tenants/tenant-a', undefined],
      ['PATCH', '/api/v1/admin/tenants/tenant-a/quota', { maxActiveSeries: 1 }],
      ['GET', '/api/v1/admin/audit/verify', undefined],
    ])(
      '%s %s is for the platform admin only, even with an admin key',
      async (method, path, body) => {
        const res = await h.call(method, path, { auth: bearer(adminA), body });
        expect(res.status).toBe(403);
        expect(res.body.error.code).toBe('forbidden');
        expect(h.controlPlane.commands).toEqual([]);
      },
    );
  });

  describe('tenant admission on data routes', () => {
    it('binds a key to its tenant and refuses a header naming another one', async () => {
      const own = await h.call('GET', '/api/v1/user_limits', { auth: bearer(readA) });
      expect(own.status).toBe(200);
      expect(own.body.tenantId).toBe('tenant-a');
      const same = await h.call('GET', '/api/v1/user_limits', {
        auth: bearer(readA),
        headers: { 'x-scope-orgid': 'tenant-a' },
      });
      expect(same.status).toBe(200);
      const other = await h.call('GET', '/api/v1/user_limits', {
        auth: bearer(readA),
        headers: { 'x-scope-orgid': 'tenant-b' },
      });
      expect(other.status).toBe(403);
      expect(other.body.error.code).toBe('forbidden');
    });

    it('takes the tenant from the header for the platform admin: unknown → tenant_unknown, suspended → tenant_suspended', async () => {
      expect(
        (await h.call('GET', '/api/v1/user_limits', { headers: { 'x-scope-orgid': 'tenant-b' } }))
          .body.tenantId,
      ).toBe('tenant-b');
      const unknown = await h.call('GET', '/api/v1/user_limits', {
        headers: { 'x-scope-orgid': 'ghost' },
      });
      expect(unknown.status).toBe(403);
      expect(unknown.body.error.code).toBe('tenant_unknown');
      const suspended = await h.call('GET', '/api/v1/user_limits', {
        headers: { 'x-scope-orgid': 'sleepy' },
      });
      expect(suspended.status).toBe(403);
      expect(suspended.body.error.code).toBe('tenant_suspended');
    });
  });
});
