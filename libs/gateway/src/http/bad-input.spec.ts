import { type Harness, seedTenants, startHarness } from '../../testing/gateway-harness';

describe('bad input at the edge', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ maxBodyBytes: 1024 });
    await seedTenants(h, 'acme');
  });
  afterAll(() => h.close());
  afterEach(() => expect(h.controlPlane.commands).toEqual([]));

  const fieldsOf = (body: { error: { fields?: Array<{ path: string }> } }) =>
    body.error.fields?.map((f) => f.path);

  it('answers malformed JSON with 400 validation_failed', async () => {
    const res = await h.call('POST', '/api/v1/admin/tenants', { rawBody: '{"tenantId": "x",' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(fieldsOf(res.body)).toEqual(['(root)']);
  });

  it('names unknown fields one by one', async () => {
    const res = await h.call('POST', '/api/v1/admin/tenants', {
      body: { tenantId: 'new', displayName: 'N', owner: 'x', colour: 'red' },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(fieldsOf(res.body)).toEqual(['owner', 'colour']);
    expect(res.body.error.fields[0].message).toBe('unknown field');
  });

  it('refuses a body that tries to set what the URL decides', async () => {
    const res = await h.call('PATCH', '/api/v1/admin/tenants/acme', {
      body: { displayName: 'A', tenantId: 'other' },
    });
    expect(res.status).toBe(400);
    expect(fieldsOf(res.body)).toEqual(['tenantId']);
  });

  it('reports wrong types and bad tenant ids with their paths', async () => {
    const res = await h.call('POST', '/api/v1/admin/tenants', {
      body: { tenantId: 'Not_Valid', displayName: 42 },
    });
    expect(res.status).toBe(400);
    expect(fieldsOf(res.body)?.sort()).toEqual(['displayName', 'tenantId']);
  });

  it('refuses a body that is not an object', async () => {
    const res = await h.call('POST', '/api/v1/admin/tenants', { body: [1, 2] });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
  });

  it('refuses negative and fractional quotas with field paths of the body', async () => {
    const res = await h.call('PATCH', '/api/v1/admin/tenants/acme/quota', {
      body: { maxActiveSeries: -1, maxLabelsPerSeries: 1.5 },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.fields).toEqual([
      { path: 'maxActiveSeries', message: 'must be >= 0' },
      { path: 'maxLabelsPerSeries', message: 'must be an integer' },
    ]);
  });

  it('refuses unknown quota fields and a PUT that is not a whole quota', async () => {
    const unknown = await h.call('PATCH', '/api/v1/admin/tenants/acme/quota', {
      body: { maxSeries: 10 },
    });
    expect(fieldsOf(unknown.body)).toEqual(['maxSeries']);
    const partial = await h.call('PUT', '/api/v1/admin/tenants/acme/quota', {
      body: { maxActiveSeries: 10 },
    });
    expect(partial.status).toBe(400);
    expect(fieldsOf(partial.body)).toContain('retentionRawSeconds');
  });

  it('refuses a malformed If-Match and one that contradicts expectedVersion', async () => {
    const bad = await h.call('PATCH', '/api/v1/admin/tenants/acme', {
      body: { displayName: 'A' },
      headers: { 'if-match': 'yesterday' },
    });
    expect(fieldsOf(bad.body)).toEqual(['If-Match']);
    const both = await h.call('PATCH', '/api/v1/admin/tenants/acme', {
      body: { displayName: 'A', expectedVersion: 2 },
      headers: { 'if-match': '"1"' },
    });
    expect(fieldsOf(both.body)).toEqual(['expectedVersion']);
  });

  it('answers an oversized body with 413 payload_too_large', async () => {
    const res = await h.call('POST', '/api/v1/admin/tenants', {
      body: { tenantId: 'big', displayName: 'x'.repeat(2000) },
    });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
  });

  it('answers a non-JSON content type with 415', async () => {
    const res = await h.call('POST', '/api/v1/admin/tenants', {
      rawBody: 'tenantId=x',
      headers: { 'content-type': 'text/plain' },
    });
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('unsupported_media_type');
  });

  it('validates query parameters of the audit list, under their public names', async () => {
    const res = await h.call(
      'GET',
      '/api/v1/admin/audit?tenant=Bad_Id&limit=5000&from=yesterday&colour=red',
    );
    expect(res.status).toBe(400);
    expect(fieldsOf(res.body)).toEqual(['colour']);
    const ranges = await h.call(
      'GET',
      '/api/v1/admin/audit?tenant=Bad_Id&limit=5000&from=yesterday',
    );
    expect(fieldsOf(ranges.body)?.sort()).toEqual(['from', 'limit', 'tenant']);
  });

  it('needs exactly one of at and position for replay', async () => {
    const none = await h.call('GET', '/api/v1/admin/audit/replay');
    expect(none.status).toBe(400);
    const both = await h.call(
      'GET',
      '/api/v1/admin/audit/replay?at=2026-01-01T00:00:00Z&position=3',
    );
    expect(both.body.error.code).toBe('validation_failed');
  });
});

describe('query strings', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('reads an unencoded + of a time zone offset in audit filters as a +', async () => {
    const res = await h.call('GET', '/api/v1/admin/audit?from=2026-01-01T00:00:00+02:00');
    expect(res.status).toBe(200);
    expect(h.controlPlane.queries.at(-1)).toMatchObject({
      type: 'ListAuditEvents',
      from: '2026-01-01T00:00:00+02:00',
    });
  });
});
