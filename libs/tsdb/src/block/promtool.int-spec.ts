// Against Debian's real promtool (the test command installs the `prometheus` package): promtool
// must open the blocks we write, and we must read the blocks promtool writes.
import { execFile, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { matcher } from '../index/matchers';
import { type Labels, labelsFrom, labelsToString } from '../labels';
import { STALE_NAN, isStaleNaN } from '@strata/contracts';
import { FsBlockFiles } from './block-files';
import { openBlock } from './block-reader';
import { type BlockSeries, encodeXorChunks, writeBlock } from './block-writer';
import { compareUtf8 } from './encoding';
import { buildIndexHeader } from './index-header';
import { compareLabelsUtf8 } from './series-order';

// Writing and reading thousands of series (and running promtool) takes seconds on a loaded machine.
jest.setTimeout(120_000);
const run = promisify(execFile);

function promtool(): string {
  const r = spawnSync('sh', ['-c', 'command -v promtool'], { encoding: 'utf8' });
  const path = r.stdout.trim();
  if (r.status !== 0 || !path)
    throw new Error('promtool not found: install Debian package `prometheus` (npm test does)');
  return path;
}

interface Sample {
  t: number;
  v: number;
}
interface SeriesSamples {
  labels: Labels;
  samples: Sample[];
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'strata-promtool-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Parses `promtool tsdb dump` lines: `{a="b", c="d"} <value %g> <timestamp ms>`. */
function parseDump(text: string): Array<{ labels: string; t: number; v: number }> {
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((line) => {
      const close = line.lastIndexOf('} ');
      const [v, t] = line.slice(close + 2).split(' ');
      return { labels: line.slice(0, close + 1), t: Number(t), v: parseGoFloat(v) };
    });
}

function parseGoFloat(s: string): number {
  if (s === 'NaN') return NaN;
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  const v = Number(s);
  if (Number.isNaN(v)) throw new Error(`not a float: ${s}`);
  return v;
}

/** Renders labels exactly as Go's `labels.Labels.String()` does for printable UTF-8 values. */
function goLabels(labels: Labels): string {
  return `{${labels.map((l) => `${l.name}=${JSON.stringify(l.value)}`).join(', ')}}`;
}

describe('promtool reads blocks written by Strata', () => {
  it('analyzes the block and dumps exactly the samples written', async () => {
    const T0 = 1_717_200_000_000;
    const special = [
      NaN,
      STALE_NAN,
      Infinity,
      -Infinity,
      -0,
      5e-324,
      1.7976931348623157e308,
      0.1 + 0.2,
    ];
    const defs: Array<[Record<string, string>, (i: number) => number, number]> = [
      [{ __name__: 'http_requests_total', job: 'api', path: '/ünïcødé/🚀' }, (i) => i * 3, 15_000],
      [{ __name__: 'http_requests_total', job: 'api', path: '/plain' }, (i) => i * 1.5, 15_000],
      [
        { __name__: 'temperature', city: '東京', note: 'say "hi" \\ bye' },
        (i) => special[i % special.length],
        30_000,
      ],
      [{ __name__: 'temperature', city: 'Zürich' }, (i) => Math.sin(i / 10) * 40, 10_000],
      [
        { __name__: 'up', job: 'db', instance: 'db-1:9090' },
        (i) => (i % 50 === 49 ? STALE_NAN : 1),
        60_000,
      ],
    ];
    const written: SeriesSamples[] = defs
      .map(([obj, f, step]) => ({
        labels: labelsFrom(obj),
        // Irregular jitter exercises every delta-of-delta width.
        samples: Array.from({ length: 700 }, (_, i) => ({
          t: T0 + i * step + ((i * 7919) % 13) * (i % 3),
          v: f(i),
        })),
      }))
      .sort((a, b) => compareLabelsUtf8(a.labels, b.labels));
    const input: BlockSeries[] = written.map((s) => ({
      labels: s.labels,
      chunks: encodeXorChunks(
        s.samples.map((x) => x.t),
        s.samples.map((x) => x.v),
      ),
    }));
    // A small segment limit so promtool also reads chunk references into later segments.
    const { meta } = await writeBlock({
      parentDir: dir,
      series: input,
      tenant: 'acme',
      segmentSize: 8 * 1024,
    });
    expect(meta.thanos!.segment_files!.length).toBeGreaterThan(1);
    // promtool's read-only DB replays a WAL directory, which a Prometheus data directory always has.
    await mkdir(join(dir, 'wal'));

    const analyze = await run(promtool(), ['tsdb', 'analyze', dir, meta.ulid], {
      maxBuffer: 1 << 26,
    });
    expect(analyze.stdout).toContain(`Block ID: ${meta.ulid}`);
    expect(analyze.stdout).toContain('Series: 5');
    expect(analyze.stdout).toContain('Label names: 6');
    expect(analyze.stdout).toContain('city=東京');

    const expected = (mint: number, maxt: number) =>
      written.flatMap((s) =>
        s.samples
          .filter((x) => x.t >= mint && x.t <= maxt)
          .map((x) => ({ labels: goLabels(s.labels), t: x.t, v: x.v })),
      );
    const full = await run(promtool(), ['tsdb', 'dump', dir], { maxBuffer: 1 << 28 });
    const dumped = parseDump(full.stdout);
    expect(dumped).toHaveLength(3500);
    expect(dumped).toEqual(expected(-Infinity, Infinity));
    // Stale markers come out as NaN in the dump; their exact bits are checked through our reader.
    const mint = T0 + 2_000_000;
    const maxt = T0 + 5_000_000;
    const ranged = await run(
      promtool(),
      ['tsdb', 'dump', `--min-time=${mint}`, `--max-time=${maxt}`, dir],
      { maxBuffer: 1 << 26 },
    );
    expect(parseDump(ranged.stdout)).toEqual(expected(mint, maxt));
    expect(parseDump(ranged.stdout).length).toBeGreaterThan(100);

    const b = await openBlock(new FsBlockFiles(join(dir, meta.ulid)));
    const stale: number[] = [];
    for await (const s of b.select([matcher('=', '__name__', 'up')])) {
      const it = s.iterator();
      while (it.next()) if (isStaleNaN(it.v)) stale.push(it.t);
    }
    expect(stale).toEqual(
      written
        .find((s) => labelsToString(s.labels).includes('db-1'))!
        .samples.filter((x) => isStaleNaN(x.v))
        .map((x) => x.t),
    );
    await b.close();
  });
});

describe('Strata reads blocks written by promtool', () => {
  it('returns exactly the samples, label values and postings of an OpenMetrics import spanning days', async () => {
    const start = 1_717_200_000_000;
    const days = 3;
    const step = 120_000;
    const n = (days * 86_400_000) / step;
    const defs: Array<[Record<string, string>, (i: number) => number]> = [
      [
        { __name__: 'node_load1', instance: 'a:9100', job: 'node' },
        (i) => Math.round(Math.abs(Math.sin(i / 30)) * 1000) / 100,
      ],
      [{ __name__: 'node_load1', instance: 'b:9100', job: 'node' }, (i) => i % 17],
      [
        { __name__: 'queue_depth', job: 'worker', queue: 'émails ✉' },
        (i) => (i % 500 === 0 ? Infinity : i * 0.5),
      ],
      [{ __name__: 'queue_depth', job: 'worker', queue: 'sms' }, (i) => (i % 333 === 0 ? NaN : -i)],
    ];
    const expected: SeriesSamples[] = defs.map(([obj, f]) => ({
      labels: labelsFrom(obj),
      samples: Array.from({ length: n }, (_, i) => ({
        t: start + i * step + (i % 5) * 7,
        v: f(i),
      })),
    }));
    expected.sort((a, b) => compareLabelsUtf8(a.labels, b.labels));
    const lines: string[] = [];
    for (const family of ['node_load1', 'queue_depth']) {
      lines.push(`# TYPE ${family} gauge`);
      for (const s of expected.filter((x) => x.labels[0].value === family)) {
        const ls = s.labels
          .filter((l) => l.name !== '__name__')
          .map((l) => `${l.name}=${JSON.stringify(l.value)}`)
          .join(',');
        for (const x of s.samples)
          lines.push(`${family}{${ls}} ${omFloat(x.v)} ${(x.t / 1000).toFixed(3)}`);
      }
    }
    lines.push('# EOF');
    const file = join(dir, 'data.om');
    await writeFile(file, lines.join('\n') + '\n');
    const out = join(dir, 'blocks');
    await mkdir(out);
    await run(promtool(), ['tsdb', 'create-blocks-from', 'openmetrics', file, out], {
      maxBuffer: 1 << 26,
    });

    const ulids = (await readdir(out)).filter((d) => /^[0-9A-Z]{26}$/.test(d)).sort();
    expect(ulids.length).toBeGreaterThanOrEqual(days * 12);
    const got = new Map<string, SeriesSamples>();
    for (const id of ulids) {
      const b = await openBlock(new FsBlockFiles(join(out, id)));
      expect(b.meta.stats.numSeries).toBe(4);
      const inBlock: SeriesSamples[] = [];
      for await (const s of b.select([])) {
        const it = s.iterator();
        const samples: Sample[] = [];
        while (it.next()) samples.push({ t: it.t, v: it.v });
        inBlock.push({ labels: s.labels, samples });
        const key = labelsToString(s.labels);
        const acc = got.get(key) ?? { labels: s.labels, samples: [] };
        acc.samples.push(...samples);
        got.set(key, acc);
      }
      expect(inBlock.map((s) => s.labels)).toEqual(expected.map((s) => s.labels));
      expect(b.meta.stats.numSamples).toBe(inBlock.reduce((a, s) => a + s.samples.length, 0));
      // Label values and postings are what the file implies for the series in this block.
      expect(b.index.labelNames()).toEqual(['__name__', 'instance', 'job', 'queue']);
      for (const name of b.index.labelNames()) {
        const values = [
          ...new Set(
            expected.flatMap((s) => s.labels.filter((l) => l.name === name).map((l) => l.value)),
          ),
        ];
        expect(b.index.labelValues(name)).toEqual(values.sort(compareUtf8));
        for (const v of values) {
          const ids = await b.index.postings(name, v);
          const entries = await b.index.series(ids);
          expect(entries.map((e) => e.labels)).toEqual(
            expected
              .filter((s) => s.labels.some((l) => l.name === name && l.value === v))
              .map((s) => s.labels),
          );
        }
      }
      expect(await b.labelValues('job', [matcher('=~', 'queue', '.+')])).toEqual(['worker']);
      await b.close();
      // The same block opened through an index-header built from Prometheus' index.
      const files = new FsBlockFiles(join(out, id));
      const viaHeader = await openBlock(files, { indexHeader: await buildIndexHeader(files) });
      const again: SeriesSamples[] = [];
      for await (const s of viaHeader.select([matcher('=~', 'job', '.+')])) {
        const it = s.iterator();
        const samples: Sample[] = [];
        while (it.next()) samples.push({ t: it.t, v: it.v });
        again.push({ labels: s.labels, samples });
      }
      expect(again).toEqual(inBlock);
      await viaHeader.close();
    }
    for (const s of expected) {
      const key = labelsToString(s.labels);
      expect(got.get(key)?.samples).toEqual(s.samples);
    }
  });
});

function omFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}
