import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsBlockFiles } from '../block/block-files';
import { openBlock } from '../block/block-reader';
import { type BlockSeries, encodeXorChunks, writeBlock } from '../block/block-writer';
import { xorIteratorFromBytes } from '../chunk/xor';
import { type Labels, labelsFrom, labelsToString } from '../labels';
import { mergeSeriesChunks } from './chunk-merge';
import { blockSeries, mergeSortedSeries } from './series-merge';

const T0 = 1_700_000_000_000;
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'strata-merge-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const range = (from: number, n: number, step = 15_000) =>
  Array.from({ length: n }, (_, i) => from + i * step);

function series(labels: Labels, ts: number[], value = (t: number) => t / 1000): BlockSeries {
  return { labels, chunks: encodeXorChunks(ts, ts.map(value)) };
}

function samplesOf(s: BlockSeries): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const c of s.chunks) {
    const it = xorIteratorFromBytes(c.data);
    while (it.next()) out.push([it.t, it.v]);
  }
  return out;
}

async function* fromArray(xs: BlockSeries[]): AsyncGenerator<BlockSeries> {
  for (const x of xs) yield x;
}

describe('merging the series of blocks', () => {
  it('merges two blocks read from disk: disjoint series interleave, shared ones join in time', async () => {
    const a = labelsFrom({ __name__: 'up', job: 'a' });
    const b = labelsFrom({ __name__: 'up', job: 'b' });
    const c = labelsFrom({ __name__: 'up', job: 'c' });
    const first = await writeBlock({
      parentDir: dir,
      series: [series(a, range(T0, 240)), series(c, range(T0, 10))],
    });
    const second = await writeBlock({
      parentDir: dir,
      series: [series(a, range(T0 + 240 * 15_000, 240)), series(b, range(T0, 5))],
    });
    const readers = await Promise.all(
      [first, second].map((w) => openBlock(new FsBlockFiles(w.dir))),
    );
    const merged: BlockSeries[] = [];
    for await (const s of mergeSortedSeries(readers.map((r) => blockSeries(r, 1)))) merged.push(s);
    await Promise.all(readers.map((r) => r.close()));
    expect(merged.map((s) => labelsToString(s.labels))).toEqual([
      '{__name__="up", job="a"}',
      '{__name__="up", job="b"}',
      '{__name__="up", job="c"}',
    ]);
    expect(samplesOf(merged[0]).map(([t]) => t)).toEqual(range(T0, 480));
    // Chunks that do not overlap keep their bytes: four chunks of 120, none re-encoded.
    expect(merged[0].chunks.map((k) => k.minT)).toEqual(range(T0, 4, 120 * 15_000));
  });

  it('keeps a duplicated timestamp once, with the value of the first source', () => {
    const ts = range(T0, 200);
    const one = series(labelsFrom({ x: '1' }), ts, () => 1).chunks;
    const other = series(
      labelsFrom({ x: '1' }),
      ts.map((t) => t + 5_000),
      () => 2,
    ).chunks;
    const dup = series(labelsFrom({ x: '1' }), ts, () => 3).chunks;
    const out = mergeSeriesChunks([one, other, dup]);
    const got = samplesOf({ labels: [], chunks: out });
    expect(got).toHaveLength(400);
    expect(got.filter(([, v]) => v === 3)).toEqual([]);
    expect(got.filter(([t, v]) => (t - T0) % 15_000 === 0 && v !== 1)).toEqual([]);
    for (let i = 1; i < got.length; i++) expect(got[i][0]).toBeGreaterThan(got[i - 1][0]);
    for (const c of out) expect((c.data[0] << 8) | c.data[1]).toBeLessThanOrEqual(120);
  });

  it('streams: a merge of many series holds one pending series per input', async () => {
    let produced = 0;
    let maxAhead = 0;
    let consumed = 0;
    async function* counted(prefix: string): AsyncGenerator<BlockSeries> {
      for (let i = 0; i < 1000; i++) {
        produced++;
        maxAhead = Math.max(maxAhead, produced - consumed);
        yield series(labelsFrom({ s: `${prefix}${String(i).padStart(4, '0')}` }), [T0]);
      }
    }
    for await (const s of mergeSortedSeries([counted('a'), counted('b'), fromArray([])])) {
      expect(s.chunks).toHaveLength(1);
      consumed++;
    }
    expect(consumed).toBe(2000);
    expect(maxAhead).toBeLessThanOrEqual(3);
  });
});
