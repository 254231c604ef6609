import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { type NatsBus } from '@strata/bus';
import {
  type RunningNatsServer,
  type RunningPrometheus,
  startPrometheus,
  which,
} from '@strata/devstack';
import { type RunningGateway } from '@strata/gateway';
import { ingesterService } from '@strata/ingester';
import { queryService } from '@strata/query';
import { storeService } from '@strata/store';
import { type MetricMetadata, type WriteBatch, type WriteSeries } from '@strata/remote-write';
import { encodeWriteRequestV1 } from '@strata/remote-write/testing';
import { routerService } from '@strata/router';
import { type RunningServices } from '@strata/service-kit';
import { labelsFrom } from '@strata/tsdb';
import {
  ADMIN_TOKEN,
  OPEN_QUOTA,
  clientBus,
  fakeControlPlane,
  removeTestDirs,
  startInProcess,
  startTestGateway,
  startTestNats,
  storeClient,
  strataEnv,
  waitForStore,
} from '@strata/platform/testing';

jest.setTimeout(120_000);

const TENANT = 'exemplars';
const STEP_MS = 15_000;
/** Whole seconds, ten minutes back: every point lies in the past and inside the heads' window. */
const T0 = Math.floor(Date.now() / 1000) * 1000 - 10 * 60_000;

type Drop = 'duplicate' | 'out of order' | 'no such series';
interface SentExemplar {
  id: string;
  value: number;
  /** Offset from T0 in ms. */
  at: number;
  /**
   * Why Prometheus ignores it: its exemplar storage accepts only a newer timestamp per series,
   * and its receiver attaches exemplars only to a series the head holds.
   */
  drop?: Drop;
}
interface SeriesDef {
  labels: Record<string, string>;
  value(step: number): number;
}
interface RequestDef {
  steps: number[];
  series: SeriesDef[];
  exemplars: Array<[SeriesDef, SentExemplar[]]>;
  /** Exemplars in entries of their own after the samples, as Prometheus' queue sends them. */
  separate?: boolean;
  metadata?: boolean;
}

const api = { job: 'api', instance: 'api-0:8080' };
const bucket = (le: string, per: number): SeriesDef => ({
  labels: { __name__: 'app_request_duration_seconds_bucket', ...api, le },
  value: (k) => per * (k + 1),
});
const FAST = bucket('0.1', 3);
const MEDIUM = bucket('0.5', 7);
const ALL = bucket('+Inf', 8);
const COUNT: SeriesDef = {
  labels: { __name__: 'app_request_duration_seconds_count', ...api },
  value: (k) => 8 * (k + 1),
};
const SUM: SeriesDef = {
  labels: { __name__: 'app_request_duration_seconds_sum', ...api },
  value: (k) => 1.25 * (k + 1),
};
const BYTES_API: SeriesDef = {
  labels: { __name__: 'app_processed_bytes_total', ...api },
  value: (k) => 1024 * 2 ** k,
};
const worker = (n: number) => ({ job: 'worker', instance: `worker-${n}:8080` });
const BYTES_W0: SeriesDef = {
  labels: { __name__: 'app_processed_bytes_total', ...worker(0) },
  value: (k) => 256 * k,
};
const BYTES_W1: SeriesDef = {
  labels: { __name__: 'app_processed_bytes_total', ...worker(1) },
  value: (k) => 128 * (k - 6),
};
const TEMP: SeriesDef = {
  labels: { __name__: 'app_temperature_celsius', ...worker(0), sensor: 'cold-room' },
  value: (k) => -2 - 1.5 * k,
};
const EVERY = [FAST, MEDIUM, ALL, COUNT, SUM, BYTES_API, BYTES_W0, TEMP];
/** Never has a sample: only ever named by an exemplar entry of its own. */
const NEVER_SAMPLED: SeriesDef = {
  labels: { __name__: 'app_processed_bytes_total', ...worker(9) },
  value: () => 0,
};

const at = (step: number, ms: number): number => step * STEP_MS + ms;
const ex = (id: string, value: number, offset: number, drop?: Drop): SentExemplar => ({
  id,
  value,
  at: offset,
  drop,
});

/** What a Prometheus that scraped these families would remote-write (OpenMetrics family names). */
const METADATA: MetricMetadata[] = [
  {
    metricFamilyName: 'app_request_duration_seconds',
    type: 'histogram',
    help: 'Time spent serving HTTP requests.',
    unit: 'seconds',
  },
  {
    metricFamilyName: 'app_processed_bytes',
    type: 'counter',
    help: 'Bytes processed by the pipeline.',
    unit: 'bytes',
  },
  {
    metricFamilyName: 'app_temperature_celsius',
    type: 'gauge',
    help: 'Temperature measured by the sensor.',
    unit: 'celsius',
  },
];

