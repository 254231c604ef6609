import { join } from 'node:path';
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
import { type WriteSeries } from '@strata/remote-write';
import { encodeWriteRequestV1 } from '@strata/remote-write/testing';
import { routerService } from '@strata/router';
import { type RunningServices } from '@strata/service-kit';
import { labelsFrom } from '@strata/tsdb';
import {
  OPEN_QUOTA,
  type TestKeys,
  clientBus,
  fakeControlPlane,
  removeTestDirs,
  startInProcess,
  startTestGateway,
  startTestNats,
  strataEnv,
} from '@strata/platform/testing';

jest.setTimeout(180_000);

const A = 'status-a';
const B = 'status-b';
const KEYS: TestKeys = new Map([
  ['status-a-write', { tenantId: A, scopes: ['write'] }],
  ['status-a-read', { tenantId: A, scopes: ['read'] }],
  ['status-b-write', { tenantId: B, scopes: ['write'] }],
  ['status-b-read', { tenantId: B, scopes: ['read'] }],
]);
const T0 = Math.floor(Date.now() / 1000) * 1000 - 10 * 60_000;
const STEPS = [0, 15_000, 30_000, 45_000];

type Labels = Record<string, string>;
interface Stat {
  name: string;
  value: number;
}
interface TsdbStatus {
  headStats: {
    numSeries: number;
    numLabelPairs: number;
    chunkCount: number;
    minTime: number;
    maxTime: number;
  };
  seriesCountByMetricName: Stat[];
  labelValueCountByLabelName: Stat[];
  memoryInBytesByLabelName: Stat[];
  seriesCountByLabelValuePair: Stat[];
}
type ListName = Exclude<keyof TsdbStatus, 'headStats'>;
const COUNT_LISTS: ListName[] = [
  'seriesCountByMetricName',
  'labelValueCountByLabelName',
  'seriesCountByLabelValuePair',
];

/** Tenant A's series: more than ten metric names, names with many values, ties, UTF-8 values. */
function tenantASeries(): Array<{ labels: Labels; timestamps: number[] }> {
  const out: Array<{ labels: Labels; timestamps: number[] }> = [];
  const add = (labels: Labels, timestamps = STEPS) => out.push({ labels, timestamps });
  for (const job of ['api', 'web'])
    for (const instance of ['a:80', 'b:80', 'c:80'])
      for (const code of ['200', '404', '500'])
        for (const method of ['GET', 'POST'])
          add({ __name__: 'http_requests_total', job, instance, code, method });
  for (const instance of ['a:9100', 'b:9100'])
    for (let cpu = 0; cpu < 4; cpu++)
      for (const mode of ['idle', 'user', 'system'])
        add({ __name__: 'node_cpu_seconds_total', job: 'node', instance, cpu: String(cpu), mode });
  for (let k = 1; k <= 13; k++)
    for (let shard = 0; shard < k; shard++)
      add({
        __name__: `app_queue_depth_${String(k).padStart(2, '0')}`,
        job: 'app',
        shard: `s${shard}`,
      });
  for (const city of ['zürich', '東京', 'lyon'])
    add({ __name__: 'weather_celsius', job: 'app', city });
  // Long series: more than one chunk each (Prometheus and Strata cut at 120 samples).
  const long = Array.from({ length: 250 }, (_, i) => i * 1000);
  for (const which of ['one', 'two']) add({ __name__: 'long_series', job: 'app', which }, long);
  return out;
}

const B_SERIES = Array.from({ length: 5 }, (_, i) => ({
  labels: { __name__: 'b_secret_metric', job: 'api', b_secret_label: `b-value-${i}` },
  timestamps: STEPS,
}));

function body(series: Array<{ labels: Labels; timestamps: number[] }>): Buffer {
  const ws: WriteSeries[] = series.map((s) => ({
    labels: labelsFrom(s.labels),
    timestamps: new Float64Array(s.timestamps.map((t) => T0 + t)),
    values: new Float64Array(s.timestamps.map((_, i) => i)),
    exemplars: [],
  }));
  return encodeWriteRequestV1({ series: ws, metadata: [] });
}

/**
 * The same remote-write body goes to Debian's Prometheus (2.42) and, for tenant A, to Strata's
 * gateway; tenant B writes series of its own to Strata only. `/api/v1/status/tsdb` and the
 * cardinality endpoints, read with A's read key, must then describe exactly what Prometheus holds.
 */
