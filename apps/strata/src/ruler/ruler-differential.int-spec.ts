import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { controlPlaneService } from '@strata/control-plane';
import { freePort, startPrometheus, type RunningPrometheus } from '@strata/devstack';
import { gatewayService } from '@strata/gateway';
import { ingesterService } from '@strata/ingester';
import {
  eventually,
  removeTestDirs,
  startInProcess,
  startTestNats,
  strataEnv,
} from '@strata/platform/testing';
import { queryService } from '@strata/query';
import { type WriteBatch, type WriteSeries } from '@strata/remote-write';
import { REMOTE_WRITE_V1_HEADERS, encodeWriteRequestV1 } from '@strata/remote-write/testing';
import { routerService } from '@strata/router';
import { rulerService } from '@strata/ruler';
import { type RunningServices } from '@strata/service-kit';
import { storeService } from '@strata/store';
import { freshDatabase, type FreshDatabase } from '@strata/testing';
import { type RunningNatsServer } from '@strata/devstack';
import { labelsFrom } from '@strata/tsdb';

jest.setTimeout(420_000);

const TOKEN = 'ruler-diff-admin-token-0123456';
const INTERVAL_MS = 2000;
/** The recording rules and the alerts' conditions, each as Prometheus evaluates it unaided. */
const RECORDED: Record<string, string> = {
  'instance:http_requests:rate10s': 'sum by (instance) (rate(http_requests_total[10s]))',
  'code:http_requests:increase10s': 'sum by (code) (increase(http_requests_total[10s]))',
  'instance:request_duration_seconds:p90':
    'histogram_quantile(0.9, sum by (instance, le) (rate(request_duration_seconds_bucket[10s])))',
  'instance:request_duration_seconds:mean':
    'rate(request_duration_seconds_sum[10s]) / rate(request_duration_seconds_count[10s])',
};
const CONDITIONS: Record<string, string> = {
  QueueDeep: 'queue_depth > 5',
  // RateHigh reads the recording rule above it in the group; the oracle inlines that rule.
  RateHigh: `${RECORDED['instance:http_requests:rate10s']} > 4`,
};
const GROUP = `name: diff
interval: 2s
rules:
${Object.entries(RECORDED)
  .map(([record, expr]) => `  - record: ${record}\n    expr: ${expr}\n`)
  .join('')}  - alert: QueueDeep
    expr: queue_depth > 5
    for: 6s
    keep_firing_for: 4s
    labels:
      severity: page
    annotations:
      summary: '{{ $labels.instance }} queue at {{ $value | humanize }}'
      description: '{{ with query "sum(queue_depth)" }}{{ . | first | value | printf "%.1f" }}{{ end }} queued in total'
  - alert: RateHigh
    expr: instance:http_requests:rate10s > 4
    for: 4s
    annotations:
      summary: '{{ $labels.instance | toUpper }} is {{ if gt $value 100.0 }}flooded{{ else }}busy{{ end }}'
`;

/** Seconds after T0 of the data's episodes; the alerts' expected course follows from them. */
const RUN_S = 90;
const queueDepthA = (s: number): number =>
  // Deep for 20 s with a 2 s dip (shorter than keep_firing_for), deep again until 45 s, then a
  // 4 s blip shorter than `for` that stays pending.
  (s >= 10 && s < 30) || (s >= 32 && s < 45) || (s >= 60 && s < 64) ? 10 : 1;
const requestsPerSecondB = (s: number): number => (s >= 40 && s < 70 ? 6 : 2);

