// A week-long range query through the gateway's query frontend, cold and warm, against the same
// query without the frontend. Run:
//   node -r @swc-node/register tools/bench/promql/frontend.ts [counterSeries=200] [days=7] [runs=3]
// Writes tools/bench/promql's counters and build info (one sample a minute) as 24 h blocks with
// Strata's block writer, uploads them into a filesystem bucket and starts the store as the
// platform does (`apps/strata --target=store`) behind the query service and two gateways on one
// bus: one without a frontend, one with the default frontend (split by day, results cache).
// "cold" asks with `Cache-Control: no-cache` (split, every part recomputed, then stored); "warm"
// asks again and reads every part from the cache.
import { type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { uploadBlock } from '@strata/blocks';
import { DEFAULT_QUERY_FRONTEND, startGateway, type RunningGateway } from '@strata/gateway';
import { ingesterService } from '@strata/ingester';
import { FilesystemBucket } from '@strata/objstore';
import { queryService } from '@strata/query';
import {
  ADMIN_TOKEN,
  OPEN_QUOTA,
  clientBus,
  fakeControlPlane,
  removeTestDirs,
  spawnStrata,
  startInProcess,
  startTestNats,
  stopChild,
  strataEnv,
} from '@strata/platform/testing';
import {
  type BlockSeries,
  compareLabelsUtf8,
  encodeXorChunks,
  labelsFrom,
  writeBlock,
} from '@strata/tsdb';
import { BENCH_QUERIES, median } from './queries';

const counterSeries = Number(process.argv[2] ?? 200);
const days = Number(process.argv[3] ?? 7);
const runs = Number(process.argv[4] ?? 3);
const TENANT = 'bench';
const MIN = 60_000;
const DAY = 86_400_000;
/** Midnight UTC, so the blocks and the frontend's parts share their day boundaries. */
const T0 = 1_717_200_000_000 - (1_717_200_000_000 % DAY);
const END = T0 + days * DAY;
const STEP_S = 600;

/** tools/bench/promql's counters (10 jobs, instances, 10 paths) and build info, sorted by labels. */
function series(): Array<{ labels: ReturnType<typeof labelsFrom>; value: (i: number) => number }> {
  const out: Array<{ labels: ReturnType<typeof labelsFrom>; value: (i: number) => number }> = [];
  const perJob = Math.max(1, Math.floor(counterSeries / 100));
  for (let j = 0; j < 10; j++) {
    for (let inst = 0; inst < perJob; inst++) {
      for (let path = 0; path < 10; path++) {
        const rate = 1 + ((j * 31 + inst * 7 + path) % 50);
        out.push({
          labels: labelsFrom({
            __name__: 'bench_requests_total',
            job: `job-${j}`,
            instance: `i-${inst}`,
            path: `/p${path}`,
          }),
          value: (i) => i * rate + ((i * path) % 7),
        });
      }
      out.push({
        labels: labelsFrom({
          __name__: 'bench_build_info',
          job: `job-${j}`,
          instance: `i-${inst}`,
          version: `v${inst % 3}`,
        }),
        value: () => 1,
      });
    }
  }
  return out.sort((a, b) => compareLabelsUtf8(a.labels, b.labels));
}

async function writeBlocks(dir: string): Promise<number> {
  const bucket = new FilesystemBucket(join(dir, 'bucket'));
  const all = series();
  let samples = 0;
  for (let d = 0; d < days; d++) {
    const mint = T0 + d * DAY;
    const blockSeries: BlockSeries[] = all.map((s) => {
      const n = DAY / MIN;
      const ts = new Float64Array(n);
      const vs = new Float64Array(n);
      for (let k = 0; k < n; k++) {
        const i = d * n + k;
        ts[k] = mint + k * MIN + 7_000;
        vs[k] = s.value(i);
      }
      samples += n;
      return { labels: s.labels, chunks: encodeXorChunks(ts, vs) };
    });
    const block = await writeBlock({
      parentDir: join(dir, 'blocks'),
      series: blockSeries,
      minTime: mint,
      maxTime: mint + DAY,
      tenant: TENANT,
    });
    await uploadBlock(bucket, TENANT, block.dir);
  }
  return samples;
}

async function timed(
  gw: RunningGateway,
  query: string,
  extra: Record<string, string> = {},
): Promise<{ ms: number; text: string }> {
  const body = new URLSearchParams({
    query,
    start: String((T0 + 3_600_000) / 1000),
    end: String(END / 1000),
    step: String(STEP_S),
  });
  const start = performance.now();
  const res = await fetch(`${gw.url}/api/v1/query_range`, {
    method: 'POST',
    body,
    headers: {
      authorization: `Bearer ${ADMIN_TOKEN}`,
      'x-scope-orgid': TENANT,
      'content-type': 'application/x-www-form-urlencoded',
      ...extra,
    },
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${query}: ${res.status} ${text.slice(0, 200)}`);
  return { ms: performance.now() - start, text };
}

async function main(): Promise<void> {
  const { server: nats, dir } = await startTestNats();
  let store: ChildProcess | undefined;
  const stops: Array<() => Promise<unknown>> = [];
  try {
    let t = performance.now();
    const samples = await writeBlocks(dir);
    console.log(
      `data: ${(samples / 1e6).toFixed(2)}M samples over ${days} d in ${days} blocks, written and uploaded in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );
    const bus = await clientBus(nats);
    stops.push(() => bus.drain());
    fakeControlPlane(bus, new Map([[TENANT, OPEN_QUOTA]]));
    const env = strataEnv(nats, join(dir, 'data'), {
      STRATA_BUCKET_URL: join(dir, 'bucket'),
      STRATA_STORE_SYNC_INTERVAL_SECONDS: '1',
    });
    store = await spawnStrata(
      'store',
      { ...env, STRATA_DATA_DIR: join(dir, 'store-data') },
      join(dir, 'store.log'),
    );
    const services = await startInProcess(env, [ingesterService, queryService]);
    stops.push(() => services.stop());
    const config = {
      adminToken: ADMIN_TOKEN,
      tenantHeader: 'x-scope-orgid',
      maxBodyBytes: 1024 * 1024,
      host: '127.0.0.1',
      port: 0,
      tls: null,
    };
    const direct = await startGateway({ config, bus });
    stops.push(() => direct.close());
    const fronted = await startGateway({
      config: { ...config, queryFrontend: DEFAULT_QUERY_FRONTEND },
      bus,
    });
    stops.push(() => fronted.close());
    t = performance.now();
    for (;;) {
      const r = await timed(direct, 'bench_build_info').catch(() => ({ text: '' }));
      if (r.text.includes('"metric"')) break;
      if (performance.now() - t > 60_000)
        throw new Error('the store did not serve the blocks within 60 s');
      await new Promise((r2) => setTimeout(r2, 250));
    }
    console.log(
      `range queries over ${days} d less the first hour at ${STEP_S} s steps, over HTTP; median of ${runs} runs after one warm-up`,
    );
    console.log(
      ['query', 'no frontend ms', 'frontend cold ms', 'frontend warm ms', 'warm/no frontend'].join(
        '\t',
      ),
    );
    for (const [name, query] of BENCH_QUERIES) {
      if (name === 'histogram_quantile') continue;
      const plain: number[] = [];
      const cold: number[] = [];
      const warm: number[] = [];
      for (let r = 0; r <= runs; r++) {
        const p = await timed(direct, query);
        const c = await timed(fronted, query, { 'cache-control': 'no-cache' });
        const w = await timed(fronted, query);
        if (c.text !== p.text || w.text !== p.text)
          throw new Error(`${query}: the frontend's answer differs from the query service's`);
        if (r === 0) continue;
        plain.push(p.ms);
        cold.push(c.ms);
        warm.push(w.ms);
      }
      const [p, c, w] = [median(plain), median(cold), median(warm)];
      console.log([name, p.toFixed(1), c.toFixed(1), w.toFixed(1), (w / p).toFixed(3)].join('\t'));
    }
  } finally {
    for (const stop of stops.reverse()) await stop();
    if (store) await stopChild(store);
    await nats.process.stop();
    removeTestDirs();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
