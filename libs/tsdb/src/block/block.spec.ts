import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { xorIteratorFromBytes } from '../chunk/xor';
import { CorruptBlockError, InvalidBlockError } from '../errors';
import { Head } from '../head/head';
import { matcher } from '../index/matchers';
import { type Labels, labelsFrom } from '../labels';
import { STALE_NAN, isStaleNaN } from '@strata/contracts';
import { type BlockFiles, FsBlockFiles } from './block-files';
import { type BlockReader, openBlock } from './block-reader';
import { type BlockSeries, encodeXorChunks, writeBlock } from './block-writer';
import { headBlockSeries } from './head-series';
import { buildIndexHeader } from './index-header';
import { compareLabelsUtf8 } from './series-order';

// Writing and reading thousands of series (and running promtool) takes seconds on a loaded machine.
jest.setTimeout(60_000);
const T0 = 1_700_000_000_000;
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'strata-block-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Sample {
  t: number;
  v: number;
}

function series(labels: Labels, samples: Sample[], perChunk = 120): BlockSeries {
  return {
    labels,
    chunks: encodeXorChunks(
      samples.map((s) => s.t),
      samples.map((s) => s.v),
      perChunk,
    ),
  };
}

function samplesOf(n: number, f: (i: number) => number, step = 15_000, start = T0): Sample[] {
  return Array.from({ length: n }, (_, i) => ({ t: start + i * step, v: f(i) }));
}

async function readAll(
  b: BlockReader,
  ms = [matcher('=~', '__name__', '.+')],
  mint?: number,
  maxt?: number,
): Promise<Array<{ labels: Labels; samples: Sample[] }>> {
  const out: Array<{ labels: Labels; samples: Sample[] }> = [];
  for await (const s of b.select(ms, mint, maxt)) {
    const it = s.iterator();
    const samples: Sample[] = [];
    while (it.next()) samples.push({ t: it.t, v: it.v });
    out.push({ labels: s.labels, samples });
  }
  return out;
}

