import { type Bus } from '@strata/bus';
import { QuerySubjects } from '@strata/contracts';
import { type GatewayConfig } from '../gateway.options';
import { type RunningGateway, startGateway } from '../start-gateway';
import { fakeBus } from '@strata/bus/testing';
import { FakeControlPlane } from '../../testing/fake-control-plane';

const ADMIN = 'prom-api-admin-token-0123456789';
const PARTIAL_WARNING = 'partition 5: no responders';
const ctx = { actor: 'spec', actorKind: 'system' as const, sourceAddress: '', requestId: 'spec' };

describe('Prometheus API in the gateway', () => {
  const asked: Array<{ subject: string; payload: Record<string, unknown> }> = [];
  const controlPlane = new FakeControlPlane();
  let gateway: RunningGateway;
  let readKey: string;
  let writeKey: string;

  beforeAll(async () => {
    const bus: Bus = {
      ...fakeBus(),
      request: <Req, Res>(subject: string, payload: Req): Promise<Res> => {
        asked.push({ subject, payload: payload as Record<string, unknown> });
        if ((payload as { partialResponse?: boolean }).partialResponse === true) {
          // What the query service answers when a store was left out: warnings beside the data,
          // range replies already serialised.
          const body = {
            status: 'success',
            data: { resultType: 'vector', result: [] },
            warnings: [PARTIAL_WARNING],
          };
          return Promise.resolve(
            (subject === QuerySubjects.range
              ? { status: 'success', serialized: JSON.stringify(body) }
              : body) as Res,
          );
        }
        return Promise.resolve({
          status: 'success',
          data: { resultType: 'vector', result: [] },
        } as Res);
      },
    };
    await controlPlane.command(
      { type: 'CreateTenant', tenantId: 'acme', displayName: 'Acme' },
      ctx,
    );
    await controlPlane.command(
      { type: 'SetQuota', tenantId: 'acme', quota: { maxSeriesPerQuery: 123 } },
      ctx,
    );
    const issue = async (scopes: Array<'read' | 'write'>): Promise<string> =>
      (
        await controlPlane.command(
          { type: 'IssueApiKey', tenantId: 'acme', name: 'k', scopes },
          ctx,
        )
      ).apiKey?.secret ?? '';
    readKey = await issue(['read']);
    writeKey = await issue(['write']);
    const config: GatewayConfig = {
      adminToken: ADMIN,
      tenantHeader: 'x-scope-orgid',
      maxBodyBytes: 64 * 1024,
      host: '127.0.0.1',
      port: 0,
      tls: null,
    };
    gateway = await startGateway({ config, bus, controlPlane });
  });

  afterAll(() => gateway.close());

  const get = async (
    path: string,
    headers: Record<string, string>,
  ): Promise<{ status: number; body: Record<string, unknown> }> => {
    const res = await fetch(`${gateway.url}${path}`, { headers });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it("forwards a read key's queries for its tenant with the tenant's quota limits", async () => {
    const r = await get('/api/v1/query?query=up&time=10', { authorization: `Bearer ${readKey}` });
    expect(r).toEqual({
      status: 200,
      body: { status: 'success', data: { resultType: 'vector', result: [] } },
    });
    expect(asked.at(-1)).toMatchObject({
      subject: QuerySubjects.instant,
      payload: {
        tenantId: 'acme',
        query: 'up',
        timeMs: 10_000,
        limits: { maxSeriesPerQuery: 123 },
      },
    });
  });

  it('lets the platform admin query the tenant named in X-Scope-OrgID, and POST forms work', async () => {
    const res = await fetch(`${gateway.url}/api/v1/query_range`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${ADMIN}`,
        'x-scope-orgid': 'acme',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'query=sum(up)&start=0&end=60&step=15',
    });
    expect(res.status).toBe(200);
    expect(asked.at(-1)).toMatchObject({
      subject: QuerySubjects.range,
      payload: { tenantId: 'acme', query: 'sum(up)', startMs: 0, endMs: 60_000, stepMs: 15_000 },
    });
  });

  it('refuses callers without credentials, without the read scope, or naming another tenant', async () => {
    const before = asked.length;
    expect((await get('/api/v1/query?query=up', {})).status).toBe(401);
    expect(
      (await get('/api/v1/query?query=up', { authorization: `Bearer ${writeKey}` })).status,
    ).toBe(403);
    expect(
      (
        await get('/api/v1/query?query=up', {
          authorization: `Bearer ${readKey}`,
          'x-scope-orgid': 'other',
        })
      ).status,
    ).toBe(403);
    expect((await get('/api/v1/labels', { authorization: `Bearer ${ADMIN}` })).status).toBe(400);
    expect(asked.length).toBe(before);
  });

  it('carries partial_response to the service and its warnings to the HTTP body, GET and POST alike', async () => {
    const auth = { authorization: `Bearer ${readKey}` };
    expect(await get('/api/v1/query?query=up&time=10&partial_response=true', auth)).toEqual({
      status: 200,
      body: {
        status: 'success',
        data: { resultType: 'vector', result: [] },
        warnings: [PARTIAL_WARNING],
      },
    });
    expect(asked.at(-1)).toMatchObject({
      subject: QuerySubjects.instant,
      payload: { partialResponse: true },
    });
    const res = await fetch(`${gateway.url}/api/v1/query_range`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'query=up&start=0&end=60&step=15&partial_response=true',
    });
    expect([res.status, await res.json()]).toEqual([
      200,
      {
        status: 'success',
        data: { resultType: 'vector', result: [] },
        warnings: [PARTIAL_WARNING],
      },
    ]);
    expect((await get('/api/v1/labels?partial_response=0', auth)).body).not.toHaveProperty(
      'warnings',
    );
    expect(asked.at(-1)).toMatchObject({
      subject: QuerySubjects.labelNames,
      payload: { partialResponse: false },
    });
    const before = asked.length;
    expect(await get('/api/v1/label/job/values?partial_response=maybe', auth)).toEqual({
      status: 400,
      body: {
        status: 'error',
        errorType: 'bad_data',
        error: `'partial_response' parameter: strconv.ParseBool: parsing "maybe": invalid syntax`,
      },
    });
    expect(asked.length).toBe(before);
  });

  it("answers parameter errors in Prometheus' shape", async () => {
    const r = await get('/api/v1/query_range?query=up&start=10&end=0&step=1', {
      authorization: `Bearer ${readKey}`,
    });
    expect(r).toEqual({
      status: 400,
      body: {
        status: 'error',
        errorType: 'bad_data',
        error: 'invalid parameter "end": end timestamp must not be before start time',
      },
    });
  });
});