const REQUESTS: RequestDef[] = [
  {
    steps: [0, 1],
    series: EVERY,
    metadata: true,
    exemplars: [
      [FAST, [ex('r1-fast', 0.042, at(0, 120))]],
      [MEDIUM, [ex('r1-medium-a', 0.31, at(0, 240)), ex('r1-medium-b', 0.27, at(1, 310))]],
      [ALL, [ex('r1-all', 2.5, at(1, 400))]],
      [BYTES_API, [ex('r1-bytes-a', 512, at(0, 50)), ex('r1-bytes-b', 1024, at(1, 50))]],
      [TEMP, [ex('r1-temp', -3.5, at(1, 10))]],
    ],
  },
  {
    steps: [2, 3],
    series: EVERY,
    exemplars: [
      [FAST, [ex('r2-fast', NaN, at(2, 130))]],
      [ALL, [ex('r2-all', Infinity, at(3, 410))]],
      [
        BYTES_API,
        [ex('r1-bytes-b', 1024, at(1, 50), 'duplicate'), ex('r2-bytes', 2048, at(3, 50))],
      ],
      [BYTES_W0, [ex('r2-worker', 256, at(2, 75))]],
      [TEMP, [ex('r2-temp', -12.25, at(3, 10))]],
    ],
  },
  {
    steps: [4, 5],
    series: EVERY,
    separate: true,
    exemplars: [
      [
        MEDIUM,
        [ex('r3-medium-old', 0.4, at(0, 500), 'out of order'), ex('r3-medium', 0.45, at(5, 300))],
      ],
      [FAST, [ex('r3-fast', 0.05, at(4, 100))]],
      // Same timestamp as the newest stored one, another trace: Prometheus wants a later one.
      [
        BYTES_API,
        [ex('r3-bytes-same-ts', 3000, at(3, 50), 'out of order'), ex('r3-bytes', 4096, at(5, 50))],
      ],
      [TEMP, [ex('r3-temp', -Infinity, at(5, 10))]],
      [NEVER_SAMPLED, [ex('r3-never-sampled', 1, at(4, 0), 'no such series')]],
    ],
  },
  {
    steps: [6, 7],
    series: [...EVERY, BYTES_W1],
    metadata: true,
    exemplars: [
      // An older exemplar sent again (a retried batch): not the newest, so out of order.
      [
        BYTES_API,
        [ex('r1-bytes-a', 512, at(0, 50), 'out of order'), ex('r4-bytes', 16384, at(7, 50))],
      ],
      [ALL, [ex('r4-all', 1.7, at(7, 400))]],
      [BYTES_W1, [ex('r4-worker', 128, at(7, 20))]],
    ],
  },
];

/** Time windows of query_exemplars, as offsets from T0 in ms (absent: the API's default). */
const RANGES: Record<string, { start?: number; end?: number }> = {
  'no start or end': {},
  'the whole data': { start: -60_000, end: at(10, 0) },
  'cut at both ends, bounds on exemplars': { start: at(1, 310), end: at(5, 50) },
  'between exemplars': { start: at(5, 301), end: at(7, 0) },
  'open end': { start: at(6, 0) },
};

const QUERIES = [
  'app_request_duration_seconds_bucket',
  '{__name__=~"app_processed_bytes_total|app_temperature_celsius", job=~"work.*"}',
  'sum(rate(app_request_duration_seconds_bucket[5m])) / sum(rate(app_processed_bytes_total[5m]))',
  'histogram_quantile(0.9, sum by (le) (rate(app_request_duration_seconds_bucket{job="api"}[5m])))',
  'app_processed_bytes_total{job="api"} or app_processed_bytes_total',
  'app_temperature_celsius',
  '{__name__=~"app_.+"}',
  'app_processed_bytes_total{job="nope"}',
  'no_such_metric_total',
];

interface PromExemplar {
  labels: Record<string, string>;
  value: string;
  timestamp: number;
}
interface SeriesExemplars {
  seriesLabels: Record<string, string>;
  exemplars: PromExemplar[];
}
interface ApiResult<T> {
  http: number;
  status: string;
  data?: T;
  error?: string;
}
interface WriteOutcome {
  status: number;
  samples: number;
  exemplars: number;
  newExemplars: number;
  written: { samples: number | null; exemplars: number | null };
}

