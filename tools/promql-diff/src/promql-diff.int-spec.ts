import { NATS_MONOLITH_IDENTITY } from '@strata/contracts';
import { testNatsLogin, testServices } from '@strata/testing';
import { apiGet, apiPost, diffResponses, type ApiResponse } from './compare';
import { datasetBatches, T0 } from './dataset';
import { BAD_REQUESTS, MESSAGE_DIFFERS } from './bad-queries';
import { startPrometheus, type PrometheusServer } from './prometheus-server';
import {
  DIFF_QUERIES,
  DIFFERS_2_42_VS_3,
  ENGINE_GAPS,
  FORMAT_DIFFERS_2_42_VS_3,
  INSTANTS,
  RANGE,
  RANGE_ODD_STEP,
  type DiffQuery,
} from './queries';
import { startStrata, type StrataServer } from './strata-server';

const TENANT = 'diff';
const secs = (ms: number): string => String(ms / 1000);

// Loopback only; the suite starts and stops its own Prometheus and gives up after a bounded time.
jest.setTimeout(120_000);

describe('differential PromQL vs Prometheus (Strata gateway and query service over NATS, data written straight into the in-memory series source)', () => {
  let prom: PrometheusServer;
  let strata: StrataServer;
  let headers: Record<string, string>;
  const tally = { comparisons: 0, equal: 0 };

  beforeAll(async () => {
    [prom, strata] = await Promise.all([
      startPrometheus(),
      startStrata(
        { url: testServices().natsUrl, login: testNatsLogin(NATS_MONOLITH_IDENTITY) },
        { tenants: [TENANT, 'intruder'] },
      ),
    ]);
    headers = strata.headersFor(TENANT);
    for (const batch of datasetBatches()) {
      await prom.write(batch);
      strata.write(TENANT, batch);
    }
    // Another tenant's data must never show up in this tenant's answers.
    for (const batch of datasetBatches()) strata.write('intruder', batch);
    strata.source.append('intruder', { __name__: 'intruder_only_total' }, T0 + 1_000_000, 1);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([prom?.stop(), strata?.stop()]);
    console.log(
      `differential: ${tally.equal}/${tally.comparisons} comparisons equal over ${DIFF_QUERIES.length} queries (Prometheus ${prom?.version})`,
    );
  });

  async function both(
    path: string,
    params: Record<string, string>,
    post = false,
  ): Promise<[ApiResponse, ApiResponse]> {
    const call = post ? apiPost : apiGet;
    return Promise.all([call(prom.url, path, params), call(strata.url, path, params, headers)]);
  }

  it.each(DIFF_QUERIES.map((d) => [d.query, d] as [string, DiffQuery]))('%s', async (_name, d) => {
    const problems: string[] = [];
    for (const t of INSTANTS) {
      const [p, s] = await both(
        '/api/v1/query',
        { query: d.query, time: secs(t) },
        t === INSTANTS[1],
      );
      tally.comparisons++;
      const diff =
        p.status === 200
          ? diffResponses(p, s, d.ordered ?? false)
          : `Prometheus answered ${p.status}: ${p.body.error ?? ''}`;
      if (diff === null) tally.equal++;
      else problems.push(`instant @${secs(t)}: ${diff}`);
    }
    for (const r of d.range === false ? [] : d.oddStepGap ? [RANGE] : [RANGE, RANGE_ODD_STEP]) {
      const params = {
        query: d.query,
        start: secs(r.startMs),
        end: secs(r.endMs),
        step: secs(r.stepMs),
      };
      const [p, s] = await both('/api/v1/query_range', params, r === RANGE_ODD_STEP);
      tally.comparisons++;
      const diff =
        p.status === 200
          ? diffResponses(p, s)
          : `Prometheus answered ${p.status}: ${p.body.error ?? ''}`;
      if (diff === null) tally.equal++;
      else problems.push(`range step ${r.stepMs / 1000}s: ${diff}`);
    }
    expect(problems).toEqual([]);
  });

  it.each(
    DIFFERS_2_42_VS_3.map((d) => [d.query, d] as [string, (typeof DIFFERS_2_42_VS_3)[number]]),
  )('differs from 2.42 as Prometheus 3 does: %s', async (_name, d) => {
    const [p, s] = await both('/api/v1/query', { query: d.query, time: secs(d.at) });
    expect({ reason: d.reason, diff: diffResponses(p, s) }).toEqual({
      reason: d.reason,
      diff: expect.any(String),
    });
  });

  it.each(ENGINE_GAPS.map((g) => [g.query, g] as [string, (typeof ENGINE_GAPS)[number]]))(
    'known engine gap: %s',
    async (_name, g) => {
      const params = {
        query: g.query,
        start: secs(g.range.startMs),
        end: secs(g.range.endMs),
        step: secs(g.range.stepMs),
      };
      const [p, s] = await both('/api/v1/query_range', params);
      expect({ reason: g.reason, diff: diffResponses(p, s) }).toEqual({
        reason: g.reason,
        diff: expect.any(String),
      });
    },
  );

  it.each(BAD_REQUESTS.map((b) => [b.name, b] as [string, (typeof BAD_REQUESTS)[number]]))(
    'bad request: %s',
    async (_name, b) => {
      const [p, s] = await both(b.path, b.params);
      expect(p.status).toBeGreaterThanOrEqual(400);
      const reason = MESSAGE_DIFFERS[b.name];
      expect({ status: s.status, errorType: s.body.errorType }).toEqual({
        status: p.status,
        errorType: p.body.errorType,
      });
      if (reason === undefined) expect(s.body.error).toBe(p.body.error);
      else
        expect({ reason, differs: s.body.error !== p.body.error }).toEqual({
          reason,
          differs: true,
        });
    },
  );

  it('formats every query as Prometheus does', async () => {
    const differ: string[] = [];
    for (const d of DIFF_QUERIES) {
      const [p, s] = await both('/api/v1/format_query', { query: d.query });
      if (p.status !== s.status || JSON.stringify(p.body.data) !== JSON.stringify(s.body.data))
        differ.push(d.query);
    }
    // 3 prints number literals with strconv's 'f' format where 2.42 used fmt.Sprint (1e+09).
    expect(differ).toEqual(FORMAT_DIFFERS_2_42_VS_3);
  });

  it('agrees on exemplars', async () => {
    const sortSeries = (data: unknown): unknown =>
      [...(data as Array<{ seriesLabels: Record<string, string> }>)].sort((a, b) =>
        JSON.stringify(a.seriesLabels) < JSON.stringify(b.seriesLabels) ? -1 : 1,
      );
    for (const query of [
      'http_requests_total',
      'rate(http_requests_total{job="api"}[5m])',
      'node_temperature_celsius',
    ]) {
      const [p, s] = await both('/api/v1/query_exemplars', {
        query,
        start: secs(T0),
        end: secs(T0 + 7_200_000),
      });
      expect({ query, status: s.status, data: sortSeries(s.body.data) }).toEqual({
        query,
        status: p.status,
        data: sortSeries(p.body.data),
      });
    }
    const [p] = await both('/api/v1/query_exemplars', {
      query: 'http_requests_total',
      start: secs(T0),
      end: secs(T0 + 7_200_000),
    });
    expect((p.body.data as unknown as unknown[]).length).toBeGreaterThan(0);
  });

  it("never shows another tenant's series, whatever the matchers", async () => {
    const at = secs(T0 + 1_000_000);
    for (const query of ['intruder_only_total', '{tenant_id="intruder"}', '{tenant_id=~".+"}']) {
      const r = await apiGet(strata.url, '/api/v1/query', { query, time: at }, headers);
      expect({ query, result: r.body.data?.result }).toEqual({ query, result: [] });
    }
    // The label is hidden, so a negative matcher on it matches every own series and nothing more.
    const [p, s] = await both('/api/v1/query', {
      query: 'count({__name__=~".+", tenant_id!="diff"})',
      time: at,
    });
    expect(diffResponses(p, s)).toBeNull();
    const other = await apiGet(
      strata.url,
      '/api/v1/query',
      { query: 'intruder_only_total', time: at },
      strata.headersFor('intruder'),
    );
    expect(other.body.data?.result).toEqual([
      { metric: { __name__: 'intruder_only_total' }, value: [Number(at), '1'] },
    ]);
  });

  it('passes Prometheus 3 annotations through as infos and warnings (2.42 has none to compare)', async () => {
    const r = await apiGet(
      strata.url,
      '/api/v1/query',
      { query: 'rate(node_temperature_celsius[5m])', time: secs(INSTANTS[0]) },
      headers,
    );
    expect(r.body.infos).toEqual([
      'PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: "node_temperature_celsius"',
    ]);
    const w = await apiGet(
      strata.url,
      '/api/v1/query',
      { query: 'histogram_quantile(0.9, rate(http_requests_total[5m]))', time: secs(INSTANTS[0]) },
      headers,
    );
    expect(w.body.warnings?.[0]).toMatch(
      /^PromQL warning: bucket label "le" is missing or has a malformed value/,
    );
  });

  it('answers 503 timeout when the timeout parameter runs out', async () => {
    const r = await apiGet(
      strata.url,
      '/api/v1/query_range',
      {
        query: 'max_over_time(rate(http_requests_total[5m])[30m:15s])',
        start: secs(RANGE.startMs),
        end: secs(RANGE.endMs),
        step: '15',
        timeout: '0.001',
      },
      headers,
    );
    expect({ status: r.status, errorType: r.body.errorType }).toEqual({
      status: 503,
      errorType: 'timeout',
    });
  });

  it('keeps serving after bad queries', async () => {
    const [p, s] = await both('/api/v1/query', {
      query: 'sum(http_requests_total)',
      time: secs(INSTANTS[0]),
    });
    expect(diffResponses(p, s)).toBeNull();
  });

  it('reads repeated match[] from form-encoded POST bodies', async () => {
    const body = new URLSearchParams([
      ['match[]', 'build_info{job="api"}'],
      ['match[]', 'request_duration_seconds_count'],
      ['start', secs(T0)],
      ['end', secs(T0 + 3_600_000)],
    ]).toString();
    const post = async (base: string, h: Record<string, string>): Promise<unknown> =>
      (
        await fetch(`${base}/api/v1/series`, {
          method: 'POST',
          headers: { ...h, 'content-type': 'application/x-www-form-urlencoded' },
          body,
        })
      ).json();
    const [p, s] = await Promise.all([post(prom.url, {}), post(strata.url, headers)]);
    expect((s as { data: unknown[] }).data).toHaveLength(5);
    expect(s).toEqual(p);
  });

  it('agrees on series, label names and label values', async () => {
    const window = { start: secs(T0), end: secs(T0 + 3_600_000) };
    for (const [path, params] of [
      ['/api/v1/series', { 'match[]': 'build_info', ...window }],
      ['/api/v1/labels', window],
      ['/api/v1/labels', { 'match[]': 'request_duration_seconds_bucket', ...window }],
      ['/api/v1/label/job/values', window],
      ['/api/v1/label/__name__/values', window],
      [
        '/api/v1/label/le/values',
        { 'match[]': 'request_duration_seconds_bucket{job="api"}', ...window },
      ],
    ] as Array<[string, Record<string, string>]>) {
      const [p, s] = await both(path, params);
      expect({ path, status: s.status, data: s.body.data }).toEqual({
        path,
        status: p.status,
        data: p.body.data,
      });
    }
  });
});