/** The whole run's samples at 1 s resolution, written before the run to both sides. */
function runData(t0: number): WriteBatch {
  const series: WriteSeries[] = [];
  const add = (labels: Record<string, string>, value: (s: number) => number) => {
    const timestamps: number[] = [];
    const values: number[] = [];
    for (let s = -15; s <= RUN_S + 10; s++) {
      timestamps.push(t0 + s * 1000);
      values.push(value(s));
    }
    series.push({
      labels: labelsFrom({ job: 'diff', ...labels }),
      timestamps: new Float64Array(timestamps),
      values: new Float64Array(values),
      exemplars: [],
    });
  };
  const cumulative = (perSecond: (s: number) => number) => {
    const at = new Map<number, number>();
    let total = 0;
    for (let s = -15; s <= RUN_S + 10; s++) at.set(s, (total += perSecond(s)));
    return (s: number) => at.get(s) ?? 0;
  };
  add(
    { __name__: 'http_requests_total', instance: 'a', code: '200' },
    cumulative(() => 3),
  );
  // A counter reset at 50 s that rate() must see through.
  const b = cumulative(requestsPerSecondB);
  add({ __name__: 'http_requests_total', instance: 'b', code: '200' }, (s) =>
    s < 50 ? b(s) : b(s) - b(49),
  );
  add(
    { __name__: 'http_requests_total', instance: 'b', code: '500' },
    cumulative((s) => (s % 7 === 0 ? 1 : 0)),
  );
  const buckets: Array<[string, number]> = [
    ['0.1', 0.5],
    ['0.5', 0.8],
    ['1', 0.95],
    ['+Inf', 1],
  ];
  for (const instance of ['a', 'b']) {
    const slow = instance === 'b';
    const rate = (s: number) => (slow && s >= 40 ? 20 : 10);
    for (const [le, share] of buckets)
      add(
        { __name__: 'request_duration_seconds_bucket', instance, le },
        cumulative((s) =>
          Math.round(rate(s) * (slow && s >= 40 && le !== '+Inf' ? share / 2 : share)),
        ),
      );
    add({ __name__: 'request_duration_seconds_count', instance }, cumulative(rate));
    add(
      { __name__: 'request_duration_seconds_sum', instance },
      cumulative((s) => rate(s) * (slow ? 0.4 : 0.15)),
    );
  }
  add({ __name__: 'queue_depth', instance: 'a' }, queueDepthA);
  add({ __name__: 'queue_depth', instance: 'b' }, () => 2);
  return { metadata: [], series };
}

interface ApiAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: string;
  activeAt: string;
  value: string;
}
interface Episode {
  labels: string;
  activeAt: number;
  states: Set<string>;
  annotations: Set<string>;
}
type Vector = Array<{ metric: Record<string, string>; value: [number, string] }>;

const labelKey = (l: Record<string, string>): string =>
  JSON.stringify(Object.fromEntries(Object.entries(l).sort(([a], [b]) => (a < b ? -1 : 1))));

/** Each alert's lifetime as one side showed it, keyed by labels and activeAt. */
function record(into: Map<string, Episode>, alerts: ApiAlert[]): void {
  for (const a of alerts) {
    const activeAt = Date.parse(a.activeAt);
    const key = `${labelKey(a.labels)}@${activeAt}`;
    const e = into.get(key) ?? {
      labels: labelKey(a.labels),
      activeAt,
      states: new Set<string>(),
      annotations: new Set<string>(),
    };
    e.states.add(a.state);
    e.annotations.add(labelKey(a.annotations));
    into.set(key, e);
  }
}

/**
 * Strata's ruler against Debian's Prometheus with the same rule group over the same samples.
 * The whole run's data is written to both before it starts (timestamps up to ~100 s ahead, which
 * both accept), so whenever either side evaluates at t every sample at or before t is already
 * there and ingestion lag cannot make them differ. The two sides evaluate at different instants:
 * Prometheus offsets a group within its interval by the hash of its file (an absolute path) and
 * name, Strata by the hash of namespace and name. So each recorded sample of Strata is checked
 * against Prometheus' own engine queried at that sample's timestamp, and alerts are compared per
 * episode: the same alerts, in the same order, reaching the same states with the same
 * annotations, each side's `activeAt` within one interval of the other's, and Strata's `activeAt`
 * exactly its first evaluation at which Prometheus finds the condition true.
 */
