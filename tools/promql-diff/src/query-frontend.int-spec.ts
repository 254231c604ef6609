import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type NatsBus } from '@strata/bus';
import { type RunningNatsServer } from '@strata/devstack';
import { DEFAULT_QUERY_FRONTEND, type RunningGateway, startGateway } from '@strata/gateway';
import { ingesterService } from '@strata/ingester';
import { queryService } from '@strata/query';
import { type WriteBatch, type WriteSeries } from '@strata/remote-write';
import { encodeWriteRequestV1 } from '@strata/remote-write/testing';
import { routerService } from '@strata/router';
import { type RunningServices } from '@strata/service-kit';
import { storeService } from '@strata/store';
import {
  ADMIN_TOKEN,
  clientBus,
  fakeControlPlane,
  OPEN_QUOTA,
  startInProcess,
  startTestNats,
  storeClient,
  strataEnv,
  waitForStore,
} from '@strata/platform/testing';
import { labelsFrom } from '@strata/tsdb';
import { Registry } from 'prom-client';
import { prng } from './dataset';
import { DIFF_INGESTER_ENV } from './strata-server';

const DAY = 86_400_000;
/** Three days of samples at a 5-minute scrape, ending at a fixed instant in 2023. */
const T0 = 1_699_920_000_000;
const SCRAPE = 300_000;
const POINTS = (3 * DAY) / SCRAPE;
const TENANTS = ['fe-a', 'fe-b'];
const secs = (ms: number): string => String(ms / 1000);

jest.setTimeout(300_000);

/** Per tenant: counters and gauges by pod and zone, some of them only part of each day. */
function batches(scale: number): WriteBatch[] {
  const out: WriteBatch[] = [];
  const series: Array<{ labels: Record<string, string>; value: (i: number) => number | null }> = [];
  let seed = 7;
  for (const zone of ['east', 'west']) {
    for (const pod of ['p0', 'p1', 'p2', 'p3']) {
      const r = prng(seed++);
      const incs = Array.from({ length: POINTS }, () => Math.floor(r() * 50 * scale));
      let c = 0;
      const counter = incs.map((d) => (c += d));
      const gauge = Array.from({ length: POINTS }, () => Math.round(r() * 100) / 4);
      const nightShift = pod === 'p3';
      const present = (i: number): boolean => !nightShift || (i * SCRAPE) % DAY < DAY / 3;
      series.push({
        labels: { __name__: 'fe_requests_total', pod, zone },
        value: (i) => (present(i) ? counter[i] : null),
      });
      series.push({
        labels: { __name__: 'fe_temperature', pod, zone },
        value: (i) => (present(i) ? gauge[i] * scale : null),
      });
    }
  }
  // One batch per 2 hours of samples, in time order, as a remote-write sender would send them.
  const per = (2 * 3_600_000) / SCRAPE;
  for (let from = 0; from < POINTS; from += per) {
    const ws: WriteSeries[] = [];
    for (const s of series) {
      const ts: number[] = [];
      const vs: number[] = [];
      for (let i = from; i < Math.min(POINTS, from + per); i++) {
        const v = s.value(i);
        if (v === null) continue;
        ts.push(T0 + i * SCRAPE);
        vs.push(v);
      }
      if (ts.length > 0)
        ws.push({
          labels: labelsFrom(s.labels),
          timestamps: Float64Array.from(ts),
          values: Float64Array.from(vs),
          exemplars: [],
        });
    }
    out.push({ series: ws, metadata: [] });
  }
  return out;
}

