import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type NatsBus } from '@strata/bus';
import { type RunningGateway } from '@strata/gateway';
import { ingesterService } from '@strata/ingester';
import { queryService } from '@strata/query';
import { storeService } from '@strata/store';
import { encodeWriteRequestV1 } from '@strata/remote-write/testing';
import { routerService } from '@strata/router';
import { type RunningServices } from '@strata/service-kit';
import { type RunningNatsServer } from '@strata/devstack';
import {
  ADMIN_TOKEN,
  clientBus,
  fakeControlPlane,
  OPEN_QUOTA,
  startInProcess,
  startTestGateway,
  startTestNats,
  storeClient,
  strataEnv,
  waitForStore,
} from '@strata/platform/testing';
import { apiGet, diffResponses } from './compare';
import { datasetBatches } from './dataset';
import { startPrometheus, type PrometheusServer } from './prometheus-server';
import { DIFF_QUERIES, INSTANTS, RANGE } from './queries';
import { DIFF_INGESTER_ENV } from './strata-server';

const TENANT = 'diff';
const headers = { authorization: `Bearer ${ADMIN_TOKEN}`, 'x-scope-orgid': TENANT };
const secs = (ms: number): string => String(ms / 1000);

jest.setTimeout(180_000);

describe('differential PromQL vs Prometheus through the write path (gateway remote write, router, ingesters, Store API, query service)', () => {
  let prom: PrometheusServer;
  let nats: RunningNatsServer;
  let natsDir: string;
  let bus: NatsBus;
  let services: RunningServices;
  let gateway: RunningGateway;
  const tally = { comparisons: 0, equal: 0 };

  beforeAll(async () => {
    const started = await startTestNats();
    nats = started.server;
    natsDir = mkdtempSync(join(tmpdir(), 'strata-diff-wp-'));
    bus = await clientBus(nats);
    fakeControlPlane(bus, new Map([[TENANT, OPEN_QUOTA]]));
    [prom, services] = await Promise.all([
      startPrometheus(),
      // The data set sits at a fixed instant in 2023; heads keep only STRATA_INGEST_MAX_AGE_SECONDS behind now.
      startInProcess(
        strataEnv(nats, natsDir, {
          ...DIFF_INGESTER_ENV,
          STRATA_INGEST_MAX_AGE_SECONDS: String(10 * 365 * 86_400),
        }),
        [
          routerService,
          ingesterService,
          queryService,
          // The query side asks the store gateways too (an empty bucket here).
          storeService,
        ],
      ),
    ]);
    gateway = await startTestGateway(bus, 16 * 1024 * 1024);
    await waitForStore(storeClient(bus), TENANT);
    let expected = 0;
    for (const batch of datasetBatches()) {
      for (const series of batch.series) expected += series.values.length;
      await prom.write(batch);
      const res = await fetch(`${gateway.url}/api/v1/write`, {
        method: 'POST',
        headers: {
          ...headers,
          'content-type': 'application/x-protobuf',
          'content-encoding': 'snappy',
          'x-prometheus-remote-write-version': '0.1.0',
        },
        body: encodeWriteRequestV1(batch),
      });
      if (res.status >= 300)
        throw new Error(`strata remote write: ${res.status} ${await res.text()}`);
    }
    // A write is acknowledged once JetStream holds it; ingesters apply it shortly after.
    const store = storeClient(bus);
    const until = Date.now() + 60_000;
    for (;;) {
      const { value } = await store.select({
        tenantId: TENANT,
        matchers: [{ type: '=~', name: '__name__', value: '.+' }],
        start: 0,
        end: Date.now() + 3_600_000,
      });
      const stored = value.reduce((n, s) => n + s.timestamps.length, 0);
      if (stored >= expected || Date.now() > until) break;
      await new Promise((r) => setTimeout(r, 250));
    }
  }, 180_000);

  afterAll(async () => {
    await gateway?.close();
    await services?.stop();
    await bus?.drain();
    await prom?.stop();
    await nats?.process.stop();
    rmSync(natsDir, { recursive: true, force: true });
    console.log(
      `differential through the write path: ${tally.equal}/${tally.comparisons} comparisons equal over ${DIFF_QUERIES.length} queries`,
    );
  });

  it.each(DIFF_QUERIES.map((d) => [d.query, d] as const))('%s', async (_name, d) => {
    const problems: string[] = [];
    const calls: Array<[string, Record<string, string>]> = INSTANTS.map((t) => [
      '/api/v1/query',
      { query: d.query, time: secs(t) },
    ]);
    if (d.range !== false)
      calls.push([
        '/api/v1/query_range',
        {
          query: d.query,
          start: secs(RANGE.startMs),
          end: secs(RANGE.endMs),
          step: secs(RANGE.stepMs),
        },
      ]);
    for (const [path, params] of calls) {
      const [p, s] = await Promise.all([
        apiGet(prom.url, path, params),
        apiGet(gateway.url, path, params, headers),
      ]);
      tally.comparisons++;
      const diff = diffResponses(p, s, path === '/api/v1/query' && (d.ordered ?? false));
      if (diff === null) tally.equal++;
      else problems.push(`${path} ${params.time ?? ''}: ${diff}`);
    }
    expect(problems).toEqual([]);
  });
});