/**
 * The same remote write 1.0 bodies go to a real Prometheus (Debian's 2.42, remote-write receiver,
 * exemplar storage) and to Strata's gateway; query_exemplars and metadata must then answer alike.
 * Prometheus keeps remote-written metadata nowhere its API reads, so it learns the same families
 * by scraping a target that exposes only their TYPE/HELP/UNIT lines.
 */
(which('prometheus') ? describe : describe.skip)(
  'exemplars and metadata by remote write, against a real Prometheus',
  () => {
    let nats: RunningNatsServer;
    let dir: string;
    let bus: NatsBus;
    let services: RunningServices;
    let gateway: RunningGateway;
    let target: Server;
    let prometheus: RunningPrometheus;
    let promUrl: string;
    const writes: WriteOutcome[] = [];
    const order = { compared: 0, same: 0, promSorted: 0, notes: [] as string[] };

    beforeAll(async () => {
      ({ server: nats, dir } = await startTestNats());
      bus = await clientBus(nats);
      fakeControlPlane(bus, new Map([[TENANT, OPEN_QUOTA]]));
      services = await startInProcess(strataEnv(nats, join(dir, 'data')), [
        routerService,
        ingesterService,
        queryService,
        // The query side asks the store gateways too (an empty bucket here).
        storeService,
      ]);
      gateway = await startTestGateway(bus);
      target = await startMetadataTarget();
      const targetPort = (target.address() as AddressInfo).port;
      prometheus = await startPrometheus({
        dir,
        config: [
          'global: { scrape_interval: 1s, evaluation_interval: 1h }',
          `scrape_configs: [{ job_name: metadata, static_configs: [{ targets: ['127.0.0.1:${targetPort}'] }] }]`,
          '',
        ].join('\n'),
        flags: ['--web.enable-remote-write-receiver', '--enable-feature=exemplar-storage'],
      });
      promUrl = prometheus.url;
      await waitForStore(storeClient(bus), TENANT);

      for (const request of REQUESTS) {
        const body = encodeWriteRequestV1(batchOf(request));
        const prom = await postWrite(`${promUrl}/api/v1/write`, body, {});
        if (prom.status !== 204) throw new Error(`prometheus remote write: ${prom.status}`);
        const res = await postWrite(`${gateway.url}/api/v1/write`, body, strataHeaders);
        const sent = request.exemplars.flatMap(([, list]) => list);
        writes.push({
          status: res.status,
          samples: request.steps.length * request.series.length,
          exemplars: sent.length,
          newExemplars: sent.filter((e) => !e.drop).length,
          written: {
            samples: numberHeader(res, 'x-prometheus-remote-write-samples-written'),
            exemplars: numberHeader(res, 'x-prometheus-remote-write-exemplars-written'),
          },
        });
      }
      await waitForSamples(writes.reduce((n, w) => n + w.samples, 0));
      await until(
        30_000,
        async () => Object.keys((await promMetadata('')).data ?? {}).length === 3,
      );
      // Ingesters apply a write after it is acknowledged: give Strata a moment to agree.
      await until(15_000, async () => {
        const [prom, strata] = await bothExemplars('{__name__=~".+"}', {});
        const metadata = await getJson(gateway.url, '/api/v1/metadata', {}, strataHeaders);
        return (
          isDeepStrictEqual(sortSeries(prom.data ?? []), sortSeries(strata.data ?? [])) &&
          isDeepStrictEqual(metadata, await promMetadata(''))
        );
      }).catch(() => undefined);
    });

    afterAll(async () => {
      process.stdout.write(
        `exemplars spec: series order equal in ${order.same}/${order.compared} answers; ` +
          `Prometheus sorted by labels in ${order.promSorted}/${order.compared}\n` +
          order.notes.map((n) => `  ${n}\n`).join('') +
          `  exemplars per write (sent/new to Prometheus/Strata's written header): ` +
          `${writes.map((w) => `${w.exemplars}/${w.newExemplars}/${w.written.exemplars}`).join(' ')}\n`,
      );
      await prometheus?.stop();
      if (target) await new Promise<void>((r) => target.close(() => r()));
      await gateway?.close();
      await services?.stop();
      await bus?.drain();
      await nats?.process.stop();
      removeTestDirs();
    });

    const strataHeaders = { authorization: `Bearer ${ADMIN_TOKEN}`, 'x-scope-orgid': TENANT };

    const promMetadata = (query: string) =>
      getJson<Record<string, unknown[]>>(promUrl, `/api/v1/metadata${query}`, {});

    /** Both answers for one query and window: Prometheus', then Strata's without `tenant_id`. */
    async function bothExemplars(
      query: string,
      range: { start?: number; end?: number },
    ): Promise<[ApiResult<SeriesExemplars[]>, ApiResult<SeriesExemplars[]>]> {
      const params: Record<string, string> = { query };
      if (range.start !== undefined) params.start = String((T0 + range.start) / 1000);
      if (range.end !== undefined) params.end = String((T0 + range.end) / 1000);
      const path = '/api/v1/query_exemplars';
      const [prom, strata] = await Promise.all([
        getJson<SeriesExemplars[]>(promUrl, path, params, {}),
        getJson<SeriesExemplars[]>(gateway.url, path, params, strataHeaders),
      ]);
      for (const s of strata.data ?? []) delete s.seriesLabels.tenant_id;
      return [prom, strata];
    }

    async function waitForSamples(expected: number): Promise<void> {
      const store = storeClient(bus);
      await until(60_000, async () => {
        const { value } = await store.select({
          tenantId: TENANT,
          matchers: [{ type: '=~', name: '__name__', value: '.+' }],
          start: 0,
          end: Date.now() + 3_600_000,
        });
        return value.reduce((n, s) => n + s.timestamps.length, 0) >= expected;
      });
    }

    it('Prometheus keeps one exemplar per newer timestamp: duplicates and older ones dropped, NaN and infinities kept', async () => {
      const kept = keptExemplars();
      const got: Record<string, unknown> = {};
      const want: Record<string, unknown> = {};
      for (const [name, range] of Object.entries(RANGES)) {
        const [prom] = await bothExemplars('{__name__=~"app_.+"}', range);
        got[name] = prom.data === undefined ? prom : sortSeries(prom.data);
        want[name] = sortSeries(within(kept, range));
      }
      expect(got).toEqual(want);
      // The data set does hold every case the comparisons below are about.
      const drops = REQUESTS.flatMap((r) => r.exemplars.flatMap(([, l]) => l.map((e) => e.drop)));
      expect(drops).toEqual(
        expect.arrayContaining(['duplicate', 'out of order', 'no such series']),
      );
      const values = kept.flatMap((s) => s.exemplars.map((e) => e.value));
      expect(values).toEqual(expect.arrayContaining(['NaN', '+Inf', '-Inf', '-12.25']));
    });

    it.each(QUERIES)('query_exemplars %s answers as Prometheus does', async (query) => {
      const got: Record<string, unknown> = {};
      const want: Record<string, unknown> = {};
      for (const [name, range] of Object.entries(RANGES)) {
        const [prom, strata] = await bothExemplars(query, range);
        noteOrder(`${query} (${name})`, prom.data, strata.data);
        want[name] = prom.data === undefined ? prom : { ...prom, data: sortSeries(prom.data) };
        got[name] =
          strata.data === undefined ? strata : { ...strata, data: sortSeries(strata.data) };
      }
      expect(got).toEqual(want);
    });

    it.each(['', '?metric=app_processed_bytes', '?metric=app_temperature_celsius', '?metric=nope'])(
      'metadata%s answers as Prometheus does',
      async (query) => {
        const prom = await promMetadata(query);
        const strata = await getJson(gateway.url, `/api/v1/metadata${query}`, {}, strataHeaders);
        expect(strata).toEqual(prom);
      },
    );

    it.each([1, 2])(
      'metadata?limit=%i names that many families, each as Prometheus has it',
      async (limit) => {
        // Prometheus picks the families of a limited answer in map order: only the count and content compare.
        const all = (await promMetadata('')).data ?? {};
        const prom = (await promMetadata(`?limit=${limit}`)).data ?? {};
        expect(Object.keys(prom)).toHaveLength(limit);
        const strata = await getJson<Record<string, unknown[]>>(
          gateway.url,
          `/api/v1/metadata?limit=${limit}`,
          {},
          strataHeaders,
        );
        const names = Object.keys(strata.data ?? {});
        expect({ families: names.length, data: strata.data }).toEqual({
          families: limit,
          data: Object.fromEntries(names.map((n) => [n, all[n]])),
        });
      },
    );

    it('reports the samples written and no more exemplars than were sent (nor fewer than Prometheus stored)', () => {
      for (const w of writes) {
        expect(w.status).toBe(204);
        expect(w.written.samples).toBe(w.samples);
        if (w.written.exemplars === null) continue;
        expect(w.written.exemplars).toBeLessThanOrEqual(w.exemplars);
        expect(w.written.exemplars).toBeGreaterThanOrEqual(w.newExemplars);
      }
    });

    function noteOrder(
      what: string,
      prom: SeriesExemplars[] | undefined,
      strata: SeriesExemplars[] | undefined,
    ): void {
      if (!prom || !strata || prom.length < 2) return;
      const keys = (list: SeriesExemplars[]) => list.map((s) => key(s.seriesLabels)).join('\n');
      order.compared++;
      if (keys(prom) === keys(sortSeries(prom))) order.promSorted++;
      if (keys(prom) === keys(strata)) order.same++;
      else if (keys(sortSeries(prom)) === keys(sortSeries(strata)))
        order.notes.push(`${what}: same series in another order`);
    }
  },
);

