import { join } from 'node:path';
import { type NatsBus } from '@strata/bus';
import { type RunningNatsServer } from '@strata/devstack';
import { type RunningGateway } from '@strata/gateway';
import { ingesterService } from '@strata/ingester';
import { queryService } from '@strata/query';
import { storeService } from '@strata/store';
import { type WriteBatch } from '@strata/remote-write';
import { routerService } from '@strata/router';
import { type RunningServices } from '@strata/service-kit';
import { labelsFrom } from '@strata/tsdb';
import {
  ADMIN_TOKEN,
  OPEN_QUOTA,
  batchAt,
  clientBus,
  fakeControlPlane,
  removeTestDirs,
  sendWrite,
  startInProcess,
  startTestGateway,
  startTestNats,
  storeClient,
  strataEnv,
  waitForStore,
  writeRequest,
} from '@strata/platform/testing';

jest.setTimeout(60_000);

// `(a+)+` against 40 a's and a `!` backtracks 2^40 times in JavaScript's RegExp: hours, during which
// a single-threaded ingester answers nothing. On RE2 it is one pass over 41 characters.
const HOSTILE = `${'a'.repeat(40)}!`;
const EVIL = '(a+)+';

interface PromReply<T> {
  status: string;
  data?: T;
  errorType?: string;
  error?: string;
}
type Vector = {
  resultType: 'vector';
  result: Array<{ metric: Record<string, string>; value: [number, string] }>;
};

describe('regex safety: a pathological label regex over a hostile value, through the real write and query paths', () => {
  let nats: RunningNatsServer;
  let dir: string;
  let bus: NatsBus;
  let platform: RunningServices;
  let gateway: RunningGateway;
  const t = Date.now() - 10_000;

  beforeAll(async () => {
    ({ server: nats, dir } = await startTestNats());
    bus = await clientBus(nats);
    fakeControlPlane(
      bus,
      new Map([
        ['hostile', OPEN_QUOTA],
        ['neighbour', OPEN_QUOTA],
      ]),
    );
    platform = await startInProcess(strataEnv(nats, join(dir, 'data')), [
      routerService,
      ingesterService,
      queryService,
      // The query side asks the store gateways too (an empty bucket here).
      storeService,
    ]);
    gateway = await startTestGateway(bus);
    await waitForStore(storeClient(bus), 'hostile');

    const hostile: WriteBatch = {
      metadata: [],
      series: [HOSTILE, 'aaaa', 'b'].map((job, i) => ({
        labels: labelsFrom({ __name__: 'probe', job }),
        timestamps: new Float64Array([t]),
        values: new Float64Array([i]),
        exemplars: [{ labels: labelsFrom({ trace_id: `trace-${i}` }), value: i, timestamp: t }],
      })),
    };
    expect(await sendWrite(bus, writeRequest('hostile', hostile))).toMatchObject({ samples: 3 });
    await until(
      async () => (await query('hostile', 'count(probe)')).data?.result[0]?.value[1] === '3',
    );
  });

  afterAll(async () => {
    await gateway?.close();
    await platform?.stop();
    await bus?.drain();
    await nats?.process.stop();
    removeTestDirs();
  });

  async function api<T>(
    tenant: string,
    path: string,
    params: Record<string, string>,
  ): Promise<PromReply<T> & { http: number }> {
    const res = await fetch(`${gateway.url}${path}?${new URLSearchParams(params).toString()}`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'x-scope-orgid': tenant },
    });
    return { http: res.status, ...((await res.json()) as PromReply<T>) };
  }

  function query(tenant: string, q: string): Promise<PromReply<Vector> & { http: number }> {
    return api<Vector>(tenant, '/api/v1/query', { query: q, time: String(Date.now() / 1000) });
  }

  it('answers count({job=~"(a+)+"}) correctly while another tenant’s write is acknowledged and readable', async () => {
    // Issued together: the write can only be acknowledged while the query is in flight if the
    // ingester's event loop is not stuck matching.
    const [answer, write] = await Promise.all([
      query('hostile', `count({job=~"${EVIL}"})`),
      sendWrite(bus, writeRequest('neighbour', batchAt('neighbour_up', 5, t, 1))),
    ]);
    expect(write).toEqual({ samples: 5, histograms: 0, exemplars: 0 });
    expect(answer).toMatchObject({ http: 200, status: 'success' });
    expect(answer.data?.result).toEqual([{ metric: {}, value: [expect.any(Number), '1'] }]);

    await until(
      async () =>
        (await query('neighbour', 'count(neighbour_up)')).data?.result[0]?.value[1] === '5',
    );
    // The hostile tenant's series are not the neighbour's, matched or not.
    expect((await query('neighbour', `count({job=~"${EVIL}"})`)).data?.result).toEqual([]);
  });

  it('selects with the same regex on every route that takes matchers: series, label values, exemplars', async () => {
    const series = await api<Array<Record<string, string>>>('hostile', '/api/v1/series', {
      'match[]': `{__name__="probe", job!~"${EVIL}"}`,
    });
    expect(series.data?.map((s) => s.job).sort()).toEqual([HOSTILE, 'b']);

    const values = await api<string[]>('hostile', '/api/v1/label/job/values', {
      'match[]': `{job=~"${EVIL}|b"}`,
    });
    expect(values.data).toEqual(['aaaa', 'b']);

    const exemplars = await api<Array<{ seriesLabels: Record<string, string> }>>(
      'hostile',
      '/api/v1/query_exemplars',
      {
        query: `probe{job=~"${EVIL}"}`,
        start: String((t - 60_000) / 1000),
        end: String((t + 60_000) / 1000),
      },
    );
    expect(exemplars.data?.map((s) => s.seriesLabels.job)).toEqual(['aaaa']);
  });

  it('runs label_replace() with the same regex over the hostile value', async () => {
    const answer = await query(
      'hostile',
      `label_replace(probe, "matched", "yes $1", "job", "${EVIL}")`,
    );
    const byJob = Object.fromEntries(
      (answer.data?.result ?? []).map((s) => [s.metric.job, s.metric.matched ?? null]),
    );
    expect(byJob).toEqual({ [HOSTILE]: null, aaaa: 'yes aaaa', b: null });
  });

  it('refuses an invalid regex with Prometheus’ parse error, as bad_data', async () => {
    const answer = await query('hostile', 'count({job=~"(a"})');
    expect(answer).toMatchObject({
      http: 400,
      errorType: 'bad_data',
      error: expect.stringContaining('error parsing regexp: missing closing ): `(a`'),
    });
  });
});

async function until(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}
