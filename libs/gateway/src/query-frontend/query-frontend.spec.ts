import { Engine, Labels, MemoryQueryable, type QueryValue } from '@strata/promql';
import { Registry } from 'prom-client';
import { type ApiAnswer } from '../prometheus-api/prometheus-api';
import {
  type CacheDirective,
  cacheDirectiveOf,
  DEFAULT_QUERY_FRONTEND,
  QueryFrontend,
  type QueryFrontendOptions,
} from './query-frontend';

const DAY = 86_400_000;
const H = 3_600_000;
const T0 = 20_000 * DAY;
const USE: CacheDirective = { read: true, write: true };

// Three days of data at a 5-minute scrape, with series that come and go across day boundaries.
function tenantData(scale: number): MemoryQueryable {
  const q = new MemoryQueryable();
  for (let i = 0; i <= (3 * DAY) / 300_000; i++) {
    const t = T0 + i * 300_000;
    for (const pod of ['a', 'b', 'c']) {
      if (pod === 'c' && (i * 300_000) % DAY < 6 * H) continue;
      q.append(
        Labels.fromRecord({ __name__: 'requests_total', pod }),
        t,
        scale * i * (pod === 'a' ? 2 : 3),
      );
      q.append(Labels.fromRecord({ __name__: 'temp', pod }), t, scale * ((i * 7) % 11));
    }
  }
  return q;
}

function format(v: QueryValue): unknown {
  const point = (t: number, f: number): [number, string] => [t / 1000, String(f)];
  switch (v.type) {
    case 'matrix':
      return {
        resultType: 'matrix',
        result: v.value.map((s) => ({
          metric: s.metric.toRecord(),
          values: Array.from(s.ts.subarray(0, s.n), (t, i) => point(t, s.vals[i])),
        })),
      };
    case 'vector':
      return {
        resultType: 'vector',
        result: v.value.map((s) => ({ metric: s.metric.toRecord(), value: point(s.t, s.f) })),
      };
    case 'scalar':
      return { resultType: 'scalar', result: point(v.value.t, v.value.v) };
    case 'string':
      return { resultType: 'string', result: [v.value.t / 1000, v.value.v] };
  }
}

/** The query service's part: the engine over one tenant's data, answers serialised as it does. */
class QueryService {
  readonly engine = new Engine();
  calls = 0;
  constructor(private readonly data: Record<string, MemoryQueryable>) {}

  async range(tenant: string, query: string, start: number, end: number, step: number) {
    this.calls++;
    try {
      const r = await this.engine.rangeQuery(this.data[tenant], query, start, end, step);
      return ok(r.result, r.annotations);
    } catch (error) {
      return failed(error);
    }
  }

  async instant(tenant: string, query: string, time: number) {
    this.calls++;
    try {
      const r = await this.engine.instantQuery(this.data[tenant], query, time);
      return ok(r.result, r.annotations);
    } catch (error) {
      return failed(error);
    }
  }
}

function ok(v: QueryValue, a: { warnings: string[]; infos: string[] }): ApiAnswer {
  const body = {
    status: 'success' as const,
    data: format(v),
    ...(a.warnings.length > 0 ? { warnings: a.warnings } : {}),
    ...(a.infos.length > 0 ? { infos: a.infos } : {}),
  };
  return { statusCode: 200, body, serialized: JSON.stringify(body) };
}

function failed(error: unknown): ApiAnswer {
  return {
    statusCode: 422,
    body: { status: 'error', errorType: 'execution', error: (error as Error).message },
  };
}

const text = (a: ApiAnswer): string => a.serialized ?? JSON.stringify(a.body);