/** The remote write 1.0 batch of a request. */
function batchOf(request: RequestDef): WriteBatch {
  const exemplarsOf = new Map(request.exemplars);
  const series: WriteSeries[] = request.series.map((s) => ({
    labels: labelsFrom(s.labels),
    timestamps: new Float64Array(request.steps.map((k) => T0 + k * STEP_MS)),
    values: new Float64Array(request.steps.map((k) => s.value(k))),
    exemplars: request.separate ? [] : (exemplarsOf.get(s) ?? []).map(toExemplar),
  }));
  if (request.separate)
    for (const [s, list] of request.exemplars)
      series.push({
        labels: labelsFrom(s.labels),
        timestamps: new Float64Array(),
        values: new Float64Array(),
        exemplars: list.map(toExemplar),
      });
  return { series, metadata: request.metadata ? METADATA : [] };
}

function traceLabels(id: string): Record<string, string> {
  const hex = createHash('sha256').update(id).digest('hex');
  return { trace_id: hex.slice(0, 32), span_id: hex.slice(32, 48) };
}

function toExemplar(e: SentExemplar): WriteSeries['exemplars'][number] {
  return { labels: labelsFrom(traceLabels(e.id)), value: e.value, timestamp: T0 + e.at };
}

/** Every exemplar Prometheus should hold, per series in sending order. */
function keptExemplars(): SeriesExemplars[] {
  const bySeries = new Map<string, SeriesExemplars>();
  for (const request of REQUESTS)
    for (const [s, list] of request.exemplars) {
      const k = key(s.labels);
      const entry = bySeries.get(k) ?? { seriesLabels: s.labels, exemplars: [] };
      bySeries.set(k, entry);
      for (const e of list)
        if (!e.drop)
          entry.exemplars.push({
            labels: traceLabels(e.id),
            value: promValue(e.value),
            timestamp: (T0 + e.at) / 1000,
          });
    }
  return [...bySeries.values()];
}

