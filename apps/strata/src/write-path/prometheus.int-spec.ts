import { join } from 'node:path';
import { type NatsBus } from '@strata/bus';
import { type QuotaSpec, isStaleNaN } from '@strata/contracts';
import {
  type RunningNatsServer,
  type RunningPrometheus,
  startPrometheus,
  which,
} from '@strata/devstack';
import { type RunningServices } from '@strata/service-kit';
import { type StoreClient } from '@strata/store-client';
import {
  OPEN_QUOTA,
  clientBus,
  fakeControlPlane,
  startInProcess,
  startTestNats,
  startTestGateway,
  storeClient,
  strataEnv,
  waitForStore,
  removeTestDirs,
} from '@strata/platform/testing';

const RUN_SECONDS = 65;
jest.setTimeout((RUN_SECONDS + 90) * 1000);

type Matrix = Array<{ metric: Record<string, string>; values: Array<[number, string]> }>;

/**
 * A real Prometheus (Debian's package) scrapes itself every second and remote-writes to the
 * edge for over a minute; afterwards Strata must hold exactly the samples Prometheus holds
 * locally, series by series.
 */
(which('prometheus') ? describe : describe.skip)(
  'a real Prometheus remote-writing to Strata',
  () => {
    let nats: RunningNatsServer;
    let dir: string;
    let bus: NatsBus;
    let platform: RunningServices;
    let store: StoreClient;
    let edge: { url: string; close(): Promise<void> };
    let prometheus: RunningPrometheus;
    let promUrl: string;

    beforeAll(async () => {
      ({ server: nats, dir } = await startTestNats());
      bus = await clientBus(nats);
      fakeControlPlane(
        bus,
        new Map<string, QuotaSpec>([['prom', OPEN_QUOTA]]),
        new Map([['prom-key', { tenantId: 'prom', scopes: ['write'] }]]),
      );
      platform = await startInProcess(strataEnv(nats, join(dir, 'data')));
      edge = await startTestGateway(bus, 16 * 1024 * 1024);
      store = storeClient(bus);
      await waitForStore(store, 'prom');
      prometheus = await startPrometheus({
        dir,
        config: (port) =>
          [
            'global: { scrape_interval: 1s, evaluation_interval: 1h }',
            `scrape_configs: [{ job_name: prometheus, static_configs: [{ targets: ['127.0.0.1:${port}'] }] }]`,
            'remote_write:',
            `  - url: ${edge.url}/api/v1/write`,
            '    authorization: { credentials: prom-key }',
            '    headers: { X-Scope-OrgID: prom }',
            '    queue_config: { batch_send_deadline: 1s }',
            '',
          ].join('\n'),
      });
      promUrl = prometheus.url;
    });

    afterAll(async () => {
      await prometheus?.stop();
      await edge?.close();
      await platform?.stop();
      await bus?.drain();
      await nats?.process.stop();
      removeTestDirs();
    });

    const promQuery = async <T>(query: string, time: number): Promise<T> => {
      const res = await fetch(
        `${promUrl}/api/v1/query?${new URLSearchParams({ query, time: String(time / 1000) })}`,
      );
      const body = (await res.json()) as { status: string; data: { result: T } };
      if (body.status !== 'success') throw new Error(JSON.stringify(body));
      return body.data.result;
    };

    it('holds the same series and sample counts as the Prometheus that sent them', async () => {
      await new Promise((r) => setTimeout(r, RUN_SECONDS * 1000));
      const end = Date.now() - 5_000;
      const local: Matrix = await promQuery<Matrix>('{__name__=~".+"}[10m]', end);
      const want = new Map<string, number>();
      for (const s of local) want.set(key(s.metric), s.values.length);
      const total = [...want.values()].reduce((a, b) => a + b, 0);
      // count_over_time drops the metric name, so it is asked per name.
      let counted = 0;
      for (const name of new Set(local.map((s) => s.metric.__name__))) {
        const r = await promQuery<Array<{ value: [number, string] }>>(
          `sum(count_over_time({__name__=${JSON.stringify(name)}}[10m]))`,
          end,
        );
        counted += Number(r[0]?.value[1] ?? 0);
      }
      expect(counted).toBe(total);

      let got = new Map<string, number>();
      for (const until = Date.now() + 30_000; Date.now() < until;) {
        const { value } = await store.select({ tenantId: 'prom', matchers: [], start: 0, end });
        got = new Map();
        for (const s of value) {
          const metric: Record<string, string> = {};
          for (const l of s.labels) if (l.name !== 'tenant_id') metric[l.name] = l.value;
          let n = 0;
          for (const v of s.values) if (!isStaleNaN(v)) n++;
          if (n > 0) got.set(key(metric), n);
        }
        if (sameCounts(got, want)) break;
        await new Promise((r) => setTimeout(r, 1_000));
      }
      const failed = await promQuery<Array<{ value: [number, string] }>>(
        'sum(prometheus_remote_storage_samples_failed_total)',
        Date.now(),
      );
      process.stdout.write(
        `prometheus spec: ${want.size} series, ${total} samples in Prometheus; Strata holds ${got.size} series, ${[...got.values()].reduce((a, b) => a + b, 0)} samples\n`,
      );
      expect(want.size).toBeGreaterThan(100);
      // Some series appear only after the first scrapes; most must have a sample for most seconds.
      expect(total).toBeGreaterThan(want.size * (RUN_SECONDS / 2));
      expect(Number(failed[0]?.value[1] ?? 0)).toBe(0);
      expect(Object.fromEntries(got)).toEqual(Object.fromEntries(want));
    });
  },
);

function key(metric: Record<string, string>): string {
  return JSON.stringify(Object.entries(metric).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function sameCounts(a: Map<string, number>, b: Map<string, number>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}
