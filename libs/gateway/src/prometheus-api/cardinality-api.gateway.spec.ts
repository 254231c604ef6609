import { type Bus } from '@strata/bus';
import { QuerySubjects } from '@strata/contracts';
import { type GatewayConfig } from '../gateway.options';
import { type RunningGateway, startGateway } from '../start-gateway';
import { fakeBus } from '@strata/bus/testing';
import { FakeControlPlane } from '../../testing/fake-control-plane';

const ADMIN = 'cardinality-admin-token-0123456789';
const ctx = { actor: 'spec', actorKind: 'system' as const, sourceAddress: '', requestId: 'spec' };

describe("Mimir's cardinality API and Prometheus' TSDB status in the gateway", () => {
  const asked: Array<{ subject: string; payload: Record<string, unknown> }> = [];
  let reply: unknown = {
    status: 'success',
    data: { label_values_count_total: 0, label_names_count: 0, cardinality: [] },
  };
  const controlPlane = new FakeControlPlane();
  let gateway: RunningGateway;
  let readKey: string;

  beforeAll(async () => {
    const bus: Bus = {
      ...fakeBus(),
      request: <Req, Res>(subject: string, payload: Req): Promise<Res> => {
        asked.push({ subject, payload: payload as Record<string, unknown> });
        return Promise.resolve(reply as Res);
      },
    };
    await controlPlane.command(
      { type: 'CreateTenant', tenantId: 'acme', displayName: 'Acme' },
      ctx,
    );
    readKey =
      (
        await controlPlane.command(
          { type: 'IssueApiKey', tenantId: 'acme', name: 'k', scopes: ['read'] },
          ctx,
        )
      ).apiKey?.secret ?? '';
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
  ): Promise<{ status: number; type: string | null; text: string }> => {
    const res = await fetch(`${gateway.url}${path}`, {
      headers: { authorization: `Bearer ${readKey}` },
    });
    return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
  };

  it.each([
    ['/api/v1/cardinality/label_names?limit=-1', "'limit' param cannot be less than '0'"],
    ['/api/v1/cardinality/label_names?limit=501', "'limit' param cannot be greater than '500'"],
    ['/api/v1/cardinality/label_names?limit=foo', 'strconv.Atoi: parsing "foo": invalid syntax'],
    [
      '/api/v1/cardinality/label_names?limit=99999999999999999999',
      'strconv.Atoi: parsing "99999999999999999999": value out of range',
    ],
    [
      '/api/v1/cardinality/label_names?limit=10&limit=20',
      "multiple 'limit' params are not allowed",
    ],
    [
      '/api/v1/cardinality/label_names?selector=up&selector=down',
      "multiple 'selector' params are not allowed",
    ],
    [
      '/api/v1/cardinality/label_names?count_method=active',
      "invalid 'count_method' param 'active'. valid options are: [inmemory]",
    ],
    ['/api/v1/cardinality/label_values', "'label_names[]' param is required"],
    ['/api/v1/cardinality/label_values?label_names[]=', "invalid 'label_names' param ''"],
    [
      '/api/v1/cardinality/label_values?label_names[]=job&limit=-20',
      "'limit' param cannot be less than '0'",
    ],
  ])('refuses %s with 400 and Mimir text', async (path, message) => {
    const before = asked.length;
    expect(await get(path)).toEqual({
      status: 400,
      type: 'text/plain; charset=utf-8',
      text: `${message}\n`,
    });
    expect(asked.length).toBe(before);
  });

  it('forwards valid requests for the key tenant with Mimir defaults, names sorted and deduplicated', async () => {
    expect(await get('/api/v1/cardinality/label_names')).toMatchObject({
      status: 200,
      type: 'application/json; charset=utf-8',
    });
    expect(asked.at(-1)).toEqual({
      subject: QuerySubjects.cardinalityLabelNames,
      payload: { tenantId: 'acme', limit: 20 },
    });
    await get(
      '/api/v1/cardinality/label_values?label_names[]=job&label_names[]=code&label_names[]=job&selector=up&limit=0',
    );
    expect(asked.at(-1)).toEqual({
      subject: QuerySubjects.cardinalityLabelValues,
      payload: { tenantId: 'acme', labelNames: ['code', 'job'], selector: 'up', limit: 0 },
    });
  });

  it('takes form-encoded POSTs and answers the body alone, not a Prometheus envelope', async () => {
    reply = { status: 'success', data: { series_count_total: 3, labels: [] } };
    const res = await fetch(`${gateway.url}/api/v1/cardinality/label_values`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${readKey}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'label_names[]=job&selector={job="api"}',
    });
    expect({ status: res.status, body: await res.json() }).toEqual({
      status: 200,
      body: { series_count_total: 3, labels: [] },
    });
    expect(asked.at(-1)?.payload).toEqual({
      tenantId: 'acme',
      labelNames: ['job'],
      selector: '{job="api"}',
      limit: 20,
    });
  });

  it("answers the query service's selector error as Mimir's 400 text", async () => {
    reply = {
      status: 'error',
      errorType: 'bad_data',
      error: 'failed to parse selector: 1:3: parse error: unexpected end of input',
    };
    expect(await get('/api/v1/cardinality/label_names?selector=up{')).toEqual({
      status: 400,
      type: 'text/plain; charset=utf-8',
      text: 'failed to parse selector: 1:3: parse error: unexpected end of input\n',
    });
  });

  it("validates /api/v1/status/tsdb's limit as Prometheus 3 and passes a serialised body through as-is", async () => {
    const before = asked.length;
    for (const limit of ['0', '-1', 'x', '1.5'])
      expect(await get(`/api/v1/status/tsdb?limit=${limit}`)).toMatchObject({
        status: 400,
        text: JSON.stringify({
          status: 'error',
          errorType: 'bad_data',
          error: 'limit must be a positive number',
        }),
      });
    expect(asked.length).toBe(before);
    reply = {
      status: 'success',
      serialized: '{"status":"success","data":{"headStats":{"minTime":9223372036854775807}}}',
    };
    expect(await get('/api/v1/status/tsdb')).toEqual({
      status: 200,
      type: 'application/json; charset=utf-8',
      text: '{"status":"success","data":{"headStats":{"minTime":9223372036854775807}}}',
    });
    expect(asked.at(-1)).toEqual({
      subject: QuerySubjects.tsdbStatus,
      payload: { tenantId: 'acme', limit: 10 },
    });
    await get('/api/v1/status/tsdb?limit=3');
    expect(asked.at(-1)?.payload).toEqual({ tenantId: 'acme', limit: 3 });
  });
});