const QUERIES = [
  'fe_requests_total',
  'rate(fe_requests_total[15m])',
  'sum by (zone) (rate(fe_requests_total[1h]))',
  'topk(3, sum by (pod) (rate(fe_requests_total[30m])))',
  'avg_over_time(fe_temperature[2h])',
  'max_over_time(rate(fe_requests_total[10m])[1h:5m])',
  'fe_temperature offset 6h',
  'histogram_quantile(0.9, fe_temperature)',
  'count(fe_temperature > 10) or vector(0)',
  'quantile by (zone) (0.5, fe_temperature)',
  'sum(fe_temperature) / count(fe_temperature)',
  'time() - timestamp(fe_temperature)',
  'absent(fe_nothing)',
];
const STEPS = [15_000, 60_000, 300_000, 1_020_000, 3_600_000];

describe('query frontend through the write path: split and cached answers equal the query service’s whole answers', () => {
  let nats: RunningNatsServer;
  let natsDir: string;
  let bus: NatsBus;
  let services: RunningServices;
  let direct: RunningGateway;
  let fronted: RunningGateway;
  const registry = new Registry();

  const get = async (
    gw: RunningGateway,
    tenant: string,
    path: string,
    params: Record<string, string>,
    extra: Record<string, string> = {},
  ): Promise<{ status: number; text: string }> => {
    const res = await fetch(`${gw.url}${path}?${new URLSearchParams(params).toString()}`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'x-scope-orgid': tenant, ...extra },
    });
    return { status: res.status, text: await res.text() };
  };

  const counter = async (name: string): Promise<number> => {
    const m = await registry.getSingleMetric(name)?.get();
    return (m?.values ?? []).reduce((n, v) => n + v.value, 0);
  };

  beforeAll(async () => {
    const started = await startTestNats();
    nats = started.server;
    natsDir = mkdtempSync(join(tmpdir(), 'strata-fe-'));
    bus = await clientBus(nats);
    fakeControlPlane(bus, new Map(TENANTS.map((t) => [t, OPEN_QUOTA])));
    services = await startInProcess(
      strataEnv(nats, natsDir, {
        ...DIFF_INGESTER_ENV,
        STRATA_INGEST_MAX_AGE_SECONDS: String(10 * 365 * 86_400),
      }),
      [routerService, ingesterService, queryService, storeService],
    );
    const config = {
      adminToken: ADMIN_TOKEN,
      tenantHeader: 'x-scope-orgid',
      maxBodyBytes: 16 * 1024 * 1024,
      host: '127.0.0.1',
      port: 0,
      tls: null,
    };
    direct = await startGateway({ config, bus });
    fronted = await startGateway({
      config: { ...config, queryFrontend: DEFAULT_QUERY_FRONTEND },
      bus,
      registry,
    });
    let expected = 0;
    for (const [i, tenant] of TENANTS.entries()) {
      await waitForStore(storeClient(bus), tenant);
      for (const batch of batches(i + 1)) {
        for (const s of batch.series) expected += s.values.length;
        const res = await fetch(`${direct.url}/api/v1/write`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${ADMIN_TOKEN}`,
            'x-scope-orgid': tenant,
            'content-type': 'application/x-protobuf',
            'content-encoding': 'snappy',
            'x-prometheus-remote-write-version': '0.1.0',
          },
          body: encodeWriteRequestV1(batch),
        });
        if (res.status >= 300) throw new Error(`remote write: ${res.status} ${await res.text()}`);
      }
    }
    // Acknowledged writes reach the ingesters' heads shortly after.
    const store = storeClient(bus);
    const until = Date.now() + 120_000;
    for (;;) {
      let stored = 0;
      for (const tenantId of TENANTS) {
        const { value } = await store.select({
          tenantId,
          matchers: [{ type: '=~', name: '__name__', value: 'fe_.+' }],
          start: 0,
          end: Date.now(),
        });
        stored += value.reduce((n, s) => n + s.timestamps.length, 0);
      }
      if (stored >= expected || Date.now() > until) break;
      await new Promise((r) => setTimeout(r, 250));
    }
  }, 300_000);

  afterAll(async () => {
    await fronted?.close();
    await direct?.close();
    await services?.stop();
    await bus?.drain();
    await nats?.process.stop();
    rmSync(natsDir, { recursive: true, force: true });
  });

  it('answers random ranges byte for byte as the query service does, cold and warm', async () => {
    const r = prng(42);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(r() * list.length)];
    const compared: string[] = [];
    for (let n = 0; n < 40; n++) {
      const query = pick(QUERIES);
      const stepMs = pick(STEPS);
      const startMs = T0 + Math.floor(r() * 2 * DAY) + Math.floor(r() * 1000);
      const longest = Math.min(T0 + 3 * DAY + 3_600_000 - startMs, stepMs * 10_000);
      const endMs = startMs + Math.floor(r() * longest);
      const tenant = pick(TENANTS);
      const params = { query, start: secs(startMs), end: secs(endMs), step: secs(stepMs) };
      const whole = await get(direct, tenant, '/api/v1/query_range', params);
      const cold = await get(fronted, tenant, '/api/v1/query_range', params);
      const warm = await get(fronted, tenant, '/api/v1/query_range', params);
      expect({ params, cold }).toEqual({ params, cold: whole });
      expect({ params, warm }).toEqual({ params, warm: whole });
      expect(whole.status).toBe(200);
      compared.push(whole.text);
    }
    // The data reached the query service: most answers hold series.
    expect(compared.filter((t) => t.includes('"metric"')).length).toBeGreaterThan(30);
    expect(await counter('strata_query_frontend_cache_hits_total')).toBeGreaterThan(20);
    expect(await counter('strata_query_frontend_cache_bytes')).toBeGreaterThan(0);
  });

  it('answers instant queries as the query service does, from the cache the second time', async () => {
    const hits = await counter('strata_query_frontend_cache_hits_total');
    let warned = 0;
    for (const query of QUERIES) {
      const params = { query, time: secs(T0 + DAY + 1_234) };
      const whole = await get(direct, 'fe-a', '/api/v1/query', params);
      expect(await get(fronted, 'fe-a', '/api/v1/query', params)).toEqual(whole);
      expect(await get(fronted, 'fe-a', '/api/v1/query', params)).toEqual(whole);
      if (whole.text.includes('"warnings"')) warned++;
    }
    // A result with warnings may lack a store's part: it is never kept.
    expect(warned).toBe(1);
    expect(await counter('strata_query_frontend_cache_hits_total')).toBe(
      hits + QUERIES.length - warned,
    );
  });

  it("never answers a tenant with another tenant's cached result", async () => {
    const params = {
      query: 'sum(rate(fe_requests_total[1h]))',
      start: secs(T0),
      end: secs(T0 + 2 * DAY),
      step: '3600',
    };
    const a = await get(fronted, 'fe-a', '/api/v1/query_range', params);
    const b = await get(fronted, 'fe-b', '/api/v1/query_range', params);
    expect(b.text).not.toBe(a.text);
    expect(b).toEqual(await get(direct, 'fe-b', '/api/v1/query_range', params));
    expect(a).toEqual(await get(direct, 'fe-a', '/api/v1/query_range', params));
  });

  it('neither reads nor keeps results for Cache-Control: no-store', async () => {
    const params = {
      query: 'max(fe_temperature)',
      start: secs(T0 + 3_600_000),
      end: secs(T0 + 2 * DAY),
      step: '600',
    };
    const before = {
      hits: await counter('strata_query_frontend_cache_hits_total'),
      misses: await counter('strata_query_frontend_cache_misses_total'),
    };
    const noStore = { 'cache-control': 'no-store' };
    const whole = await get(direct, 'fe-a', '/api/v1/query_range', params);
    expect(await get(fronted, 'fe-a', '/api/v1/query_range', params, noStore)).toEqual(whole);
    expect(await get(fronted, 'fe-a', '/api/v1/query_range', params, noStore)).toEqual(whole);
    expect({
      hits: await counter('strata_query_frontend_cache_hits_total'),
      misses: await counter('strata_query_frontend_cache_misses_total'),
    }).toEqual(before);
  });
});