(which('prometheus') ? describe : describe.skip)(
  'TSDB status and cardinality of a tenant, against a real Prometheus',
  () => {
    let nats: RunningNatsServer;
    let bus: NatsBus;
    let services: RunningServices;
    let gateway: RunningGateway;
    let prometheus: RunningPrometheus;
    const seriesA = tenantASeries();
    const notes: string[] = [];

    beforeAll(async () => {
      const started = await startTestNats();
      nats = started.server;
      bus = await clientBus(nats);
      fakeControlPlane(
        bus,
        new Map([
          [A, OPEN_QUOTA],
          [B, OPEN_QUOTA],
        ]),
        KEYS,
      );
      services = await startInProcess(strataEnv(nats, join(started.dir, 'data')), [
        routerService,
        ingesterService,
        queryService,
        // The query side asks the store gateways too (an empty bucket here).
        storeService,
      ]);
      gateway = await startTestGateway(bus);
      prometheus = await startPrometheus({
        dir: started.dir,
        flags: ['--web.enable-remote-write-receiver'],
      });

      const a = body(seriesA);
      expect((await postWrite(`${prometheus.url}/api/v1/write`, a, {})).status).toBe(204);
      await until(60_000, async () => {
        const res = await postWrite(`${gateway.url}/api/v1/write`, a, {
          authorization: 'Bearer status-a-write',
        });
        return res.status === 204;
      });
      await until(60_000, async () => {
        const res = await postWrite(`${gateway.url}/api/v1/write`, body(B_SERIES), {
          authorization: 'Bearer status-b-write',
        });
        return res.status === 204;
      });
      // Ingesters apply a write after it is acknowledged.
      await until(60_000, async () => {
        const [sa, sb] = await Promise.all([strataStatus(A, ''), strataStatus(B, '')]);
        return (
          sa.headStats.numSeries === seriesA.length && sb.headStats.numSeries === B_SERIES.length
        );
      });
    });

    afterAll(async () => {
      process.stdout.write(
        `tsdb-status spec (Prometheus ${prometheus?.version}):\n${notes.map((n) => `  ${n}\n`).join('')}`,
      );
      await prometheus?.stop();
      await gateway?.close();
      await services?.stop();
      await bus?.drain();
      await nats?.process.stop();
      removeTestDirs();
    });

    async function strataStatus(tenant: string, query: string): Promise<TsdbStatus> {
      const key = tenant === A ? 'status-a-read' : 'status-b-read';
      const res = await fetch(`${gateway.url}/api/v1/status/tsdb${query}`, {
        headers: { authorization: `Bearer ${key}` },
      });
      const json = (await res.json()) as { status: string; data: TsdbStatus };
      if (json.status !== 'success') throw new Error(JSON.stringify(json));
      return json.data;
    }

    async function promStatus(query = ''): Promise<TsdbStatus> {
      return (
        (await (await fetch(`${prometheus.url}/api/v1/status/tsdb${query}`)).json()) as {
          data: TsdbStatus;
        }
      ).data;
    }

    async function promSeries(match: string): Promise<Labels[]> {
      const url = `${prometheus.url}/api/v1/series?match[]=${encodeURIComponent(match)}`;
      return ((await (await fetch(url)).json()) as { data: Labels[] }).data;
    }

    async function cardinality(
      path: string,
      params: Record<string, string | string[]>,
    ): Promise<unknown> {
      const qs = new URLSearchParams();
      for (const [k, v] of Object.entries(params)) for (const x of [v].flat()) qs.append(k, x);
      const res = await fetch(`${gateway.url}/api/v1/cardinality/${path}?${qs.toString()}`, {
        headers: { authorization: 'Bearer status-a-read' },
      });
      if (res.status !== 200) throw new Error(`${res.status} ${await res.text()}`);
      return res.json();
    }

    it('counts series, label pairs and the time span as Prometheus does', async () => {
      const [prom, strata] = await Promise.all([promStatus(), strataStatus(A, '')]);
      const { numSeries, numLabelPairs, minTime, maxTime } = prom.headStats;
      expect(strata.headStats).toMatchObject({ numSeries, numLabelPairs, minTime, maxTime });
      expect(numSeries).toBe(seriesA.length);
      notes.push(
        `headStats: Prometheus ${JSON.stringify(prom.headStats)}; Strata ${JSON.stringify(strata.headStats)}`,
      );
    });

    it.each(COUNT_LISTS)('%s: the same top 10 as Prometheus (ties in any order)', async (list) => {
      const [prom, strata] = await Promise.all([promStatus(), strataStatus(A, '')]);
      expect(prom[list]).toHaveLength(10);
      expect(topView(strata[list], 10)).toEqual(topView(prom[list], 10));
    });

    it.each(COUNT_LISTS)('%s with limit=3: the head of the same list', async (list) => {
      // Debian's 2.42 predates the limit parameter and always answers ten: compare with its first three.
      const [prom, strata] = await Promise.all([
        promStatus('?limit=3'),
        strataStatus(A, '?limit=3'),
      ]);
      if (prom[list].length !== 3)
        notes.push(
          `${list}: Prometheus ${prometheus.version} ignored limit=3 (${prom[list].length} entries)`,
        );
      expect(strata[list]).toHaveLength(3);
      expect(topView(strata[list], 3)).toEqual(topView(prom[list].slice(0, 3), 3));
    });

    it("memoryInBytesByLabelName follows Prometheus 3's formula over the series Prometheus holds", async () => {
      const [prom, strata, series] = await Promise.all([
        promStatus(),
        strataStatus(A, ''),
        promSeries('{__name__=~".+"}'),
      ]);
      const v3 = memoryBytes(series, true);
      expect(topView(strata.memoryInBytesByLabelName, 10)).toEqual(topView(v3, 10));
      if (prometheus.version.startsWith('2.')) {
        // 2.42 summed each distinct value's bytes once; Prometheus 3 weighs them by the series carrying them.
        expect(topView(prom.memoryInBytesByLabelName, 10)).toEqual(
          topView(memoryBytes(series, false), 10),
        );
        notes.push(
          `memoryInBytesByLabelName: 2.42 ${JSON.stringify(prom.memoryInBytesByLabelName.slice(0, 3))} vs Strata (3) ${JSON.stringify(strata.memoryInBytesByLabelName.slice(0, 3))}`,
        );
      } else {
        expect(topView(prom.memoryInBytesByLabelName, 10)).toEqual(topView(v3, 10));
      }
    });

    it("never shows tenant B's series nor the tenant label to tenant A, and B sees only its own", async () => {
      const a = JSON.stringify(await strataStatus(A, '?limit=1000'));
      expect(a).not.toMatch(/b_secret|b-value|tenant_id|status-a|status-b/);
      const b = await strataStatus(B, '?limit=1000');
      expect(b.headStats.numSeries).toBe(B_SERIES.length);
      expect(b.seriesCountByMetricName).toEqual([{ name: 'b_secret_metric', value: 5 }]);
      expect(b.seriesCountByLabelValuePair).toContainEqual({ name: 'job=api', value: 5 });
      // A's job=api count is A's alone, though B's five series carry job="api" too.
      const jobApi = (x: TsdbStatus) =>
        x.seriesCountByLabelValuePair.find((p) => p.name === 'job=api')?.value;
      expect(jobApi(JSON.parse(a) as TsdbStatus)).toBe(
        seriesA.filter((x) => x.labels.job === 'api').length,
      );
      const names = (await cardinality('label_values', {
        'label_names[]': ['b_secret_label', 'tenant_id'],
      })) as {
        labels: Array<{ label_values_count: number }>;
      };
      expect(names.labels.map((l) => l.label_values_count)).toEqual([0, 0]);
    });

    it("counts the tenant's chunks as its head cuts them (Prometheus' figure printed beside)", async () => {
      const [prom, strata] = await Promise.all([promStatus(), strataStatus(A, '')]);
      // Strata cuts a chunk at 120 samples and at every 2h boundary. Prometheus 2.42 instead spreads a
      // chunk's samples towards the end of its 2h range (up to 240 a chunk), so its count depends on
      // where the clock stands in that range: printed, not compared.
      const TWO_HOURS = 2 * 3_600_000;
      let expected = 0;
      for (const s of seriesA) {
        const perRange = new Map<number, number>();
        for (const t of s.timestamps) {
          const range = Math.floor((T0 + t) / TWO_HOURS);
          perRange.set(range, (perRange.get(range) ?? 0) + 1);
        }
        for (const n of perRange.values()) expected += Math.ceil(n / 120);
      }
      notes.push(
        `chunkCount: Prometheus ${prom.headStats.chunkCount}, Strata ${strata.headStats.chunkCount} (expected ${expected})`,
      );
      expect(strata.headStats.chunkCount).toBe(expected);
    });

    it.each([undefined, '{job="api"}', '{job!="api"}', 'http_requests_total{code=~"[45].."}'])(
      'label_names for selector %s matches the series Prometheus selects',
      async (selector) => {
        // Prometheus' series API wants a non-empty matcher; Mimir's selector, like ParseMetricSelector, does not.
        const match =
          selector === undefined ? '{__name__=~".+"}' : selector.replace('{', '{__name__=~".+", ');
        const series = await promSeries(selector?.startsWith('{') ? match : (selector ?? match));
        const got = await cardinality('label_names', {
          limit: '500',
          ...(selector ? { selector } : {}),
        });
        expect(got).toEqual(expectedLabelNames(series, 500));
        expect(
          await cardinality('label_names', { limit: '2', ...(selector ? { selector } : {}) }),
        ).toEqual(expectedLabelNames(series, 2));
      },
    );

    it.each([undefined, 'http_requests_total', '{job=~"api|node"}'])(
      'label_values for selector %s matches the series Prometheus selects',
      async (selector) => {
        const series = await promSeries(selector ?? '{__name__=~".+"}');
        const names = ['code', 'instance', 'job', 'missing_label', 'shard'];
        for (const limit of [3, 20]) {
          const got = await cardinality('label_values', {
            'label_names[]': names,
            limit: String(limit),
            ...(selector ? { selector } : {}),
          });
          expect(got).toEqual(expectedLabelValues(series, names, seriesA.length, limit));
        }
      },
    );
  },
);