/** Counts the bytes a reader asks for, to show queries read ranges rather than files. */
class CountingFiles implements BlockFiles {
  bytesRead = new Map<string, number>();
  constructor(private readonly inner: BlockFiles) {}
  async readRange(file: string, offset: number, length: number): Promise<Uint8Array> {
    const b = await this.inner.readRange(file, offset, length);
    this.bytesRead.set(file, (this.bytesRead.get(file) ?? 0) + b.length);
    return b;
  }
  size(file: string): Promise<number> {
    return this.inner.size(file);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

describe('block writer → reader', () => {
  it('round-trips series, chunks, special values and unicode labels exactly', async () => {
    const input = [
      series(
        labelsFrom({ __name__: 'up', job: 'api', zone: 'Zürich' }),
        samplesOf(500, (i) => i * 0.25),
      ),
      series(
        labelsFrom({ __name__: 'up', job: 'db' }),
        samplesOf(300, (i) => [NaN, STALE_NAN, Infinity, -Infinity, -0, 1e300][i % 6]),
      ),
      series(
        labelsFrom({ __name__: 'temp', city: '東京 🌡' }),
        samplesOf(121, (i) => 20 + Math.sin(i)),
      ),
    ].sort((a, b) => compareLabelsUtf8(a.labels, b.labels));
    const { dir: blockDir, meta } = await writeBlock({
      parentDir: dir,
      series: input,
      tenant: 'acme',
      externalLabels: { region: 'eu' },
    });

    expect(meta.stats).toEqual({ numSamples: 921, numSeries: 3, numChunks: 5 + 3 + 2 });
    expect(meta.minTime).toBe(T0);
    expect(meta.maxTime).toBe(T0 + 499 * 15_000 + 1);
    expect(meta.thanos?.labels).toEqual({ region: 'eu', tenant_id: 'acme' });
    expect(meta.thanos?.source).toBe('receive');
    expect(meta.thanos?.files?.map((f) => f.rel_path)).toEqual([
      'chunks/000001',
      'index',
      'meta.json',
    ]);
    expect(meta.thanos?.files?.[1].size_bytes).toBe(
      (await readFile(join(blockDir, 'index'))).length,
    );
    expect(await readdir(dir)).toEqual([meta.ulid]);

    const b = await openBlock(new FsBlockFiles(blockDir));
    const got = await readAll(b);
    expect(got.map((s) => s.labels)).toEqual(input.map((s) => s.labels));
    const db = got.find((s) => s.labels.some((l) => l.value === 'db'))!;
    expect(Number.isNaN(db.samples[0].v) && !isStaleNaN(db.samples[0].v)).toBe(true);
    expect(isStaleNaN(db.samples[1].v)).toBe(true);
    expect(db.samples.slice(2, 6).map((s) => s.v)).toEqual([Infinity, -Infinity, -0, 1e300]);
    expect(Object.is(db.samples[4].v, -0)).toBe(true);
    const api = got.find((s) => s.labels.some((l) => l.value === 'api'))!;
    expect(api.samples).toEqual(samplesOf(500, (i) => i * 0.25));
    expect(b.index.labelNames()).toEqual(['__name__', 'city', 'job', 'zone']);
    expect(await b.labelValues('job')).toEqual(['api', 'db']);
    expect(await b.labelValues('__name__', [matcher('=', 'job', 'db')])).toEqual(['up']);
    await b.close();
  });

  it('selects by matchers and clips to the time range', async () => {
    const input = ['a', 'b', 'c', 'd'].map((job) =>
      series(
        labelsFrom({ __name__: 'm', job }),
        samplesOf(400, (i) => i),
      ),
    );
    const { dir: blockDir } = await writeBlock({ parentDir: dir, series: input });
    const b = await openBlock(new FsBlockFiles(blockDir));
    const sel = await readAll(
      b,
      [matcher('=', '__name__', 'm'), matcher('!~', 'job', 'a|c')],
      T0 + 150 * 15_000,
      T0 + 160 * 15_000,
    );
    expect(sel.map((s) => s.labels.find((l) => l.name === 'job')?.value)).toEqual(['b', 'd']);
    expect(sel[0].samples).toEqual(samplesOf(11, (i) => 150 + i, 15_000, T0 + 150 * 15_000));
    // A matcher matching the empty string selects series lacking the label, as in Prometheus.
    expect((await readAll(b, [matcher('=', 'nope', '')])).length).toBe(4);
    expect(await readAll(b, [matcher('=', 'job', 'zz')])).toEqual([]);
    expect(await readAll(b, [matcher('=', 'job', 'a')], T0 - 10_000, T0 - 1)).toEqual([]);
    await b.close();
  });

  it('cuts segment files at the size limit and reads chunks across them', async () => {
    const input = Array.from({ length: 20 }, (_, i) =>
      series(
        labelsFrom({ __name__: 'm', i: String(i).padStart(2, '0') }),
        samplesOf(360, (k) => k * i),
      ),
    );
    const { dir: blockDir, meta } = await writeBlock({
      parentDir: dir,
      series: input,
      segmentSize: 4096,
    });
    expect(meta.thanos?.segment_files?.length).toBeGreaterThan(3);
    const files = await readdir(join(blockDir, 'chunks'));
    expect(files).toEqual(meta.thanos?.segment_files);
    for (const f of meta.thanos!.files!.filter((x) => x.rel_path.startsWith('chunks/'))) {
      expect(f.size_bytes).toBeLessThanOrEqual(4096);
    }
    const b = await openBlock(new FsBlockFiles(blockDir));
    const got = await readAll(b);
    expect(got).toEqual(
      input.map((s, i) => ({ labels: s.labels, samples: samplesOf(360, (k) => k * i) })),
    );
    await b.close();
  });

  it('reads ranges, not whole files, for a selective query', async () => {
    const input = Array.from({ length: 2000 }, (_, i) =>
      series(
        labelsFrom({ __name__: 'm', pod: `pod-${String(i).padStart(5, '0')}` }),
        samplesOf(240, (k) => k),
      ),
    );
    const { dir: blockDir } = await writeBlock({ parentDir: dir, series: input });
    const files = new CountingFiles(new FsBlockFiles(blockDir));
    const b = await openBlock(files);
    const openedWith = files.bytesRead.get('index') ?? 0;
    const got = await readAll(b, [matcher('=', 'pod', 'pod-01234')]);
    expect(got).toHaveLength(1);
    expect(got[0].samples).toHaveLength(240);
    const indexSize = (await readFile(join(blockDir, 'index'))).length;
    const chunksSize = (await readFile(join(blockDir, 'chunks/000001'))).length;
    expect((files.bytesRead.get('index') ?? 0) - openedWith).toBeLessThan(indexSize / 20);
    expect(files.bytesRead.get('chunks/000001') ?? 0).toBeLessThan(chunksSize / 20);
    await b.close();
  });

  it('writes and reads an empty block', async () => {
    const { dir: blockDir, meta } = await writeBlock({
      parentDir: dir,
      series: [],
      minTime: T0,
      maxTime: T0 + 7_200_000,
    });
    expect(meta.stats).toEqual({ numSamples: 0, numSeries: 0, numChunks: 0 });
    expect(meta.thanos?.segment_files).toEqual([]);
    expect(await readFile(join(blockDir, 'tombstones'))).toEqual(
      Buffer.from([0x01, 0x30, 0xba, 0x30, 1, 0, 0, 0, 0]),
    );
    const b = await openBlock(new FsBlockFiles(blockDir));
    expect(await readAll(b, [])).toEqual([]);
    expect(b.index.labelNames()).toEqual([]);
    expect(await b.index.allPostings()).toEqual([]);
    await b.close();
  });

  it('keeps many symbols addressable (symbol table larger than its write buffer)', async () => {
    const input: BlockSeries[] = [];
    for (let i = 0; i < 20_000; i++) {
      input.push(
        series(
          labelsFrom({ __name__: 'm', id: `${'x'.repeat(20)}-${String(i).padStart(6, '0')}` }),
          [{ t: T0 + i, v: i }],
        ),
      );
    }
    const { dir: blockDir } = await writeBlock({ parentDir: dir, series: input });
    const b = await openBlock(new FsBlockFiles(blockDir));
    expect(b.index.symbols.length).toBe(20_003);
    expect(b.index.labelValues('id')).toHaveLength(20_000);
    const got = await readAll(b, [matcher('=~', 'id', '.*-01999[0-9]')]);
    expect(got.map((s) => s.samples[0].v)).toEqual([
      19990, 19991, 19992, 19993, 19994, 19995, 19996, 19997, 19998, 19999,
    ]);
    expect((await readAll(b)).length).toBe(20_000);
    await b.close();
  });

  it('sorts symbols, values and series by UTF-8 bytes as Prometheus does', async () => {
    // U+FF5E sorts before U+1F600 in UTF-8 although its UTF-16 code unit is larger.
    const values = ['a', '～', '😀', 'z'];
    const input = values
      .map((v) => series(labelsFrom({ __name__: 'm', v }), [{ t: T0, v: 1 }]))
      .sort((a, b) => compareLabelsUtf8(a.labels, b.labels));
    const { dir: blockDir } = await writeBlock({ parentDir: dir, series: input });
    const b = await openBlock(new FsBlockFiles(blockDir));
    expect(b.index.labelValues('v')).toEqual(['a', 'z', '～', '😀']);
    expect((await readAll(b, [matcher('=', 'v', '😀')])).length).toBe(1);
    await b.close();
  });
});

describe('index-header', () => {
  it('opens a block from its index-header without reading symbols or postings offsets again', async () => {
    const input = Array.from({ length: 300 }, (_, i) =>
      series(
        labelsFrom({ __name__: 'm', pod: `p${String(i).padStart(4, '0')}`, zone: `z${i % 3}` }),
        samplesOf(130, (k) => k + i),
      ),
    );
    const { dir: blockDir } = await writeBlock({ parentDir: dir, series: input });
    const source = new FsBlockFiles(blockDir);
    const header = await buildIndexHeader(source);
    await source.close();
    const index = await readFile(join(blockDir, 'index'));
    expect(header.length).toBeLessThan(index.length / 2);
    expect(header.readUInt32BE(0)).toBe(0xbaaad792);

    const plain = await openBlock(new FsBlockFiles(blockDir));
    const files = new CountingFiles(new FsBlockFiles(blockDir));
    const viaHeader = await openBlock(files, { indexHeader: header });
    expect(files.bytesRead.get('index')).toBeUndefined();
    expect(viaHeader.index.symbols).toEqual(plain.index.symbols);
    expect(viaHeader.index.labelNames()).toEqual(plain.index.labelNames());
    expect(viaHeader.index.labelValues('pod')).toEqual(plain.index.labelValues('pod'));
    const ms = [matcher('=', 'zone', 'z1'), matcher('=~', 'pod', 'p00[0-4].')];
    expect(await readAll(viaHeader, ms)).toEqual(await readAll(plain, ms));
    expect((await readAll(viaHeader, [])).length).toBe(300);
    await plain.close();
    await viaHeader.close();
  });

  it('refuses a damaged index-header', async () => {
    const { dir: blockDir } = await writeBlock({
      parentDir: dir,
      series: [series(labelsFrom({ a: 'b' }), [{ t: T0, v: 1 }])],
    });
    const source = new FsBlockFiles(blockDir);
    const header = await buildIndexHeader(source);
    await source.close();
    header[20] ^= 0x01;
    await expect(openBlock(new FsBlockFiles(blockDir), { indexHeader: header })).rejects.toThrow(
      /index-header symbol table: checksum mismatch/,
    );
  });
});

describe('block writer input checks', () => {
  it('refuses unsorted series and leaves no block or temporary directory behind', async () => {
    const input = [
      series(labelsFrom({ __name__: 'b' }), [{ t: T0, v: 1 }]),
      series(labelsFrom({ __name__: 'a' }), [{ t: T0, v: 1 }]),
    ];
    await expect(writeBlock({ parentDir: dir, series: input })).rejects.toThrow(InvalidBlockError);
    await expect(writeBlock({ parentDir: dir, series: input })).rejects.toThrow(/out of order/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses overlapping chunks and chunks outside the block range', async () => {
    const c = encodeXorChunks([T0, T0 + 10], [1, 2]);
    await expect(
      writeBlock({
        parentDir: dir,
        series: [{ labels: labelsFrom({ a: 'b' }), chunks: [...c, ...c] }],
      }),
    ).rejects.toThrow(/overlaps/);
    await expect(
      writeBlock({
        parentDir: dir,
        series: [{ labels: labelsFrom({ a: 'b' }), chunks: c }],
        minTime: T0,
        maxTime: T0 + 10,
      }),
    ).rejects.toThrow(/outside the block range/);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('block corruption', () => {
  async function writeOne(): Promise<string> {
    const input = [
      series(
        labelsFrom({ __name__: 'm', job: 'a' }),
        samplesOf(240, (i) => i),
      ),
    ];
    return (await writeBlock({ parentDir: dir, series: input })).dir;
  }

  async function flipByte(path: string, offset: number): Promise<void> {
    const b = await readFile(path);
    b[offset < 0 ? b.length + offset : offset] ^= 0x40;
    await writeFile(path, b);
  }

  it('reports a damaged chunk with its segment and offset', async () => {
    const blockDir = await writeOne();
    await flipByte(join(blockDir, 'chunks/000001'), 40);
    const b = await openBlock(new FsBlockFiles(blockDir));
    const err = await readAll(b).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CorruptBlockError);
    expect((err as Error).message).toMatch(/^chunks\/000001 chunk at 8: checksum mismatch/);
    await b.close();
  });

  it('reports a damaged TOC when opening', async () => {
    const blockDir = await writeOne();
    await flipByte(join(blockDir, 'index'), -10);
    await expect(openBlock(new FsBlockFiles(blockDir))).rejects.toThrow(
      /index TOC: checksum mismatch/,
    );
  });

  it('reports a damaged series entry when reading it', async () => {
    const blockDir = await writeOne();
    const files = new FsBlockFiles(blockDir);
    const b = await openBlock(files);
    const [id] = await b.index.allPostings();
    await b.close();
    await flipByte(join(blockDir, 'index'), id * 16 + 3);
    const b2 = await openBlock(new FsBlockFiles(blockDir));
    await expect(readAll(b2)).rejects.toThrow(new RegExp(`index series ${id}: checksum mismatch`));
    await b2.close();
  });

  it('reports a damaged postings list when reading it', async () => {
    const blockDir = await writeOne();
    const b = await openBlock(new FsBlockFiles(blockDir));
    const postingsAt = b.index.toc.postings;
    await b.close();
    await flipByte(join(blockDir, 'index'), postingsAt + 9);
    const b2 = await openBlock(new FsBlockFiles(blockDir));
    await expect(readAll(b2, [])).rejects.toThrow(
      new RegExp(`index postings at ${postingsAt}: checksum mismatch`),
    );
    await b2.close();
  });

  it('reports a damaged symbol table and meta.json when opening', async () => {
    const blockDir = await writeOne();
    await flipByte(join(blockDir, 'index'), 12);
    await expect(openBlock(new FsBlockFiles(blockDir))).rejects.toThrow(
      /index symbol table: checksum mismatch/,
    );
    await writeFile(join(blockDir, 'meta.json'), '{"version": 2}');
    await expect(openBlock(new FsBlockFiles(blockDir))).rejects.toThrow(CorruptBlockError);
  });
});

describe('headBlockSeries', () => {
  it("cuts one tenant's range, reusing closed chunk bytes and dropping the tenant label", async () => {
    const head = new Head({ chunkRange: 7_200_000 });
    for (let i = 0; i < 600; i++) {
      const t = i * 15_000;
      head.append(labelsFrom({ __name__: 'm', tenant_id: 'a', job: 'x' }), t, i);
      head.append(labelsFrom({ __name__: 'm', tenant_id: 'b', job: 'x' }), t, -i);
    }
    const cut = headBlockSeries(head, {
      mint: 0,
      maxt: 7_200_000,
      tenant: 'a',
      dropLabels: ['tenant_id'],
    });
    expect(cut.map((s) => s.labels)).toEqual([labelsFrom({ __name__: 'm', job: 'x' })]);
    const s = head.seriesByLabels(labelsFrom({ __name__: 'm', tenant_id: 'a', job: 'x' }))!;
    expect(cut[0].chunks.map((c) => c.data)).toEqual(s.chunks.map((c) => c.bytes));
    const { dir: blockDir } = await writeBlock({
      parentDir: dir,
      series: cut,
      minTime: 0,
      maxTime: 7_200_000,
      tenant: 'a',
    });
    const b = await openBlock(new FsBlockFiles(blockDir));
    const got = await readAll(b);
    expect(got[0].samples).toEqual(samplesOf(480, (i) => i, 15_000, 0));
    await b.close();
  });

  it('re-encodes a series whose chunk crosses the range or that has out-of-order samples', () => {
    const head = new Head({ chunkRange: 7_200_000, outOfOrderWindow: 3_600_000 });
    const l = labelsFrom({ __name__: 'm' });
    for (let i = 0; i < 100; i++) head.append(l, i * 60_000, i);
    head.append(l, 2_370_000, 39.5);
    const cut = headBlockSeries(head, { mint: 0, maxt: 3_000_000 });
    expect(cut).toHaveLength(1);
    const samples: Sample[] = [];
    for (const c of cut[0].chunks) {
      const it = xorIteratorFromBytes(c.data);
      while (it.next()) samples.push({ t: it.t, v: it.v });
    }
    const expected = samplesOf(50, (i) => i, 60_000, 0);
    expected.splice(40, 0, { t: 2_370_000, v: 39.5 });
    expect(samples).toEqual(expected);
    expect(cut[0].chunks[cut[0].chunks.length - 1].maxT).toBe(49 * 60_000);
  });
});
