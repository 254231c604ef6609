import { type Harness, seedTenants, startHarness } from '../../testing/gateway-harness';

describe('admin GraphQL', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await seedTenants(h, 'tenant-a', 'tenant-b');
  });
  afterAll(() => h.close());
  beforeEach(() => {
    h.controlPlane.commands.length = 0;
  });

  const gql = (query: string, variables: Record<string, unknown> = {}, auth?: string | null) =>
    h.call('POST', '/graphql', { body: { query, variables }, auth });

  it('creates a tenant, sets its quota and issues a key', async () => {
    const created = await gql(
      'mutation { createTenant(tenantId: "gql", displayName: "GraphQL") { tenantId status version } }',
    );
    expect(created.body).toEqual({
      data: { createTenant: { tenantId: 'gql', status: 'active', version: 1 } },
    });
    const quota = await gql(
      'mutation($q: QuotaPatchInput!) { setQuota(tenantId: "gql", quota: $q) { version quota { maxActiveSeries logBytesPerDay } } }',
      {
        q: { maxActiveSeries: 5000, logBytesPerDay: 20 * 1024 ** 3 },
      },
    );
    expect(quota.body.data.setQuota).toEqual({
      version: 1,
      quota: { maxActiveSeries: 5000, logBytesPerDay: 20 * 1024 ** 3 },
    });
    const issued = await gql(
      'mutation { issueApiKey(tenantId: "gql", name: "ci", scopes: [read]) { secret key { keyId scopes } } }',
    );
    expect(issued.body.data.issueApiKey.secret).toMatch(/^strata_/);
    expect(h.controlPlane.commands.map((c) => c.command.type)).toEqual([
      'CreateTenant',
      'SetQuota',
      'IssueApiKey',
    ]);
  });

  it('pages tenants and audit events with first/after', async () => {
    const first = await gql('{ tenants(first: 1) { items { tenantId } nextCursor } }');
    expect(first.body.data.tenants.items).toHaveLength(1);
    const rest = await gql(
      'query($after: String) { tenants(first: 10, after: $after) { items { tenantId } nextCursor } }',
      { after: first.body.data.tenants.nextCursor },
    );
    expect(rest.body.data.tenants.nextCursor).toBeNull();
    const audit = await gql(
      '{ auditEvents(filter: { type: "CreateTenant" }, first: 2) { items { type tenantId actor data } nextCursor } }',
    );
    expect(audit.body.data.auditEvents.items).toHaveLength(2);
    expect(audit.body.data.auditEvents.items[0]).toMatchObject({
      type: 'CreateTenant',
      data: { tenantId: 'tenant-a' },
    });
  });

  it('answers errors with extensions.code and sends no command on bad input', async () => {
    const negative = await gql(
      'mutation { setQuota(tenantId: "tenant-a", quota: { maxActiveSeries: -5 }) { version } }',
    );
    expect(negative.body.errors[0].extensions).toMatchObject({
      code: 'validation_failed',
      fields: [{ path: 'maxActiveSeries', message: 'must be >= 0' }],
    });
    const badId = await gql(
      'mutation { createTenant(tenantId: "Bad Id", displayName: "x") { tenantId } }',
    );
    expect(badId.body.errors[0].extensions.code).toBe('validation_failed');
    const missing = await gql('{ tenant(tenantId: "ghost") { tenantId } }');
    expect(missing.body.errors[0].extensions.code).toBe('not_found');
    expect(h.controlPlane.commands).toEqual([]);
  });

  it('refuses a key of tenant A on tenant B, and unauthenticated callers', async () => {
    const key = await h.issueKey('tenant-a', ['admin']);
    const read = await gql(
      '{ tenant(tenantId: "tenant-b") { tenantId } }',
      {},
      `Bearer ${key.secret}`,
    );
    expect(read.body.errors[0].extensions.code).toBe('forbidden');
    const rename = await gql(
      'mutation { renameTenant(tenantId: "tenant-b", displayName: "x") { tenantId } }',
      {},
      `Bearer ${key.secret}`,
    );
    expect(rename.body.errors[0].extensions.code).toBe('forbidden');
    const own = await gql(
      '{ tenant(tenantId: "tenant-a") { tenantId } }',
      {},
      `Bearer ${key.secret}`,
    );
    expect(own.body.data.tenant.tenantId).toBe('tenant-a');
    const anonymous = await gql('{ tenants { items { tenantId } } }', {}, null);
    expect(anonymous.body.errors[0].extensions.code).toBe('unauthorized');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toContain('Bearer');
    expect(read.status).toBe(200);
    expect(h.controlPlane.commands).toEqual([]);
  });

  it('maps a stale expectedVersion to version_conflict', async () => {
    const res = await gql(
      'mutation { renameTenant(tenantId: "tenant-a", displayName: "x", expectedVersion: 99) { version } }',
    );
    expect(res.body.errors[0].extensions.code).toBe('version_conflict');
  });

  it('replays the control plane and verifies the chain', async () => {
    const replay = await gql(
      '{ replay(position: 1) { asOfPosition tenants { tenantId quota { maxActiveSeries } } } }',
    );
    expect(replay.body.data.replay).toEqual({
      asOfPosition: 1,
      tenants: [{ tenantId: 'tenant-a', quota: { maxActiveSeries: 150000 } }],
    });
    const verify = await gql('{ verifyAuditChain { ok checkedEvents } }');
    expect(verify.body.data.verifyAuditChain.ok).toBe(true);
  });
});
