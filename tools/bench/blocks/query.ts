// Issue 17's shapes over a week of blocks: the platform as `npm start` runs it (the store gateway in
// the same process as the query service and the gateway, reading a filesystem bucket) against
// Debian's Prometheus opening the same blocks, alternating one request to each. Run:
//   node -r @swc-node/register tools/bench/blocks/query.ts [runs=5] [seriesPerMetric=100] [metrics=5] [days=7]
// Generates tools/bench/promql/platform.ts' series (counters by pod and path, a classic histogram;
// one sample a minute, 7 s past it), turns them into 24 h blocks with `promtool tsdb
// create-blocks-from openmetrics` and uploads those with the CLI into a filesystem bucket;
// Prometheus gets a copy of promtool's directory as its storage. Each shape runs as a range query
// over the whole range less its first hour at 600 s steps, over HTTP on loopback, and the bench
// prints latency and CPU-time ratios as platform.ts does.
// STRATA_BENCH_PROFILE=<dir> writes a CPU profile of the Strata process there (strata-<pid>.cpuprofile).
// STRATA_BENCH_ONLY=<name,...> times only the named shapes. STRATA_BENCH_STORE=separate runs the
// store gateway as a process of its own (`--target=store`), read over NATS.
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { cp, mkdir } from 'node:fs/promises';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { connectBus } from '@strata/bus';
import { NATS_DEV_ADMIN, startNatsServer, startPrometheus } from '@strata/devstack';
import {
  type BenchStrata,
  TENANT,
  benchFamilies,
  compareShapes,
  cpuMs,
  rangeQuery,
  serveTenant,
  startBenchStrata,
  treeCpuMs,
} from '../promql/strata-vs-prometheus';

const runs = Number(process.argv[2] ?? 5);
const perMetric = Number(process.argv[3] ?? 100);
const metrics = Number(process.argv[4] ?? 5);
const days = Number(process.argv[5] ?? 7);
const ROOT = join(__dirname, '../../..');
const MIN = 60_000;
const T0 = 1_717_200_000_000;
const POINTS = days * 24 * 60;
const END = T0 + POINTS * MIN;
const STEP_MS = 600_000;
const separate = process.env.STRATA_BENCH_STORE === 'separate';
const run = promisify(execFile);

async function writeOpenMetrics(file: string): Promise<{ series: number; samples: number }> {
  const out = createWriteStream(file);
  let samples = 0;
  let series = 0;
  const write = async (text: string): Promise<void> => {
    if (!out.write(text)) await once(out, 'drain');
  };
  for (const f of benchFamilies(perMetric, metrics)) {
    const name = f.labels[0].__name__;
    await write(`# TYPE ${name} unknown\n`);
    for (let s = 0; s < f.labels.length; s++) {
      const labels = Object.entries(f.labels[s])
        .filter(([k]) => k !== '__name__')
        .map(([k, v]) => `${k}="${v}"`)
        .join(',');
      let chunk = '';
      for (let i = 0; i < POINTS; i++) {
        chunk += `${name}{${labels}} ${f.value(s, i)} ${(T0 + i * MIN + 7_000) / 1000}\n`;
        if (chunk.length > 1 << 16) {
          await write(chunk);
          chunk = '';
        }
      }
      await write(chunk);
      samples += POINTS;
      series++;
    }
  }
  await write('# EOF\n');
  out.end();
  await once(out, 'finish');
  return { series, samples };
}

const children: Array<{ kill: () => void }> = [];
const dir = mkdtempSync(join(tmpdir(), 'strata-bench-blocks-'));

async function main(): Promise<void> {
  let t = performance.now();
  const om = join(dir, 'bench.om');
  const data = await writeOpenMetrics(om);
  const blocksDir = join(dir, 'promtool');
  await run(
    'promtool',
    ['tsdb', 'create-blocks-from', 'openmetrics', '--max-block-duration=24h', om, blocksDir],
    { maxBuffer: 1 << 26 },
  );
  rmSync(om);
  const bucketUrl = join(dir, 'bucket');
  await run(
    process.execPath,
    [join(ROOT, 'tools/platform/cli.mjs'), 'blocks', 'upload', '--tenant', TENANT, blocksDir],
    { cwd: ROOT, env: { ...process.env, STRATA_BUCKET_URL: bucketUrl }, maxBuffer: 1 << 26 },
  );
  await mkdir(join(dir, 'prometheus'));
  await cp(blocksDir, join(dir, 'prometheus/prom'), { recursive: true });
  console.log(
    `data: ${data.series} series (${perMetric} per metric, ${metrics} metrics) x ${POINTS} samples (${days} d, one a minute) = ${(data.samples / 1e6).toFixed(2)}M samples; promtool blocks and CLI upload in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );

  const nats = await startNatsServer({ dataDir: join(dir, 'nats') });
  children.push({ kill: () => void nats.process.stop('SIGKILL', 0) });
  const bus = await connectBus({ url: nats.url, name: 'bench', ...nats.login(NATS_DEV_ADMIN) });
  serveTenant(bus);
  const prom = await startPrometheus({
    dir: join(dir, 'prometheus'),
    flags: ['--storage.tsdb.retention.time=3650d', '--log.level=warn'],
  });
  children.push({ kill: () => void prom.stop() });
  // The blocks are in the bucket before the store's first listing: the default interval holds.
  const env = { STRATA_BUCKET_URL: bucketUrl };
  // The store gateway as its own process, its answers crossing nats-server as JSON (how a
  // deployment with separate stores reads); by default, the all-in-one.
  let store: BenchStrata | null = null;
  if (separate) {
    await mkdir(join(dir, 'store'));
    store = await startBenchStrata(nats, join(dir, 'store'), 'store', env);
    const child = store.child;
    children.push({ kill: () => child.kill('SIGKILL') });
  }
  // What `npm start` runs but the control plane (stood in for) and the compactor (which would
  // rewrite the blocks while they are timed).
  const strata = await startBenchStrata(
    nats,
    dir,
    separate ? 'gateway,router,ingester,query' : 'gateway,router,ingester,store,query',
    env,
  );
  children.push({ kill: () => strata.child.kill('SIGKILL') });
  const { url, headers } = strata;
  try {
    t = performance.now();
    const start = T0 + 3_600_000;
    for (;;) {
      const r = await rangeQuery(url, headers, 'bench_c0_total', END - STEP_MS, END, STEP_MS).catch(
        () => ({ series: 0 }),
      );
      if (r.series > 0) break;
      if (performance.now() - t > 120_000)
        throw new Error('the store did not serve the blocks within 120 s');
      await new Promise((r2) => setTimeout(r2, 250));
    }
    const points = Math.floor((END - start) / STEP_MS) + 1;
    console.log(
      `${separate ? 'store gateway in its own process; ' : ''}range queries over ${days} d less the first hour at ${STEP_MS / 1000} s steps (${points} points), over HTTP, alternating Strata and Prometheus ${prom.version}; median of ${runs} after one warm-up pass over every shape`,
    );
    const pids = [strata.child.pid, store?.child.pid].filter((p) => p !== undefined);
    await compareShapes(
      { url, headers, cpu: () => pids.reduce((n, p) => n + treeCpuMs(p), 0) },
      { url: prom.url, headers: {}, cpu: () => cpuMs(prom.pid) },
      { start, end: END, step: STEP_MS },
      runs,
    );
  } finally {
    await strata.stop();
    await store?.stop();
    await prom.stop();
    await bus.drain();
    await nats.process.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  for (const c of children) c.kill();
  rmSync(dir, { recursive: true, force: true });
  process.exit(1);
});
