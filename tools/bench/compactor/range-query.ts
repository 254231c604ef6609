// A 30-day range query with and without downsampling. Run:
//   node -r @swc-node/register tools/bench/compactor/range-query.ts [series=500] [days=30] [runs=3]
// Writes `series` series (half counters, half gauges, one sample a minute) as 2-day raw blocks into
// a filesystem bucket, lets the compactor (`runTenantCycle`, ranges 2 d and 10 d) merge them into
// 10-day blocks and downsample those to 5 m and the 5 m blocks to 1 h, then starts the store as the
// platform does (`apps/strata --target=store`) behind the query service and the gateway, and times
// the same range queries over the whole span at a 1 h step with `max_source_resolution` 0s (raw),
// `auto` (a fifth of the step: 5 m blocks) and 1h, median of `runs` after one warm-up each.
import { type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { listTenantBlocks } from '@strata/blocks';
import { runTenantCycle } from '@strata/compactor';
import { FilesystemBucket } from '@strata/objstore';
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
import {
  type BlockSeries,
  compareLabelsUtf8,
  encodeXorChunks,
  labelsFrom,
  writeBlock,
} from '@strata/tsdb';
import { median } from '../promql/queries';

const seriesCount = Number(process.argv[2] ?? 500);
const days = Number(process.argv[3] ?? 30);
const runs = Number(process.argv[4] ?? 3);
const TENANT = 'bench';
const MIN = 60_000;
const H = 3_600_000;
const D = 24 * H;
const BLOCK = 2 * D;
/** Aligned to the 10-day range, so the compactor's windows hold whole 2-day blocks. */
const T0 = Math.floor(1_717_200_000_000 / (10 * D)) * 10 * D;
const END = T0 + days * D;
const STEP = H;
const MODES = ['0s', 'auto', '1h'] as const;
const RESOLUTION_OF: Record<(typeof MODES)[number], number> = { '0s': 0, auto: 300_000, '1h': H };

const QUERIES: Array<[string, string]> = [
  ['sum(rate[1h])', 'sum(rate(bench_requests_total[1h]))'],
  ['max_over_time[1h]', 'max_over_time(bench_temperature[1h])'],
  ['avg by (job)', 'avg by (job) (bench_temperature)'],
  ['sum(increase[1d])', 'sum(increase(bench_requests_total[1d]))'],
];

function series(): Array<{ labels: ReturnType<typeof labelsFrom>; value: (i: number) => number }> {
  return Array.from({ length: seriesCount }, (_, s) => {
    const counter = s % 2 === 0;
    const rate = 1 + (s % 13);
    return {
      labels: labelsFrom({
        __name__: counter ? 'bench_requests_total' : 'bench_temperature',
        job: `job-${s % 10}`,
        instance: `host-${Math.floor(s / 20)}`,
        path: `/p${Math.floor(s / 2) % 10}`,
      }),
      value: counter
        ? (i: number) => i * rate + ((i * s) % 7)
        : (i: number) => 20 + ((i * 7 + s) % 11) / 4 + Math.sin(i / 600),
    };
  }).sort((a, b) => compareLabelsUtf8(a.labels, b.labels));
}

async function writeRawBlocks(bucketDir: string): Promise<number> {
  const all = series();
  let samples = 0;
  for (let from = T0; from < END; from += BLOCK) {
    const n = BLOCK / MIN;
    const blockSeries: BlockSeries[] = all.map((s) => {
      const ts = new Float64Array(n);
      const vs = new Float64Array(n);
      for (let k = 0; k < n; k++) {
        ts[k] = from + k * MIN + 7_000;
        vs[k] = s.value((from - T0) / MIN + k);
      }
      samples += n;
      return { labels: s.labels, chunks: encodeXorChunks(ts, vs) };
    });
    // The filesystem bucket maps keys to paths: a block written under <root>/<tenant> is in it.
    await writeBlock({
      parentDir: join(bucketDir, TENANT),
      series: blockSeries,
      tenant: TENANT,
      minTime: from,
      maxTime: from + BLOCK,
    });
  }
  return samples;
}

interface BlockTally {
  blocks: number;
  chunks: number;
}

/** Points a query over the whole span reads per series: raw samples, or aggregate windows. */
const pointsPerSeries = (resolutionMs: number): number => (days * D) / (resolutionMs || MIN);

async function compactAndDownsample(bucketDir: string, workDir: string) {
  const bucket = new FilesystemBucket(bucketDir);
  const started = performance.now();
  let compactions = 0;
  let downsamplings = 0;
  // Cycles as the compactor runs them, long after the data, until nothing is left to do; marked
  // sources are deleted at once, so the store reads only what the compactor made.
  for (let i = 0; i < 6; i++) {
    const r = await runTenantCycle(
      bucket,
      TENANT,
      {
        ranges: [BLOCK, 10 * D],
        deleteDelayMs: 0,
        partialUploadAgeMs: H,
        replicaLabels: new Set<string>(),
        dedupFunc: 'one-of',
        workDir,
        downsample: { enabled: true, span5mMs: 40 * H, span1hMs: 10 * D },
      },
      { rawSeconds: 0, fiveMinutesSeconds: 0, oneHourSeconds: 0 },
      { now: () => END + 30 * D + i },
    );
    if (r.halted !== undefined) throw new Error(`compaction halted: ${r.halted}`);
    compactions += r.compactions.length;
    downsamplings += r.downsamplings.length;
    if (r.compactions.length === 0 && r.downsamplings.length === 0 && r.deleted === 0) break;
  }
  const seconds = (performance.now() - started) / 1000;
  const byResolution = new Map<number, BlockTally>();
  const listing = await listTenantBlocks(bucket, TENANT);
  for (const b of listing.blocks) {
    const res = b.meta.thanos?.downsample.resolution ?? 0;
    const t = byResolution.get(res) ?? { blocks: 0, chunks: 0 };
    t.blocks++;
    t.chunks += b.meta.stats?.numChunks ?? 0;
    byResolution.set(res, t);
  }
  await bucket.close();
  return { seconds, compactions, downsamplings, byResolution };
}

type Matrix = Array<{ metric: Record<string, string>; values: Array<[number, string]> }>;

async function timed(
  gatewayUrl: string,
  query: string,
  resolution: string,
): Promise<{ ms: number; matrix: Matrix }> {
  const body = new URLSearchParams({
    query,
    start: String((T0 + D) / 1000),
    end: String(END / 1000),
    step: String(STEP / 1000),
    max_source_resolution: resolution,
  });
  const start = performance.now();
  const res = await fetch(`${gatewayUrl}/api/v1/query_range`, {
    method: 'POST',
    body,
    headers: {
      authorization: `Bearer ${ADMIN_TOKEN}`,
      'x-scope-orgid': TENANT,
      'content-type': 'application/x-www-form-urlencoded',
    },
  });
  const text = await res.text();
  const ms = performance.now() - start;
  if (res.status !== 200) throw new Error(`${query}: ${res.status} ${text.slice(0, 200)}`);
  return { ms, matrix: (JSON.parse(text) as { data: { result: Matrix } }).data.result };
}

/** Points of `raw` the other answer lacks, and the largest relative difference where both have one. */
function compare(raw: Matrix, other: Matrix): { missing: number; points: number; maxRel: number } {
  const index = new Map<string, number>();
  for (const s of other)
    for (const [t, v] of s.values) index.set(`${JSON.stringify(s.metric)}@${t}`, Number(v));
  let missing = 0;
  let points = 0;
  let maxRel = 0;
  for (const s of raw)
    for (const [t, v] of s.values) {
      points++;
      const o = index.get(`${JSON.stringify(s.metric)}@${t}`);
      if (o === undefined) {
        missing++;
        continue;
      }
      const a = Number(v);
      const scale = Math.max(Math.abs(a), Math.abs(o));
      if (scale > 0) maxRel = Math.max(maxRel, Math.abs(a - o) / scale);
    }
  return { missing, points, maxRel };
}

async function main(): Promise<void> {
  const { server: nats, dir } = await startTestNats();
  let store: ChildProcess | undefined;
  const stops: Array<() => Promise<unknown>> = [];
  try {
    const bucketDir = join(dir, 'bucket');
    let t = performance.now();
    const samples = await writeRawBlocks(bucketDir);
    console.log(
      `data: ${seriesCount} series, ${(samples / 1e6).toFixed(1)} M samples over ${days} d as ${Math.ceil(days / 2)} raw 2 d blocks, written in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );
    const c = await compactAndDownsample(bucketDir, join(dir, 'compactor'));
    console.log(
      `compactor: ${c.compactions} compactions, ${c.downsamplings} downsamplings in ${c.seconds.toFixed(1)} s`,
    );
    for (const [res, b] of [...c.byResolution].sort((a, b2) => a[0] - b2[0]))
      console.log(
        `  resolution ${res / 1000} s: ${b.blocks} blocks, ${b.chunks.toLocaleString('en')} chunks`,
      );

    const bus = await clientBus(nats);
    stops.push(() => bus.drain());
    fakeControlPlane(bus, new Map([[TENANT, OPEN_QUOTA]]));
    const env = strataEnv(nats, join(dir, 'data'), {
      STRATA_BUCKET_URL: bucketDir,
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
    t = performance.now();
    for (;;) {
      const r = await timed(gateway.url, 'count(bench_temperature)', '1h').catch(() => null);
      if (r !== null && r.matrix.length > 0) break;
      if (performance.now() - t > 60_000)
        throw new Error('the store did not serve the blocks within 60 s');
      await new Promise((r2) => setTimeout(r2, 250));
    }

    console.log(
      `\nrange queries over ${days - 1} d at a ${STEP / H} h step through the gateway, median of ${runs} runs after one warm-up;` +
        ` points each query reads over the span (raw samples or aggregate windows of its ${seriesCount / 2} series):` +
        ` ${MODES.map((m) => `${m} ${((pointsPerSeries(RESOLUTION_OF[m]) * seriesCount) / 2).toLocaleString('en')} ${m === '0s' ? '' : `(${pointsPerSeries(0) / pointsPerSeries(RESOLUTION_OF[m])} × fewer)`}`).join(', ')}\n`,
    );
    const header = ['query', ...MODES.map((m) => `${m} ms`), 'raw/auto', 'raw/1h'];
    const rows: string[][] = [];
    const accuracy: string[][] = [];
    for (const [name, query] of QUERIES) {
      const ms: Record<string, number[]> = {};
      const answers: Record<string, Matrix> = {};
      for (let r = 0; r <= runs; r++)
        for (const m of MODES) {
          const a = await timed(gateway.url, query, m);
          answers[m] = a.matrix;
          if (r > 0) (ms[m] ??= []).push(a.ms);
        }
      const med = MODES.map((m) => median(ms[m]));
      rows.push([
        name,
        ...med.map((x) => x.toFixed(0)),
        (med[0] / med[1]).toFixed(1),
        (med[0] / med[2]).toFixed(1),
      ]);
      for (const m of ['auto', '1h'] as const) {
        const d = compare(answers['0s'], answers[m]);
        // A window's max is the max of its samples: over whole windows the answers must be equal.
        if (query.startsWith('max_over_time') && (d.missing > 0 || d.maxRel > 0))
          throw new Error(`${query} at ${m} differs from raw: ${JSON.stringify(d)}`);
        accuracy.push([
          name,
          m,
          `${d.points - d.missing}/${d.points}`,
          `${(d.maxRel * 100).toFixed(3)} %`,
        ]);
      }
    }
    const table = (head: string[], body: string[][]) =>
      [
        `| ${head.join(' | ')} |`,
        `| ${head.map(() => '---').join(' | ')} |`,
        ...body.map((r) => `| ${r.join(' | ')} |`),
      ].join('\n');
    console.log(table(header, rows));
    console.log(
      `\nagainst raw (points of the raw answer present, largest relative difference):\n\n${table(['query', 'resolution', 'points', 'max rel diff'], accuracy)}`,
    );
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
