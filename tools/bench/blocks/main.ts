// Block size and write speed, Strata's block writer vs Prometheus' (Debian's promtool) on the same
// data. Run:
//   node -r @swc-node/register tools/bench/blocks/main.ts [series=200] [hours=24]
// Generates scrape-like data (15 s interval with millisecond jitter; counters, gauges, constants),
// writes it as OpenMetrics for `promtool tsdb create-blocks-from openmetrics`, and writes the same
// samples with `writeBlock` into the same 2 h-aligned blocks. Sizes count every file of every block.
import { execFileSync, spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type BlockSeries,
  type Labels,
  compareLabelsUtf8,
  encodeXorChunks,
  labelsFrom,
  writeBlock,
} from '@strata/tsdb';

const numSeries = Number(process.argv[2] ?? 200);
const hours = Number(process.argv[3] ?? 24);
const STEP = 15_000;
const BLOCK = 2 * 3_600_000;
const start = Math.floor(1_717_200_000_000 / BLOCK) * BLOCK;
const perSeries = Math.floor((hours * 3_600_000) / STEP);

function which(name: string): string {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${name} not found (Debian package prometheus)`);
  return r.stdout.trim();
}

// A small deterministic PRNG so runs are comparable.
let seed = 42;
function rand(): number {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
}

interface Series {
  family: string;
  labels: Labels;
  ts: number[];
  vs: number[];
}

function generate(): Series[] {
  const out: Series[] = [];
  for (let s = 0; s < numSeries; s++) {
    const kind = s % 3;
    const family = ['http_requests_total', 'memory_usage_bytes', 'build_info'][kind];
    const labels = labelsFrom({
      __name__: family,
      instance: `10.0.${s >> 8}.${s & 255}:9100`,
      job: `job-${s % 7}`,
      pod: `api-${s.toString(36)}-x7f2k`,
    });
    const ts: number[] = [];
    const vs: number[] = [];
    let v = kind === 1 ? 5e8 + rand() * 1e8 : 0;
    for (let i = 0; i < perSeries; i++) {
      ts.push(start + i * STEP + (rand() < 0.2 ? Math.floor(rand() * 20) : 0));
      if (kind === 0) v += Math.floor(rand() * 50);
      else if (kind === 1) v = Math.round(v + (rand() - 0.5) * 1e6);
      else v = 1;
      vs.push(v);
    }
    out.push({ family, labels, ts, vs });
  }
  return out;
}

async function writeOpenMetrics(path: string, series: Series[]): Promise<void> {
  const out = createWriteStream(path);
  const write = (s: string) =>
    out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r()));
  for (const family of [...new Set(series.map((s) => s.family))]) {
    await write(`# TYPE ${family} gauge\n`);
    for (const s of series.filter((x) => x.family === family)) {
      const ls = s.labels
        .filter((l) => l.name !== '__name__')
        .map((l) => `${l.name}="${l.value}"`)
        .join(',');
      let buf = '';
      for (let i = 0; i < s.ts.length; i++)
        buf += `${family}{${ls}} ${s.vs[i]} ${(s.ts[i] / 1000).toFixed(3)}\n`;
      await write(buf);
    }
  }
  await write('# EOF\n');
  await new Promise<void>((r) => out.end(r));
}

function dirSize(path: string): number {
  let total = 0;
  for (const e of readdirSync(path, { withFileTypes: true })) {
    const p = join(path, e.name);
    total += e.isDirectory() ? dirSize(p) : statSync(p).size;
  }
  return total;
}

function filesNamed(root: string, pick: (rel: string) => boolean): number {
  let total = 0;
  for (const b of readdirSync(root)) {
    const walk = (dir: string, rel: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const r = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) walk(join(dir, e.name), r);
        else if (pick(r)) total += statSync(join(dir, e.name)).size;
      }
    };
    walk(join(root, b), '');
  }
  return total;
}

async function writeOurs(series: Series[], out: string): Promise<number> {
  const sorted = [...series].sort((a, b) => compareLabelsUtf8(a.labels, b.labels));
  const t0 = process.hrtime.bigint();
  const first = Math.floor(start / BLOCK) * BLOCK;
  const end = start + hours * 3_600_000 + STEP;
  const cursor = new Array<number>(sorted.length).fill(0);
  for (let mint = first; mint < end; mint += BLOCK) {
    const maxt = mint + BLOCK;
    const blockSeries: BlockSeries[] = [];
    sorted.forEach((s, k) => {
      let i = cursor[k];
      const from = i;
      while (i < s.ts.length && s.ts[i] < maxt) i++;
      cursor[k] = i;
      if (i > from)
        blockSeries.push({
          labels: s.labels,
          chunks: encodeXorChunks(s.ts.slice(from, i), s.vs.slice(from, i)),
        });
    });
    if (blockSeries.length > 0)
      await writeBlock({
        parentDir: out,
        series: blockSeries,
        minTime: mint,
        maxTime: maxt,
        tenant: 'bench',
      });
  }
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

async function main(): Promise<void> {
  const promtool = which('promtool');
  const work = mkdtempSync(join(tmpdir(), 'strata-bench-blocks-'));
  try {
    const series = generate();
    const samples = series.length * perSeries;
    const om = join(work, 'data.om');
    await writeOpenMetrics(om, series);
    const promDir = join(work, 'prom');
    const t0 = process.hrtime.bigint();
    execFileSync(promtool, ['tsdb', 'create-blocks-from', 'openmetrics', om, promDir], {
      stdio: 'ignore',
    });
    const promSecs = Number(process.hrtime.bigint() - t0) / 1e9;
    const ourDir = join(work, 'strata');
    execFileSync('mkdir', ['-p', ourDir]);
    const ourSecs = await writeOurs(series, ourDir);

    const promBytes = dirSize(promDir);
    const ourBytes = dirSize(ourDir);
    const promBlocks = readdirSync(promDir).length;
    const ourBlocks = readdirSync(ourDir).length;
    const version = execFileSync(promtool, ['--version'], { encoding: 'utf8' }).split('\n')[0];
    const f = (x: number, d = 3) => x.toFixed(d);
    console.log(
      `${series.length} series × ${perSeries} samples = ${samples} samples over ${hours} h; peer: ${version}`,
    );
    console.log('                         strata      promtool    ratio');
    console.log(
      `blocks                   ${String(ourBlocks).padEnd(12)}${String(promBlocks).padEnd(12)}`,
    );
    console.log(
      `bytes/sample (all files) ${f(ourBytes / samples).padEnd(12)}${f(promBytes / samples).padEnd(12)}${f(ourBytes / promBytes, 3)}×`,
    );
    const line = (name: string, pick: (rel: string) => boolean): void => {
      const ours = filesNamed(ourDir, pick);
      const theirs = filesNamed(promDir, pick);
      console.log(
        `${name.padEnd(25)}${f(ours / samples).padEnd(12)}${f(theirs / samples).padEnd(12)}${f(ours / theirs)}×`,
      );
    };
    line('bytes/sample (chunks)', (r) => r.startsWith('chunks/'));
    line('bytes/sample (index)', (r) => r === 'index');
    line('meta.json bytes/sample', (r) => r === 'meta.json');
    console.log(
      `write s per 1M samples   ${f((ourSecs / samples) * 1e6).padEnd(12)}${f((promSecs / samples) * 1e6).padEnd(12)}(promtool's time includes parsing the OpenMetrics text)`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
