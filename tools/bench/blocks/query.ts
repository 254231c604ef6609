// Range-query latency over a week of blocks: Strata's store gateway + query service vs Debian's
// Prometheus opening the same blocks. Run:
//   node -r @swc-node/register tools/bench/blocks/query.ts [counterSeries=200] [days=7] [runs=3]
// Generates the series of tools/bench/promql (counters, build info, classic histograms; one sample a
// minute), turns them into 24 h blocks with `promtool tsdb create-blocks-from openmetrics`,
// uploads those with the CLI into a filesystem bucket, and starts the store as the platform does
// (`apps/strata --target=store`, its own NATS identity) behind the query service and the
// gateway's Prometheus API. Prometheus gets a copy of promtool's directory as its storage. Both
// answer the queries of tools/bench/promql over the whole range over HTTP on loopback.
import { type ChildProcess, execFile } from 'node:child_process';
import { once } from 'node:events';
import { cp, mkdir } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startPrometheus } from '@strata/devstack';
import { ingesterService } from '@strata/ingester';
import { queryService } from '@strata/query';
import {
  ADMIN_TOKEN,
  OPEN_QUOTA,
  clientBus,
  fakeControlPlane,
  removeTestDirs,
  spawnStrata,
  startInProcess,
  startTestGateway,
  startTestNats,
  stopChild,
  strataEnv,
} from '@strata/platform/testing';
import { BENCH_QUERIES, median } from '../promql/queries';

const counterSeries = Number(process.argv[2] ?? 200);
const days = Number(process.argv[3] ?? 7);
const runs = Number(process.argv[4] ?? 3);
const ROOT = join(__dirname, '../../..');
const TENANT = 'bench';
const MIN = 60_000;
const T0 = 1_717_200_000_000;
const POINTS = days * 24 * 60;
const END = T0 + POINTS * MIN;
const STEP_S = 600;
const LE = ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '+Inf'];
const run = promisify(execFile);

interface Family {
  name: string;
  type: string;
  series: Array<{ labels: string; value: (i: number) => number }>;
}

/** tools/bench/promql's series: 10 jobs, counters by instance and path, build info, one histogram per job. */
function families(): Family[] {
  const requests: Family['series'] = [];
  const builds: Family['series'] = [];
  const buckets: Family['series'] = [];
  const perJob = Math.max(1, Math.floor(counterSeries / 100));
  for (let j = 0; j < 10; j++) {
    for (let inst = 0; inst < perJob; inst++) {
      for (let path = 0; path < 10; path++) {
        const rate = 1 + ((j * 31 + inst * 7 + path) % 50);
        requests.push({
          labels: `job="job-${j}",instance="i-${inst}",path="/p${path}"`,
          value: (i) => i * rate + ((i * path) % 7),
        });
      }
      builds.push({
        labels: `job="job-${j}",instance="i-${inst}",version="v${inst % 3}"`,
        value: () => 1,
      });
    }
    LE.forEach((le, b) =>
      buckets.push({
        labels: `job="job-${j}",instance="i-0",le="${le}"`,
        value: (i) => i * (b + 1),
      }),
    );
  }
  return [
    { name: 'bench_requests_total', type: 'counter', series: requests },
    { name: 'bench_build_info', type: 'gauge', series: builds },
    { name: 'bench_latency_seconds_bucket', type: 'unknown', series: buckets },
  ];
}

async function writeOpenMetrics(file: string): Promise<number> {
  const out = createWriteStream(file);
  let samples = 0;
  const write = async (text: string): Promise<void> => {
    if (!out.write(text)) await once(out, 'drain');
  };
  for (const f of families()) {
    await write(`# TYPE ${f.name} ${f.type}\n`);
    for (const s of f.series) {
      let chunk = '';
      for (let i = 0; i < POINTS; i++) {
        chunk += `${f.name}{${s.labels}} ${s.value(i)} ${(T0 + i * MIN + 7_000) / 1000}\n`;
        if (chunk.length > 1 << 16) {
          await write(chunk);
          chunk = '';
        }
      }
      await write(chunk);
      samples += POINTS;
    }
  }
  await write('# EOF\n');
  out.end();
  await once(out, 'finish');
  return samples;
}

