import { RequestTimeoutError, type Bus } from '@strata/bus';
import { QuerySubjects } from '@strata/contracts';
import { ApiParams } from './params';
import { PrometheusApi } from './prometheus-api';

type Sent = { subject: string; payload: Record<string, unknown>; timeoutMs?: number };

function fakeBus(reply: (s: Sent) => unknown): { bus: Bus; sent: Sent[] } {
  const sent: Sent[] = [];
  const bus = {
    request: (
      subject: string,
      payload: Record<string, unknown>,
      options?: { timeoutMs?: number },
    ) => {
      const s = { subject, payload, timeoutMs: options?.timeoutMs };
      sent.push(s);
      try {
        return Promise.resolve(reply(s));
      } catch (e) {
        return Promise.reject(e);
      }
    },
  } as unknown as Bus;
  return { bus, sent };
}

const p = (q: Record<string, string | string[]>): ApiParams => new ApiParams(q, {});
const tenant = {
  tenantId: 't1',
  limits: { maxSamplesPerQuery: 10, maxSeriesPerQuery: 0, maxQueryRangeSeconds: 0 },
};

describe('PrometheusApi', () => {
  it('forwards an instant query with the tenant, its limits and the evaluation time', async () => {
    const { bus, sent } = fakeBus(() => ({
      status: 'success',
      data: { resultType: 'scalar', result: [1, '1'] },
    }));
    const api = new PrometheusApi(bus, () => 42_000);
    expect(await api.query(tenant, p({ query: '1' }))).toEqual({
      statusCode: 200,
      body: { status: 'success', data: { resultType: 'scalar', result: [1, '1'] } },
    });
    expect(sent[0]).toMatchObject({
      subject: QuerySubjects.instant,
      payload: { tenantId: 't1', query: '1', timeMs: 42_000, limits: tenant.limits },
    });
  });

  it('maps error replies to Prometheus status codes', async () => {
    for (const [errorType, status] of [
      ['bad_data', 400],
      ['execution', 422],
      ['timeout', 503],
      ['internal', 500],
    ] as const) {
      const { bus } = fakeBus(() => ({ status: 'error', errorType, error: 'x' }));
      expect((await new PrometheusApi(bus).query(tenant, p({ query: 'up' }))).statusCode).toBe(
        status,
      );
    }
  });

  it('answers a bus timeout as a 503 timeout and refuses bad parameters without asking the service', async () => {
    const { bus, sent } = fakeBus((s) => {
      throw new RequestTimeoutError(s.subject, 1);
    });
    const api = new PrometheusApi(bus);
    expect(await api.query(tenant, p({ query: 'up', time: '1' }))).toMatchObject({
      statusCode: 503,
      body: { errorType: 'timeout' },
    });
    expect(await api.query(tenant, p({ query: 'up', time: 'x' }))).toEqual({
      statusCode: 400,
      body: {
        status: 'error',
        errorType: 'bad_data',
        error: `invalid parameter "time": Invalid time value for 'time': cannot parse "x" to a valid timestamp`,
      },
    });
    expect(await api.series(tenant, p({}))).toMatchObject({
      statusCode: 400,
      body: { error: 'no match[] parameter provided' },
    });
    expect(await api.labelValues(tenant, '', p({}))).toMatchObject({
      statusCode: 400,
      body: { error: 'invalid label name: ""' },
    });
    expect(await api.labels(tenant, p({ limit: '-1' }))).toMatchObject({
      statusCode: 400,
      body: { error: 'invalid parameter "limit": limit must be non-negative' },
    });
    expect(sent).toHaveLength(1);
  });

  it('forwards partial_response on every query and metadata route, and leaves it to the service when absent', async () => {
    const { bus, sent } = fakeBus(() => ({ status: 'success', data: [] }));
    const api = new PrometheusApi(bus, () => 42_000);
    await api.query(tenant, p({ query: 'up', partial_response: 'true' }));
    await api.queryRange(
      tenant,
      p({ query: 'up', start: '0', end: '60', step: '15', partial_response: 'false' }),
    );
    await api.series(tenant, p({ 'match[]': 'up', partial_response: '1' }));
    await api.labels(tenant, p({ partial_response: 'F' }));
    await api.labelValues(tenant, 'job', p({ partial_response: 'True' }));
    await api.query(tenant, p({ query: 'up' }));
    expect(sent.map((s) => [s.subject, s.payload.partialResponse])).toEqual([
      [QuerySubjects.instant, true],
      [QuerySubjects.range, false],
      [QuerySubjects.series, true],
      [QuerySubjects.labelNames, false],
      [QuerySubjects.labelValues, true],
      [QuerySubjects.instant, undefined],
    ]);
    expect('partialResponse' in sent[5].payload).toBe(false);
  });

  it('refuses a partial_response that is not a Go bool with 400 bad_data, on every route, without asking the service', async () => {
    const { bus, sent } = fakeBus(() => ({ status: 'success', data: [] }));
    const api = new PrometheusApi(bus);
    const bad = {
      statusCode: 400,
      body: {
        status: 'error',
        errorType: 'bad_data',
        error: `'partial_response' parameter: strconv.ParseBool: parsing "yes": invalid syntax`,
      },
    };
    expect(await api.query(tenant, p({ query: 'up', partial_response: 'yes' }))).toEqual(bad);
    expect(
      await api.queryRange(
        tenant,
        p({ query: 'up', start: '0', end: '60', step: '15', partial_response: 'yes' }),
      ),
    ).toEqual(bad);
    expect(await api.series(tenant, p({ 'match[]': 'up', partial_response: 'yes' }))).toEqual(bad);
    expect(await api.labels(tenant, p({ partial_response: 'yes' }))).toEqual(bad);
    expect(await api.labelValues(tenant, 'job', p({ partial_response: 'yes' }))).toEqual(bad);
    expect(sent).toHaveLength(0);
  });

  it("returns the service's warnings (stores left out, the engine's own) in the answer, and a strict 503 as unavailable", async () => {
    const warnings = [
      'PromQL warning: quantile value should be between 0 and 1, got 2',
      'store shard 3 (time partition 1): no responders',
    ];
    const ok = fakeBus(() => ({
      status: 'success',
      data: ['a'],
      warnings,
      infos: ['PromQL info: x'],
    }));
    expect(await new PrometheusApi(ok.bus).labels(tenant, p({ partial_response: 'true' }))).toEqual(
      {
        statusCode: 200,
        body: { status: 'success', data: ['a'], warnings, infos: ['PromQL info: x'] },
      },
    );
    const strict = fakeBus(() => ({
      status: 'error',
      errorType: 'unavailable',
      error: 'partition 5: no responders',
    }));
    expect(await new PrometheusApi(strict.bus).series(tenant, p({ 'match[]': 'up' }))).toEqual({
      statusCode: 503,
      body: { status: 'error', errorType: 'unavailable', error: 'partition 5: no responders' },
    });
  });

  it('formats and parses queries locally', () => {
    const api = new PrometheusApi(fakeBus(() => null).bus);
    expect(api.formatQuery(p({ query: 'sum(rate(foo[5m]))by(job)' })).body).toEqual({
      status: 'success',
      data: 'sum by (job) (rate(foo[5m]))',
    });
    expect(api.formatQuery(p({ query: 'sum(' }))).toMatchObject({
      statusCode: 400,
      body: { errorType: 'bad_data' },
    });
    expect(api.parseQuery(p({ query: 'up' })).body).toMatchObject({
      status: 'success',
      data: { type: 'vectorSelector', name: 'up' },
    });
    expect(api.buildInfo().body).toMatchObject({ status: 'success', data: { version: '3.0.0' } });
  });
});