describe('the ruler against Prometheus', () => {
  let nats: RunningNatsServer;
  let db: FreshDatabase;
  let platform: RunningServices;
  let prometheus: RunningPrometheus;
  let gateway = '';
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${gateway}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${TOKEN}`,
        'x-scope-orgid': 'acme',
        ...(init.headers as Record<string, string>),
      },
    });
  const promQuery = async (expr: string, t: number): Promise<Vector> => {
    const res = await fetch(
      `${prometheus.url}/api/v1/query?${new URLSearchParams({ query: expr, time: String(t / 1000) })}`,
    );
    const body = (await res.json()) as { data?: { result: Vector } };
    if (!body.data) throw new Error(`prometheus answered ${res.status} for ${expr}`);
    return body.data.result;
  };

  beforeAll(async () => {
    db = await freshDatabase('ruler_diff');
    const started = await startTestNats();
    nats = started.server;
    const promDir = join(started.dir, 'prometheus');
    mkdirSync(promDir, { recursive: true });
    writeFileSync(
      join(promDir, 'rules.yml'),
      `groups:\n${GROUP.replace(/^(?=.)/gm, '    ').replace(/^ {4}name/, '  - name')}`,
    );
    prometheus = await startPrometheus({
      dir: promDir,
      config: `global:\n  evaluation_interval: 2s\nrule_files:\n  - ${join(promDir, 'rules.yml')}\nscrape_configs: []\n`,
      flags: ['--web.enable-remote-write-receiver', '--log.level=warn'],
    });
    const port = await freePort();
    gateway = `http://127.0.0.1:${port}`;
    platform = await startInProcess(
      strataEnv(nats, join(started.dir, 'data'), {
        DATABASE_URL: db.url,
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: String(port),
        STRATA_ADMIN_TOKEN: TOKEN,
        STRATA_RULER_POLL_INTERVAL_SECONDS: '1',
        STRATA_RULER_LEASE_TTL_SECONDS: '2',
      }),
      [
        gatewayService,
        controlPlaneService,
        routerService,
        ingesterService,
        storeService,
        queryService,
        rulerService,
      ],
    );
    const created = await api('/api/v1/admin/tenants', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenantId: 'acme', displayName: 'Acme' }),
    });
    expect(created.status).toBe(201);
  });

  afterAll(async () => {
    await platform?.stop();
    await prometheus?.stop();
    await nats?.process.stop();
    await db?.drop();
    removeTestDirs();
  });

  it('records what Prometheus computes and alerts when Prometheus alerts', async () => {
    const uploaded = await api('/prometheus/config/v1/rules/diff', {
      method: 'POST',
      headers: { 'content-type': 'application/yaml' },
      body: GROUP,
    });
    expect(uploaded.status).toBe(202);
    const promRules = (await (await fetch(`${prometheus.url}/api/v1/rules`)).json()) as {
      data: { groups: Array<{ rules: unknown[] }> };
    };
    expect(promRules.data.groups[0].rules).toHaveLength(6);
    await eventually(
      async () => {
        const body = (await (await api('/api/v1/rules')).json()) as {
          data: { groups: Array<{ lastEvaluation: string }> };
        };
        const last = body.data.groups[0]?.lastEvaluation;
        return last && !last.startsWith('0001') ? true : undefined;
      },
      60_000,
      'the group evaluated by Strata',
    );

    // Far enough ahead that both writes land before the first evaluation that could see them.
    const t0 = Math.ceil(Date.now() / 1000) * 1000 + 10_000;
    const body = encodeWriteRequestV1(runData(t0));
    const toProm = await fetch(`${prometheus.url}/api/v1/write`, {
      method: 'POST',
      headers: REMOTE_WRITE_V1_HEADERS,
      body,
    });
    expect(toProm.status).toBe(204);
    const toStrata = await api('/api/v1/push', {
      method: 'POST',
      headers: REMOTE_WRITE_V1_HEADERS,
      body,
    });
    expect(toStrata.status).toBe(204);
    expect(Date.now()).toBeLessThan(t0);

    const strataEpisodes = new Map<string, Episode>();
    const promEpisodes = new Map<string, Episode>();
    const alertsOf = async (res: Promise<Response>): Promise<ApiAlert[]> =>
      ((await (await res).json()) as { data: { alerts: ApiAlert[] } }).data.alerts;
    while (Date.now() < t0 + RUN_S * 1000) {
      const [s, p] = await Promise.all([
        alertsOf(api('/api/v1/alerts')),
        alertsOf(fetch(`${prometheus.url}/api/v1/alerts`)),
      ]);
      record(strataEpisodes, s);
      record(promEpisodes, p);
      await new Promise((r) => setTimeout(r, 300));
    }

    // Every sample Strata recorded during the run equals Prometheus' evaluation at its timestamp.
    const evalTimes = new Set<number>();
    let compared = 0;
    for (const [name, expr] of Object.entries(RECORDED)) {
      const res = (await (
        await api(
          `/api/v1/query?${new URLSearchParams({ query: `${name}[${RUN_S + 20}s]`, time: String((t0 + RUN_S * 1000) / 1000) })}`,
        )
      ).json()) as {
        data: {
          result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }>;
        };
      };
      const recorded = new Map<number, Map<string, string>>();
      for (const series of res.data.result)
        for (const [t, v] of series.values) {
          const at = Math.round(t * 1000);
          if (at < t0) continue;
          evalTimes.add(at);
          const m = recorded.get(at) ?? new Map<string, string>();
          const { __name__, ...labels } = series.metric;
          expect(__name__).toBe(name);
          m.set(labelKey(labels), v);
          recorded.set(at, m);
        }
      expect(recorded.size).toBeGreaterThan(RUN_S / 2 / 2);
      for (const [at, got] of recorded) {
        const want = new Map(
          (await promQuery(expr, at)).map((s) => [labelKey(s.metric), s.value[1]] as const),
        );
        expect({ rule: name, at: at - t0, samples: Object.fromEntries(got) }).toEqual({
          rule: name,
          at: at - t0,
          samples: Object.fromEntries(want),
        });
        compared += got.size;
      }
    }
    expect(compared).toBeGreaterThan(100);

    // Alerts: the same episodes on both sides.
    const ordered = (m: Map<string, Episode>) =>
      [...m.values()].sort((a, b) => a.activeAt - b.activeAt || (a.labels < b.labels ? -1 : 1));
    const s = ordered(strataEpisodes);
    const p = ordered(promEpisodes);
    const shape = (e: Episode) => ({
      labels: e.labels,
      states: [...e.states].sort(),
      annotations: [...e.annotations].sort(),
    });
    expect(s.map(shape)).toEqual(p.map(shape));
    // QueueDeep twice (the second only pending) and RateHigh once, so the run did exercise them.
    expect(s.map((e) => [JSON.parse(e.labels).alertname, [...e.states].sort()])).toEqual([
      ['QueueDeep', ['firing', 'pending']],
      ['RateHigh', ['firing', 'pending']],
      ['QueueDeep', ['pending']],
    ]);
    const times = [...evalTimes].sort((a, b) => a - b);
    for (let i = 0; i < s.length; i++) {
      // Each side's activeAt is its own first evaluation after the condition starts to hold, so
      // they differ by less than an interval, or by one more if a loaded machine delayed a slot;
      // the exact check is the one against Prometheus' engine at Strata's timestamps below.
      expect(Math.abs(s[i].activeAt - p[i].activeAt)).toBeLessThan(2 * INTERVAL_MS);
      const labels = JSON.parse(s[i].labels) as Record<string, string>;
      const { alertname, severity: _severity, ...series } = labels;
      const condition = CONDITIONS[alertname];
      const holds = async (t: number) =>
        (await promQuery(condition, t)).some(({ metric: { __name__: _name, ...rest } }) => {
          // A filtering comparison keeps the metric name; an alert's labels never carry it.
          return labelKey(rest) === labelKey(series);
        });
      const before = times.filter((t) => t < s[i].activeAt).pop();
      expect(times).toContain(s[i].activeAt);
      expect(await holds(s[i].activeAt)).toBe(true);
      expect(before !== undefined && !(await holds(before))).toBe(true);
    }
  });
});
