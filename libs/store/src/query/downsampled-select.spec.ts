import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type StoreSelectResponse } from '@strata/contracts';
import { putBlock } from '@strata/blocks';
import { FilesystemBucket } from '@strata/objstore';
import {
  type BlockChunk,
  RESOLUTION_1H,
  RESOLUTION_5M,
  downsampleAggr,
  downsampleRaw,
  encodeXorChunks,
  labelsFrom,
  windowEnd,
  writeBlock,
} from '@strata/tsdb';
import { BlockCatalog } from '../blocks/block-catalog';
import { OpenBlocks } from '../blocks/open-blocks';
import { type BlockSource, answerFromBlocks } from './block-store-answer';

jest.setTimeout(120_000);

const H = 3_600_000;
const T0 = 1_209_600_000 * 1405;
const WEEK = 7 * 24 * H;
const floats = (b64: string) =>
  Array.from(new Float64Array(new Uint8Array(Buffer.from(b64, 'base64')).buffer));

// A week of a counter with resets and a gauge, every 30 s.
const ts: number[] = [];
const gauge: number[] = [];
const counter: number[] = [];
for (let t = T0, c = 0; t < T0 + WEEK; t += 30_000) {
  c = (t - T0) % (29 * H) === 0 ? 3 : c + ((t / 30_000) % 7);
  ts.push(t);
  counter.push(c);
  gauge.push(Math.cos(t / 7e6) * 50 + ((t / 1000) % 13));
}

describe('Select over downsampled blocks', () => {
  let dir: string;
  let bucket: FilesystemBucket;
  let source: BlockSource;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strata-downsampled-'));
    bucket = new FilesystemBucket(join(dir, 'bucket'));
    const put = async (
      resolution: number,
      chunks: (v: number[]) => BlockChunk[],
    ): Promise<void> => {
      const w = await writeBlock({
        parentDir: join(dir, 'tmp'),
        tenant: 'acme',
        minTime: T0,
        maxTime: T0 + WEEK,
        downsampleResolution: resolution,
        compaction: { level: 4, sources: ['01J00000000000000000000000'] },
        series: [
          { labels: labelsFrom({ __name__: 'bytes_total' }), chunks: chunks(counter) },
          { labels: labelsFrom({ __name__: 'temp' }), chunks: chunks(gauge) },
        ],
      });
      await putBlock(bucket, 'acme', w.dir);
    };
    await put(0, (v) => encodeXorChunks(ts, v));
    await put(RESOLUTION_5M, (v) => downsampleRaw(ts, v, RESOLUTION_5M));
    await put(RESOLUTION_1H, (v) =>
      downsampleAggr(downsampleRaw(ts, v, RESOLUTION_5M), RESOLUTION_5M, RESOLUTION_1H),
    );
    const catalog = new BlockCatalog(bucket, () => true);
    await catalog.sync();
    const blocks = new OpenBlocks(bucket, {
      maxOpenBlocks: 4,
      indexHeaderBytes: 1 << 20,
      indexRangeBytes: 1 << 20,
      chunkPageBytes: 1 << 20,
    });
    source = {
      blocksFor: (t, a, b) => catalog.blocksFor(t, a, b),
      open: (b) => blocks.get(b.tenant, b.ulid),
      timeRange: () => ({ minTime: -Infinity, maxTime: Infinity }),
    };
  });
  afterAll(async () => {
    await bucket.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function select(
    name: string,
    maxResolutionMs: number,
    aggregate?: 'count' | 'sum' | 'min' | 'max' | 'counter',
  ): Promise<Array<[number, number]>> {
    const r = (await answerFromBlocks(source, {
      type: 'Select',
      tenantId: 'acme',
      matchers: [{ type: '=', name: '__name__', value: name }],
      start: T0,
      end: T0 + WEEK,
      cursor: null,
      maxSamples: 10_000_000,
      maxResolutionMs,
      ...(aggregate ? { aggregate } : {}),
    })) as StoreSelectResponse;
    const [s] = r.series;
    const t = floats(s.t);
    const v = floats(s.v);
    return t.map((x, i) => [x, v[i]]);
  }

  const relClose = (a: number, b: number) =>
    expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(b)));

  it('reads raw blocks only without an aggregate or a resolution', async () => {
    expect((await select('temp', RESOLUTION_1H)).length).toBe(ts.length);
    expect((await select('temp', 0, 'count')).length).toBe(ts.length);
  });

  it.each([
    ['5m', RESOLUTION_5M],
    ['1h', RESOLUTION_1H],
  ])('at %s, count, sum, min and max equal the raw windows within 1e-9', async (_n, res) => {
    const windows = new Map<number, number[]>();
    ts.forEach((t, i) => {
      const w = windows.get(windowEnd(t, res)) ?? [];
      w.push(gauge[i]);
      windows.set(windowEnd(t, res), w);
    });
    const expected = [...windows.entries()];
    // A window that a chunk boundary splits has two points (Thanos downsamples along chunks).
    const byWindow = async (
      aggregate: 'count' | 'sum' | 'min' | 'max',
      f: (a: number, b: number) => number,
    ): Promise<Map<number, number>> => {
      const out = new Map<number, number>();
      for (const [t, v] of await select('temp', res, aggregate)) {
        const w = windowEnd(t, res);
        const prev = out.get(w);
        out.set(w, prev === undefined ? v : f(prev, v));
      }
      return out;
    };
    const count = await byWindow('count', (a, b) => a + b);
    const sum = await byWindow('sum', (a, b) => a + b);
    const min = await byWindow('min', Math.min);
    const max = await byWindow('max', Math.max);
    expect([...count.keys()]).toEqual(expected.map(([end]) => end));
    for (const [end, vals] of expected) {
      expect(count.get(end)).toBe(vals.length);
      relClose(
        sum.get(end) ?? NaN,
        vals.reduce((a, b) => a + b, 0),
      );
      expect(min.get(end)).toBe(Math.min(...vals));
      expect(max.get(end)).toBe(Math.max(...vals));
    }
  });

  it.each([
    ['5m', RESOLUTION_5M],
    ['1h', RESOLUTION_1H],
  ])('at %s, the counter is the raw counter with its resets applied', async (_n, res) => {
    const adjusted = new Map<number, number>();
    let total = 0;
    counter.forEach((v, i) => {
      total += i === 0 ? v : v >= counter[i - 1] ? v - counter[i - 1] : v;
      adjusted.set(ts[i], total);
    });
    const got = await select('bytes_total', res, 'counter');
    expect(got.length).toBeGreaterThan(WEEK / res);
    for (const [t, v] of got) expect(v).toBe(adjusted.get(t - ((t - T0) % 30_000)));
    // Never decreasing although the raw counter reset six times.
    for (let i = 1; i < got.length; i++) expect(got[i][1]).toBeGreaterThanOrEqual(got[i - 1][1]);
  });
});