describe('query frontend', () => {
  let clock: number;
  let registry: Registry;
  let service: QueryService;
  const make = (o: Partial<QueryFrontendOptions> = {}): QueryFrontend =>
    new QueryFrontend({ ...DEFAULT_QUERY_FRONTEND, ...o }, registry, () => clock);

  beforeEach(() => {
    clock = T0 + 10 * DAY;
    registry = new Registry();
    service = new QueryService({ a: tenantData(1), b: tenantData(1000) });
  });

  const range = (
    f: QueryFrontend,
    tenant: string,
    query: string,
    start: number,
    end: number,
    step: number,
    directive = USE,
  ): Promise<ApiAnswer> =>
    f.range(
      tenant,
      { query, startMs: start, endMs: end, stepMs: step, variant: '' },
      directive,
      (s, e) => service.range(tenant, query, s, e, step),
    );

  const metric = async (name: string): Promise<number> => {
    const m = await registry.getSingleMetric(name)?.get();
    return (m?.values ?? []).reduce((n, v) => n + v.value, 0);
  };

  it('answers split and cached ranges exactly as the whole range, cold and warm', async () => {
    const f = make();
    const queries = [
      'requests_total',
      'rate(requests_total[10m])',
      'sum by (pod) (rate(requests_total[1h]))',
      'topk(1, temp)',
      'max_over_time(temp[2h:10m])',
      'temp offset 3h',
      'label_replace(temp, "x", "$1", "pod", "(.)")',
      'time()',
      'vector(1) + 1',
      'absent(nothing)',
      'rate(temp[5m])',
      'sum(temp) / count(temp)',
    ];
    const ranges: Array<[number, number, number]> = [
      [T0 + 1 * H + 17_000, T0 + 3 * DAY - 1_000, 7 * 60_000],
      [T0 + 20 * H, T0 + 2 * DAY + 5 * H, 3_600_000],
      [T0 + DAY - 60_000, T0 + DAY + 60_000, 30_000],
      [T0 + 2 * H, T0 + 3 * H, 60_000],
    ];
    for (const query of queries) {
      for (const [s, e, step] of ranges) {
        const whole = text(await service.range('a', query, s, e, step));
        const cold = text(await range(f, 'a', query, s, e, step));
        const warm = text(await range(f, 'a', query, s, e, step));
        expect({ query, s, cold }).toEqual({ query, s, cold: whole });
        expect({ query, s, warm }).toEqual({ query, s, warm: whole });
      }
    }
    expect(await metric('strata_query_frontend_cache_hits_total')).toBeGreaterThan(0);
    expect(await metric('strata_query_frontend_cache_misses_total')).toBeGreaterThan(0);
    expect(await metric('strata_query_frontend_cache_bytes')).toBeGreaterThan(0);
  });

  it('asks only for the parts it has not cached', async () => {
    const f = make();
    await range(f, 'a', 'temp', T0, T0 + 3 * DAY - 1, 60_000);
    expect(service.calls).toBe(3);
    service.calls = 0;
    await range(f, 'a', 'temp', T0, T0 + 3 * DAY - 1, 60_000);
    expect(service.calls).toBe(0);
  });

  it('never caches a part newer than max freshness', async () => {
    clock = T0 + 3 * DAY + 5 * 60_000;
    const f = make({ maxFreshnessMs: 10 * 60_000 });
    const end = T0 + 3 * DAY;
    await range(f, 'a', 'temp', T0, end, 60_000);
    service.calls = 0;
    await range(f, 'a', 'temp', T0, end, 60_000);
    // Days 1 and 2 came from the cache; the last day's steps (up to 6 minutes old) and the step
    // at midnight were asked again.
    expect(service.calls).toBe(2);
    clock += 10 * 60_000;
    await range(f, 'a', 'temp', T0, end, 60_000);
    service.calls = 0;
    await range(f, 'a', 'temp', T0, end, 60_000);
    expect(service.calls).toBe(0);
  });

  it('keeps results that late writes can still change only for the freshness window', async () => {
    clock = T0 + 3 * DAY;
    const f = make({ maxFreshnessMs: 10 * 60_000, lateWriteWindowMs: DAY });
    await range(f, 'a', 'temp', T0, T0 + 3 * DAY - 20 * 60_000, 60_000);
    clock += 11 * 60_000;
    service.calls = 0;
    await range(f, 'a', 'temp', T0, T0 + 3 * DAY - 20 * 60_000, 60_000);
    // The first two days are older than the late-write window; the third expired.
    expect(service.calls).toBe(1);
  });

  it('treats a negative offset as reading ahead of each step', async () => {
    clock = T0 + 2 * DAY + H;
    const f = make();
    await range(f, 'a', 'temp offset -2h', T0, T0 + 2 * DAY - 1, 60_000);
    service.calls = 0;
    await range(f, 'a', 'temp offset -2h', T0, T0 + 2 * DAY - 1, 60_000);
    // The second day reads up to an hour past now.
    expect(service.calls).toBe(1);
  });

  it('sends queries with @ start() or @ end() whole and uncached', async () => {
    const f = make();
    const q = 'temp @ end()';
    const whole = text(await service.range('a', q, T0, T0 + 2 * DAY, H));
    service.calls = 0;
    expect(text(await range(f, 'a', q, T0, T0 + 2 * DAY, H))).toBe(whole);
    expect(text(await range(f, 'a', q, T0, T0 + 2 * DAY, H))).toBe(whole);
    expect(service.calls).toBe(2);
  });

  it('honours Cache-Control: no-store and no-cache', async () => {
    const f = make();
    const q = 'temp';
    await range(f, 'a', q, T0, T0 + DAY - 1, H, cacheDirectiveOf('no-store'));
    service.calls = 0;
    await range(f, 'a', q, T0, T0 + DAY - 1, H);
    expect(service.calls).toBe(1);
    service.calls = 0;
    await range(f, 'a', q, T0, T0 + DAY - 1, H, cacheDirectiveOf('max-age=0, No-Cache'));
    await range(f, 'a', q, T0, T0 + DAY - 1, H, cacheDirectiveOf(['no-store']));
    await range(f, 'a', q, T0, T0 + DAY - 1, H);
    expect(service.calls).toBe(2);
  });

  it("never answers one tenant with another tenant's cached result", async () => {
    const f = make();
    const q = 'sum(temp)';
    const a = text(await range(f, 'a', q, T0, T0 + 2 * DAY, H));
    const b = text(await range(f, 'b', q, T0, T0 + 2 * DAY, H));
    expect(b).not.toBe(a);
    expect(b).toBe(text(await service.range('b', q, T0, T0 + 2 * DAY, H)));
    const ai = await f.instant('a', { query: q, timeMs: T0 + H, variant: '' }, USE, () =>
      service.instant('a', q, T0 + H),
    );
    const bi = await f.instant('b', { query: q, timeMs: T0 + H, variant: '' }, USE, () =>
      service.instant('b', q, T0 + H),
    );
    expect(text(bi)).not.toBe(text(ai));
    f.invalidateTenant('a');
    service.calls = 0;
    await range(f, 'a', q, T0, T0 + 2 * DAY, H);
    await range(f, 'b', q, T0, T0 + 2 * DAY, H);
    expect(service.calls).toBe(3);
  });

  it('caches instant queries by their exact time, unless recent', async () => {
    const f = make();
    const ask = (q: string, t: number): Promise<ApiAnswer> =>
      f.instant('a', { query: q, timeMs: t, variant: '' }, USE, () => service.instant('a', q, t));
    const t = T0 + DAY + 123;
    const first = text(await ask('rate(requests_total[1h])', t));
    expect(text(await ask('rate(requests_total[1h])', t))).toBe(first);
    expect(first).toBe(text(await service.instant('a', 'rate(requests_total[1h])', t)));
    expect(service.calls).toBe(2);
    await ask('rate(requests_total[1h])', t + 1);
    await ask('temp', clock - 60_000);
    await ask('temp', clock - 60_000);
    expect(service.calls).toBe(5);
  });

  it('passes errors through and does not cache them', async () => {
    const f = make();
    const q = 'temp + on(x) group_left temp';
    const whole = await service.range('a', q, T0, T0 + 2 * DAY, H);
    expect(whole.statusCode).toBe(422);
    const split = await range(f, 'a', q, T0, T0 + 2 * DAY, H);
    expect(split).toEqual(await range(f, 'a', q, T0, T0 + 2 * DAY, H));
    expect(split.statusCode).toBe(422);
    expect(split.body).toEqual(whole.body);
  });
});