async function timedQuery(
  url: string,
  query: string,
  headers: Record<string, string>,
): Promise<{ ms: number; series: number }> {
  const body = new URLSearchParams({
    query,
    start: String((T0 + 3_600_000) / 1000),
    end: String(END / 1000),
    step: String(STEP_S),
  });
  const start = performance.now();
  const res = await fetch(`${url}/api/v1/query_range`, {
    method: 'POST',
    body,
    headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
  });
  const reply = (await res.json()) as { data?: { result: unknown[] }; error?: string };
  if (!reply.data) throw new Error(`${url}: ${query}: ${reply.error ?? res.status}`);
  return { ms: performance.now() - start, series: reply.data.result.length };
}

async function main(): Promise<void> {
  const { server: nats, dir } = await startTestNats();
  let store: ChildProcess | undefined;
  const stops: Array<() => Promise<unknown>> = [];
  try {
    let t = performance.now();
    const om = join(dir, 'bench.om');
    const samples = await writeOpenMetrics(om);
    const blocksDir = join(dir, 'promtool');
    await run(
      'promtool',
      ['tsdb', 'create-blocks-from', 'openmetrics', '--max-block-duration=24h', om, blocksDir],
      { maxBuffer: 1 << 26 },
    );
    const bucketUrl = join(dir, 'bucket');
    await run(
      process.execPath,
      [join(ROOT, 'tools/platform/cli.mjs'), 'blocks', 'upload', '--tenant', TENANT, blocksDir],
      {
        cwd: ROOT,
        env: { ...process.env, STRATA_BUCKET_URL: bucketUrl },
        maxBuffer: 1 << 26,
      },
    );
    await mkdir(join(dir, 'prometheus'));
    await cp(blocksDir, join(dir, 'prometheus/prom'), { recursive: true });
    console.log(
      `data: ${(samples / 1e6).toFixed(2)}M samples over ${days} d, one a minute; promtool blocks and CLI upload in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );

    const bus = await clientBus(nats);
    stops.push(() => bus.drain());
    fakeControlPlane(bus, new Map([[TENANT, OPEN_QUOTA]]));
    const env = strataEnv(nats, join(dir, 'data'), {
      STRATA_BUCKET_URL: bucketUrl,
      STRATA_STORE_SYNC_INTERVAL_SECONDS: '1',
    });
    store = await spawnStrata(
      'store',
      { ...env, STRATA_DATA_DIR: join(dir, 'store-data') },
      join(dir, 'store.log'),
    );
    const services = await startInProcess(env, [ingesterService, queryService]);
    stops.push(() => services.stop());
    const gateway = await startTestGateway(bus);
    stops.push(() => gateway.close());
    const prom = await startPrometheus({
      dir: join(dir, 'prometheus'),
      flags: ['--storage.tsdb.retention.time=30d', '--log.level=warn'],
    });
    stops.push(() => prom.stop());
    const headers = { authorization: `Bearer ${ADMIN_TOKEN}`, 'x-scope-orgid': TENANT };
    t = performance.now();
    for (;;) {
      const r = await timedQuery(gateway.url, 'bench_build_info', headers).catch(() => ({
        series: 0,
      }));
      if (r.series > 0) break;
      if (performance.now() - t > 60_000)
        throw new Error('the store did not serve the blocks within 60 s');
      await new Promise((r2) => setTimeout(r2, 250));
    }

    console.log(
      `range queries over ${days} d less the first hour at ${STEP_S} s steps, over HTTP; median of ${runs} runs after one warm-up (Prometheus ${prom.version})`,
    );
    console.log(
      ['query', 'series', 'strata store+query ms', 'prometheus ms', 'strata/prom'].join('\t'),
    );
    for (const [name, query] of BENCH_QUERIES) {
      const ours: number[] = [];
      const theirs: number[] = [];
      let series = '';
      for (let r = 0; r <= runs; r++) {
        const s = await timedQuery(gateway.url, query, headers);
        const p = await timedQuery(prom.url, query, {});
        series = s.series === p.series ? String(s.series) : `${s.series}/${p.series}`;
        if (r === 0) continue;
        ours.push(s.ms);
        theirs.push(p.ms);
      }
      const s = median(ours);
      const p = median(theirs);
      console.log([name, series, s.toFixed(1), p.toFixed(1), (s / p).toFixed(2)].join('\t'));
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
