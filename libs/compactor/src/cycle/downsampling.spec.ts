import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BucketBlockFiles, blockDir, listTenantBlocks } from '@strata/blocks';
import { FilesystemBucket } from '@strata/objstore';
import {
  type Aggregate,
  RESOLUTION_1H,
  RESOLUTION_5M,
  matcher,
  openBlock,
  windowEnd,
} from '@strata/tsdb';
import { putFixtureBlock, samplesEvery } from '../../test/block-fixture';
import { type TenantCycleSettings, runTenantCycle } from './tenant-cycle';

jest.setTimeout(120_000);
const H = 3_600_000;
const D = 24 * H;
const T0 = 1_209_600_000 * 1405;
const KEEP = { rawSeconds: 0, fiveMinutesSeconds: 0, oneHourSeconds: 0 };

let root: string;
let bucket: FilesystemBucket;
let settings: TenantCycleSettings;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'strata-downsample-'));
  bucket = new FilesystemBucket(join(root, 'bucket'));
  settings = {
    ranges: [2 * H, 8 * H, 2 * D],
    deleteDelayMs: H,
    partialUploadAgeMs: H,
    replicaLabels: new Set(),
    dedupFunc: 'one-of',
    workDir: join(root, 'work'),
    downsample: { enabled: true, span5mMs: 40 * H, span1hMs: 2 * D },
  };
});
afterEach(async () => {
  await bucket.close();
  await rm(root, { recursive: true, force: true });
});

const value = (t: number) => ((t - T0) / 60_000) % 97;

/** Two days of 2 h blocks of one series sampled every 30 s. */
async function twoDays(tenant: string): Promise<Array<[number, number]>> {
  const all: Array<[number, number]> = [];
  for (let from = T0; from < T0 + 2 * D; from += 2 * H) {
    const samples = samplesEvery(from, from + 2 * H, 30_000, value);
    all.push(...samples);
    await putFixtureBlock(bucket, tenant, from, from + 2 * H, [
      { labels: { __name__: 'temp', room: 'a' }, samples },
    ]);
  }
  return all;
}

async function aggregate(ulid: string, a: Aggregate): Promise<Array<[number, number]>> {
  const r = await openBlock(new BucketBlockFiles(bucket, blockDir('acme', ulid)));
  const out: Array<[number, number]> = [];
  try {
    for await (const s of r.select([matcher('=', '__name__', 'temp')], undefined, undefined, {
      aggregate: a,
    })) {
      const it = s.iterator();
      while (it.next()) out.push([it.t, it.v]);
    }
  } finally {
    await r.close();
  }
  return out;
}

describe('downsampling in the compaction cycle', () => {
  it('makes 5 m and 1 h blocks of a 2-day raw block, with the raw windows as aggregates, once', async () => {
    const raw = await twoDays('acme');
    const r = await runTenantCycle(bucket, 'acme', settings, KEEP, { now: () => T0 + 3 * D });
    expect(r.halted).toBeUndefined();
    expect(r.downsamplings.map((d) => d.resolution)).toEqual([RESOLUTION_5M, RESOLUTION_1H]);

    const { blocks } = await listTenantBlocks(bucket, 'acme');
    const byRes = new Map(blocks.map((b) => [b.meta.thanos?.downsample.resolution ?? 0, b]));
    const rawBlock = byRes.get(0);
    for (const res of [RESOLUTION_5M, RESOLUTION_1H]) {
      const b = byRes.get(res);
      expect(b?.meta.minTime).toBe(T0);
      expect(b?.meta.maxTime).toBe(T0 + 2 * D);
      expect(b?.meta.compaction.sources).toEqual(rawBlock?.meta.compaction.sources);
      const windows = new Map<number, number[]>();
      for (const [t, v] of raw) {
        const w = windows.get(windowEnd(t, res)) ?? [];
        w.push(v);
        windows.set(windowEnd(t, res), w);
      }
      const expected = [...windows.values()];
      const count = await aggregate(b?.ulid ?? '', 'count');
      const sum = await aggregate(b?.ulid ?? '', 'sum');
      const min = await aggregate(b?.ulid ?? '', 'min');
      const max = await aggregate(b?.ulid ?? '', 'max');
      expect(count.map(([, v]) => v)).toEqual(expected.map((w) => w.length));
      expect(min.map(([, v]) => v)).toEqual(expected.map((w) => Math.min(...w)));
      expect(max.map(([, v]) => v)).toEqual(expected.map((w) => Math.max(...w)));
      sum.forEach(([, v], i) =>
        expect(v).toBeCloseTo(
          expected[i].reduce((x, y) => x + y, 0),
          9,
        ),
      );
    }

    const again = await runTenantCycle(bucket, 'acme', settings, KEEP, { now: () => T0 + 3 * D });
    expect(again.downsamplings).toEqual([]);
    expect(again.compactions).toEqual([]);
  });

  it('applies each resolution its own retention: raw goes, 5 m and 1 h stay', async () => {
    await twoDays('acme');
    await runTenantCycle(bucket, 'acme', settings, KEEP, { now: () => T0 + 3 * D });
    const r = await runTenantCycle(
      bucket,
      'acme',
      settings,
      { rawSeconds: 86_400, fiveMinutesSeconds: 0, oneHourSeconds: 0 },
      { now: () => T0 + 4 * D },
    );
    expect(r.marked.retention).toBe(1);
    // The raw block's sources are in the 5 m block, so the raw block going makes no new 5 m block.
    expect(r.downsamplings).toEqual([]);
    const { blocks } = await listTenantBlocks(bucket, 'acme');
    expect(
      blocks.map((b) => b.meta.thanos?.downsample.resolution).sort((a, b) => (a ?? 0) - (b ?? 0)),
    ).toEqual([RESOLUTION_5M, RESOLUTION_1H]);
  });
});