function within(list: SeriesExemplars[], range: { start?: number; end?: number }) {
  const lo = T0 + (range.start ?? -Infinity);
  const hi = T0 + (range.end ?? Infinity);
  return list
    .map((s) => ({
      ...s,
      exemplars: s.exemplars.filter((e) => e.timestamp * 1000 >= lo && e.timestamp * 1000 <= hi),
    }))
    .filter((s) => s.exemplars.length > 0);
}

function promValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function key(labels: Record<string, string>): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function sortSeries(list: SeriesExemplars[]): SeriesExemplars[] {
  return [...list].sort((a, b) => (key(a.seriesLabels) < key(b.seriesLabels) ? -1 : 1));
}

async function getJson<T = unknown>(
  base: string,
  path: string,
  params: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<ApiResult<T>> {
  const qs = Object.keys(params).length > 0 ? `?${new URLSearchParams(params).toString()}` : '';
  const res = await fetch(`${base}${path}${qs}`, { headers });
  const body = (await res.json()) as Omit<ApiResult<T>, 'http'>;
  return { http: res.status, ...body };
}

function postWrite(url: string, body: Buffer, headers: Record<string, string>): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: {
      ...headers,
      'content-type': 'application/x-protobuf',
      'content-encoding': 'snappy',
      'x-prometheus-remote-write-version': '0.1.0',
    },
    body,
  });
}

function numberHeader(res: Response, name: string): number | null {
  const v = res.headers.get(name);
  return v === null ? null : Number(v);
}

/** Polls `ready` every 200 ms until it holds; throws when `ms` have passed. */
async function until(ms: number, ready: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      if (await ready()) return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline) throw new Error(`not ready within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Serves the families' TYPE/HELP/UNIT lines and no samples, for Prometheus' metadata API. */
async function startMetadataTarget(): Promise<Server> {
  const text = METADATA.flatMap((m) => [
    `# TYPE ${m.metricFamilyName} ${m.type}`,
    `# HELP ${m.metricFamilyName} ${m.help}`,
    `# UNIT ${m.metricFamilyName} ${m.unit}`,
  ]).join('\n');
  const server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/openmetrics-text; version=1.0.0; charset=utf-8');
    res.end(`${text}\n# EOF\n`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return server;
}
