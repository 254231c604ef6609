import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type StoreRequest,
  type StoreSelectResponse,
  type StoreTimeRange,
} from '@strata/contracts';
import { wireBytes } from '@strata/bus';
import { FilesystemBucket } from '@strata/objstore';
import { decodeChunkFrames } from '@strata/tsdb';
import { writeTestBlock } from '@strata/testing';
import { BlockCatalog } from '../blocks/block-catalog';
import { OpenBlocks } from '../blocks/open-blocks';
import { type BlockSource, answerFromBlocks, withTenant } from './block-store-answer';

jest.setTimeout(60_000);

const T0 = 1_700_000_000_000;
const M = 60_000;
const minutes = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => T0 + (from + i) * M);
const floats = (b64: string) =>
  Array.from(new Float64Array(new Uint8Array(Buffer.from(b64, 'base64')).buffer));

describe('answers from blocks', () => {
  let dir: string;
  let bucket: FilesystemBucket;
  let source: BlockSource;
  let range: StoreTimeRange = { minTime: -Infinity, maxTime: Infinity };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strata-store-answer-'));
    bucket = new FilesystemBucket(join(dir, 'bucket'));
    const tmp = join(dir, 'tmp');
    const series = (job: string, ts: number[], value: (t: number) => number) => ({
      labels: { __name__: 'req', job },
      timestamps: ts,
      values: ts.map(value),
    });
    // Two blocks of team-a sharing minutes 50..59 (as after a second upload of the same head).
    await writeTestBlock(bucket, tmp, 'team-a', [
      series('api', minutes(0, 60), (t) => (t - T0) / M),
      series('web', minutes(0, 60), () => 1),
    ]);
    await writeTestBlock(bucket, tmp, 'team-a', [
      series('api', minutes(50, 120), (t) => (t - T0) / M),
    ]);
    await writeTestBlock(bucket, tmp, 'team-b', [series('secret', minutes(0, 120), () => 42)]);
    // Two blocks of team-c one after the other, as the ingesters and the compactor leave them.
    await writeTestBlock(bucket, tmp, 'team-c', [series('api', minutes(0, 60), (t) => t % 7)]);
    await writeTestBlock(bucket, tmp, 'team-c', [
      series('api', minutes(60, 130), (t) => t % 11),
      series('web', minutes(60, 130), () => 2),
    ]);
    const catalog = new BlockCatalog(bucket, () => true);
    await catalog.sync();
    const blocks = new OpenBlocks(bucket, {
      maxOpenBlocks: 1,
      indexHeaderBytes: 1 << 20,
      indexRangeBytes: 1 << 20,
      chunkPageBytes: 1 << 20,
    });
    source = {
      blocksFor: (t, a, b) => catalog.blocksFor(t, a, b),
      open: (b) => blocks.get(b.tenant, b.ulid),
      timeRange: () => range,
    };
  });
  afterAll(async () => {
    await bucket.close();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => {
    range = { minTime: -Infinity, maxTime: Infinity };
  });

  /** The answer, as the loosely typed JSON a test reads. */
  const ask = (r: Record<string, unknown>) =>
    answerFromBlocks(source, {
      matchers: [],
      start: T0,
      end: T0 + 200 * M,
      ...r,
    } as unknown as StoreRequest) as Promise<{ values: string[]; series: unknown[] }>;
  const selectAll = async (r: Record<string, unknown>) => {
    const out: StoreSelectResponse['series'] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = (await ask({
        type: 'Select',
        cursor,
        maxSamples: 100_000,
        ...r,
      })) as unknown as StoreSelectResponse;
      out.push(...page.series);
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== null);
    return { series: out, pages };
  };

  it('adds tenant_id back to every series and merges overlapping blocks, each timestamp once', async () => {
    const { series } = await selectAll({
      tenantId: 'team-a',
      matchers: [{ type: '=', name: '__name__', value: 'req' }],
    });
    expect(series.map((s) => s.labels)).toEqual([
      ['__name__', 'req', 'job', 'api', 'tenant_id', 'team-a'],
      ['__name__', 'req', 'job', 'web', 'tenant_id', 'team-a'],
    ]);
    const t = floats(series[0].t);
    expect(t).toEqual(minutes(0, 120));
    expect(floats(series[0].v)).toEqual(t.map((x) => (x - T0) / M));
  });

  it('pages Select by samples, never splitting a series', async () => {
    const { series, pages } = await selectAll({ tenantId: 'team-a', maxSamples: 10 });
    expect(pages).toBe(2);
    expect(series.map((s) => floats(s.t).length)).toEqual([120, 60]);
  });

  it('never answers one tenant with another’s blocks, and honours tenant_id matchers', async () => {
    expect(
      (
        await selectAll({
          tenantId: 'team-a',
          matchers: [{ type: '=', name: 'job', value: 'secret' }],
        })
      ).series,
    ).toEqual([]);
    expect(
      (
        await selectAll({
          tenantId: 'team-a',
          matchers: [{ type: '=', name: 'tenant_id', value: 'team-b' }],
        })
      ).series,
    ).toEqual([]);
    expect((await ask({ type: 'LabelValues', tenantId: 'team-a', name: 'job' })).values).toEqual([
      'api',
      'web',
    ]);
    expect(
      (await ask({ type: 'LabelValues', tenantId: 'team-b', name: 'tenant_id' })).values,
    ).toEqual(['team-b']);
    expect((await ask({ type: 'LabelNames', tenantId: 'team-a' })).values).toEqual([
      '__name__',
      'job',
      'tenant_id',
    ]);
    expect((await ask({ type: 'Series', tenantId: 'nobody' })).series).toEqual([]);
  });

  it('serves only its time range, and only blocks overlapping the window', async () => {
    range = { minTime: T0 + 30 * M, maxTime: T0 + 90 * M };
    const { series } = await selectAll({
      tenantId: 'team-a',
      matchers: [{ type: '=', name: 'job', value: 'api' }],
    });
    expect(floats(series[0].t)).toEqual(minutes(30, 90));
    expect((await ask({ type: 'Series', tenantId: 'team-a', start: T0 + 65 * M })).series).toEqual([
      ['__name__', 'req', 'job', 'api', 'tenant_id', 'team-a'],
    ]);
  });

  describe('asked for chunks (encoding xor)', () => {
    /** Each series as labels and samples in [start, end], whichever form it came in. */
    const samplesOf = async (r: Record<string, unknown>, start: number, end: number) => {
      const { series } = await selectAll(r);
      return series.map((s) => {
        if (s.x === undefined)
          return { labels: s.labels, frames: false, t: floats(s.t), v: floats(s.v) };
        const d = decodeChunkFrames(wireBytes(s.x), start, end);
        return { labels: s.labels, frames: true, t: [...d.timestamps], v: [...d.values] };
      });
    };
    // Every row names its time range: jest passes `done` to a test with more parameters than the row.
    const cases: Array<[string, Record<string, unknown>, StoreTimeRange | null]> = [
      ['consecutive blocks', { tenantId: 'team-c' }, null],
      [
        'a window inside the blocks',
        { tenantId: 'team-c', start: T0 + 30 * M, end: T0 + 95 * M },
        null,
      ],
      ['overlapping blocks', { tenantId: 'team-a' }, null],
      [
        'a store time range',
        { tenantId: 'team-c' },
        { minTime: T0 + 30 * M, maxTime: T0 + 200 * M },
      ],
      ['small pages', { tenantId: 'team-c', maxSamples: 10 }, null],
    ];
    it.each(cases)('answers the same samples as arrays: %s', async (_, r, timeRange) => {
      range = timeRange ?? range;
      const start = (r.start as number | undefined) ?? T0;
      const end = (r.end as number | undefined) ?? T0 + 200 * M;
      const arrays = await samplesOf(r, start, end);
      const chunks = await samplesOf({ ...r, encoding: 'xor' }, start, end);
      expect(arrays.length).toBeGreaterThan(0);
      expect(chunks.map(({ frames: _f, ...s }) => s)).toEqual(
        arrays.map(({ frames: _f, ...s }) => s),
      );
    });

    it('sends a series as its chunks when they follow each other, decoded samples otherwise', async () => {
      const c = await samplesOf({ tenantId: 'team-c', encoding: 'xor' }, T0, T0 + 200 * M);
      expect(c.map((s) => [s.labels[3], s.frames, s.t.length])).toEqual([
        ['api', true, 130],
        ['web', true, 70],
      ]);
      // Minutes 50..59 are in both of team-a's blocks: merged sample by sample, as before.
      const a = await samplesOf({ tenantId: 'team-a', encoding: 'xor' }, T0, T0 + 200 * M);
      expect(a.map((s) => [s.labels[3], s.frames, s.t.length])).toEqual([
        ['api', false, 120],
        ['web', true, 60],
      ]);
      // A chunk reaching outside the store's time range would carry samples it does not serve.
      range = { minTime: T0 + 30 * M, maxTime: T0 + 200 * M };
      const r = await samplesOf({ tenantId: 'team-c', encoding: 'xor' }, T0, T0 + 200 * M);
      expect(r.map((s) => [s.labels[3], s.frames, s.t[0]])).toEqual([
        ['api', false, T0 + 30 * M],
        ['web', true, T0 + 60 * M],
      ]);
    });
  });

  it('places tenant_id by name among the labels', () => {
    expect(
      withTenant(
        [
          { name: 'a', value: '1' },
          { name: 'z', value: '2' },
        ],
        't',
      ),
    ).toEqual(['a', '1', 'tenant_id', 't', 'z', '2']);
    expect(withTenant([{ name: 'tenant_id', value: 'forged' }], 't')).toEqual(['tenant_id', 't']);
  });
});
