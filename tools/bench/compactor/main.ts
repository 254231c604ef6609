// Compaction throughput and peak RSS, Strata's compactor beside Prometheus' own compaction. Run:
//   node -r @swc-node/register tools/bench/compactor/main.ts [series=10000,100000] [blocks=4] [runs=3]
// For each series count: `blocks` Prometheus blocks of 2 h (one sample every 15 s per series, a
// counter-like and a gauge-like half) written once and given to both:
// - Strata: the blocks in a filesystem bucket, one compaction cycle (`runTenantCycle`, ranges 2 h
//   and 6 h) in its own process; time of the compaction (read, merge, write, upload, mark), then
//   of the 5 m downsampling of the compacted block, peak RSS from getrusage.
// - Prometheus (Debian's): started on a copy of the blocks with `--storage.tsdb.min-block-duration=2h
//   --storage.tsdb.max-block-duration=8h` (its ranges: 2 h, 6 h); the `compact blocks` log line's
//   duration, peak RSS (VmHWM) of the process once it has compacted.
// Both merge the first three blocks into one 6 h block (Prometheus never compacts the newest block;
// the planner of Strata waits for the fourth block's window to fill).
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '@strata/devstack';
import {
  type BlockSeries,
  compareLabelsUtf8,
  encodeXorChunks,
  labelsFrom,
  writeBlock,
} from '@strata/tsdb';

const run = promisify(execFile);
const counts = (process.argv[2] ?? '10000,100000').split(',').map(Number);
const blocks = Number(process.argv[3] ?? 4);
const runs = Number(process.argv[4] ?? 3);
const ROOT = join(__dirname, '../../..');
const H = 3_600_000;
const BLOCK = 2 * H;
const STEP = 15_000;
const T0 = Math.floor(1_717_200_000_000 / (6 * H)) * 6 * H;
const TENANT = 'bench';

function* blockSeries(n: number, from: number): Generator<BlockSeries> {
  const ts = Array.from({ length: BLOCK / STEP }, (_, k) => from + k * STEP + ((k * 37) % 200));
  const all = Array.from({ length: n }, (_, s) =>
    labelsFrom({
      __name__: s % 2 === 0 ? 'bench_requests_total' : 'bench_temperature',
      instance: `host-${Math.floor(s / 20)}`,
      job: 'bench',
      path: `/p${s % 20}`,
    }),
  ).sort(compareLabelsUtf8);
  for (let s = 0; s < all.length; s++) {
    const counter = all[s][0].value === 'bench_requests_total';
    let v = (from / STEP) * (s % 7);
    yield {
      labels: all[s],
      chunks: encodeXorChunks(
        ts,
        ts.map((_, k) => (counter ? (v += (k * 13 + s) % 5) : 20 + ((k * 7 + s) % 11) / 4)),
      ),
    };
  }
}

const dirBytes = (dir: string): number =>
  readdirSync(dir, { withFileTypes: true }).reduce(
    (n, e) =>
      n + (e.isDirectory() ? dirBytes(join(dir, e.name)) : statSync(join(dir, e.name)).size),
    0,
  );

function goDuration(s: string): number {
  let total = 0;
  for (const [, num, unit] of s.matchAll(/([\d.]+)(ns|µs|us|ms|s|m|h)/g))
    total +=
      Number(num) *
      ({ ns: 1e-9, µs: 1e-6, us: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 } as Record<string, number>)[
        unit
      ];
  return total;
}

const statusMiB = (pid: number, field: string): number =>
  Number(
    readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${field}:`))
      ?.split(/\s+/)[1] ?? 0,
  ) / 1024;

async function prometheusCompaction(dataDir: string): Promise<Measured> {
  const port = await freePort();
  const config = `${dataDir}.yml`;
  writeFileSync(config, 'global: {}\n');
  let log = '';
  const p: ChildProcess = spawn(
    'prometheus',
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${dataDir}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.min-block-duration=2h',
      '--storage.tsdb.max-block-duration=8h',
      '--storage.tsdb.retention.time=100y',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  p.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  try {
    let startRssMiB = 0;
    const deadline = Date.now() + 180_000;
    for (;;) {
      if (startRssMiB === 0 && /Server is ready/.test(log))
        startRssMiB = statusMiB(p.pid ?? 0, 'VmRSS');
      const m = /msg="compact blocks".*?duration=(\S+)/.exec(log);
      if (m) {
        return {
          seconds: goDuration(m[1]),
          startRssMiB,
          peakRssMiB: statusMiB(p.pid ?? 0, 'VmHWM'),
        };
      }
      if (Date.now() > deadline) throw new Error(`Prometheus did not compact: ${log.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    p.kill('SIGTERM');
    await new Promise((r) => p.once('exit', r));
  }
}