/**
 * A top-N list as far as Prometheus defines it: the counts in order, and the names of every entry
 * whose count is above the last one's. Prometheus fills its top-N from Go map order, so among
 * entries tied with the last it keeps an arbitrary subset, and lists ties in any order.
 */
function topView(list: Stat[], n: number): { values: number[]; above: string[] } {
  const cut = list.slice(0, n);
  const last = cut.length === n ? cut[n - 1].value : -1;
  return {
    values: cut.map((s) => s.value),
    above: cut
      .filter((s) => s.value > last)
      .map((s) => `${s.name}=${s.value}`)
      .sort(),
  };
}

/** Per label name, the UTF-8 bytes of its values, times their series (Prometheus 3) or once each (2.42). */
function memoryBytes(series: Labels[], perSeries: boolean): Stat[] {
  const byName = new Map<string, Map<string, number>>();
  for (const s of series)
    for (const [n, v] of Object.entries(s)) {
      const values = byName.get(n) ?? new Map<string, number>();
      byName.set(n, values.set(v, (values.get(v) ?? 0) + 1));
    }
  return [...byName]
    .map(([name, values]) => ({
      name,
      value: [...values].reduce(
        (sum, [v, c]) => sum + Buffer.byteLength(v) * (perSeries ? c : 1),
        0,
      ),
    }))
    .sort((a, b) => b.value - a.value);
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Mimir's documented answer for these series: names by distinct values desc, then name asc. */
function expectedLabelNames(series: Labels[], limit: number): unknown {
  const values = new Map<string, Set<string>>();
  for (const s of series)
    for (const [n, v] of Object.entries(s)) values.set(n, (values.get(n) ?? new Set()).add(v));
  const items = [...values]
    .map(([label_name, vs]) => ({ label_name, label_values_count: vs.size }))
    .sort((a, b) => b.label_values_count - a.label_values_count || cmp(a.label_name, b.label_name));
  return {
    label_values_count_total: items.reduce((n, i) => n + i.label_values_count, 0),
    label_names_count: items.length,
    cardinality: items.slice(0, limit),
  };
}

/** Mimir's documented answer: names by series desc then name, values by series desc then value. */
function expectedLabelValues(
  series: Labels[],
  names: string[],
  total: number,
  limit: number,
): unknown {
  const labels = names.map((label_name) => {
    const counts = new Map<string, number>();
    for (const s of series)
      if (label_name in s) counts.set(s[label_name], (counts.get(s[label_name]) ?? 0) + 1);
    const values = [...counts]
      .map(([label_value, series_count]) => ({ label_value, series_count }))
      .sort((a, b) => b.series_count - a.series_count || cmp(a.label_value, b.label_value));
    return {
      label_name,
      label_values_count: values.length,
      series_count: values.reduce((n, v) => n + v.series_count, 0),
      cardinality: values.slice(0, limit),
    };
  });
  labels.sort((a, b) => b.series_count - a.series_count || cmp(a.label_name, b.label_name));
  return { series_count_total: total, labels };
}

function postWrite(
  url: string,
  payload: Buffer,
  headers: Record<string, string>,
): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: {
      ...headers,
      'content-type': 'application/x-protobuf',
      'content-encoding': 'snappy',
      'x-prometheus-remote-write-version': '0.1.0',
    },
    body: payload,
  });
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