interface Measured {
  seconds: number;
  startRssMiB: number;
  peakRssMiB: number;
}

interface StrataRun extends Measured {
  downsampleSeconds: number;
  downsamplings: number;
  compactions: Array<{ level: number; sources: number }>;
}

function best<T extends Measured>(a: T | null, b: T): T {
  if (a === null) return b;
  const faster = b.seconds < a.seconds ? b : a;
  const out = { ...faster, peakRssMiB: Math.max(a.peakRssMiB, b.peakRssMiB) };
  if ('downsampleSeconds' in a && 'downsampleSeconds' in b)
    Object.assign(out, {
      downsampleSeconds: Math.min(Number(a.downsampleSeconds), Number(b.downsampleSeconds)),
    });
  return out;
}

async function strataCompaction(bucket: string, work: string): Promise<StrataRun> {
  const child = await run(
    process.execPath,
    ['-r', '@swc-node/register', join(__dirname, 'compact-child.ts'), bucket, work, TENANT, '2,6'],
    { cwd: ROOT, maxBuffer: 1 << 20 },
  );
  const r = JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}') as StrataRun;
  if (r.compactions.length !== 1 || r.compactions[0].sources !== 3)
    throw new Error(`Strata compacted ${JSON.stringify(r.compactions)}`);
  if (r.downsamplings !== 1)
    throw new Error(`Strata made ${r.downsamplings} downsampled blocks, not 1`);
  return r;
}

async function main(): Promise<void> {
  const rows: string[] = [];
  const downsampleRows: string[] = [];
  const { stdout: version } = await run('prometheus', ['--version']);
  for (const n of counts) {
    const dir = mkdtempSync(join(tmpdir(), 'strata-bench-compactor-'));
    try {
      const src = join(dir, 'src');
      mkdirSync(src);
      for (let b = 0; b < blocks; b++) {
        const from = T0 + b * BLOCK;
        await writeBlock({
          parentDir: src,
          series: blockSeries(n, from),
          tenant: TENANT,
          minTime: from,
          maxTime: from + BLOCK,
        });
      }
      const ulids = readdirSync(src).sort();
      const mergedBytes = ulids.slice(0, 3).reduce((s, u) => s + dirBytes(join(src, u)), 0);
      const samples = 3 * n * (BLOCK / STEP);
      let strata: StrataRun | null = null;
      let prom: Measured | null = null;
      // Best of `runs` (the machine is shared); peak RSS is the highest seen.
      for (let r = 0; r < runs; r++) {
        cpSync(src, join(dir, `bucket-${r}`, TENANT), { recursive: true });
        cpSync(src, join(dir, `prom-${r}`), { recursive: true });
        const s = await strataCompaction(join(dir, `bucket-${r}`), join(dir, `work-${r}`));
        const p = await prometheusCompaction(join(dir, `prom-${r}`));
        rmSync(join(dir, `bucket-${r}`), { recursive: true, force: true });
        rmSync(join(dir, `prom-${r}`), { recursive: true, force: true });
        strata = best(strata, s);
        prom = best(prom, p);
      }
      if (strata === null || prom === null) throw new Error('runs must be at least 1');
      const row = (who: string, r: { seconds: number; startRssMiB: number; peakRssMiB: number }) =>
        `| ${n.toLocaleString('en')} | ${who} | ${r.seconds.toFixed(2)} | ${Math.round(n / r.seconds).toLocaleString('en')} | ` +
        `${(samples / r.seconds / 1e6).toFixed(2)} M | ${(mergedBytes / 1048576 / r.seconds).toFixed(1)} | ` +
        `${Math.round(r.startRssMiB)} | ${Math.round(r.peakRssMiB)} |`;
      rows.push(row('Strata', strata), row('Prometheus', prom));
      downsampleRows.push(
        `| ${n.toLocaleString('en')} | ${strata.downsampleSeconds.toFixed(2)} | ` +
          `${(samples / strata.downsampleSeconds / 1e6).toFixed(2)} M |`,
      );
      process.stdout.write(
        `${n} series: ${samples.toLocaleString('en')} samples, ${(mergedBytes / 1048576).toFixed(1)} MiB in the 3 merged blocks\n${rows.slice(-2).join('\n')}\n`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  process.stdout.write(
    `\n${version.split('\n')[0]}\n\n| series | who | s | series/s | samples/s | MiB/s | RSS MiB at start | peak RSS MiB |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n${rows.join('\n')}\n` +
      `\nStrata's 5 m downsampling of the compacted block (Prometheus has none):\n\n| series | s | raw samples/s |\n| --- | --- | --- |\n${downsampleRows.join('\n')}\n`,
  );
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
