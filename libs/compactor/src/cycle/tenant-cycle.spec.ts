import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatNoCompactMark, listTenantBlocks } from '@strata/blocks';
import { FilesystemBucket } from '@strata/objstore';
import { putFixtureBlock, readableSamples, samplesEvery } from '../../test/block-fixture';
import { type TenantCycleSettings, runTenantCycle } from './tenant-cycle';

jest.setTimeout(60_000);
const H = 3_600_000;
const D = 24 * H;
// Aligned to 14 days, so every range's windows start at T0.
const T0 = 1_209_600_000 * 1405;
const KEEP = { rawSeconds: 0, fiveMinutesSeconds: 0, oneHourSeconds: 0 };

let root: string;
let bucket: FilesystemBucket;
let settings: TenantCycleSettings;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'strata-compactor-'));
  bucket = new FilesystemBucket(join(root, 'bucket'));
  settings = {
    ranges: [2 * H, 8 * H, 2 * D, 14 * D],
    deleteDelayMs: H,
    partialUploadAgeMs: H,
    replicaLabels: new Set(),
    dedupFunc: 'one-of',
    workDir: join(root, 'work'),
    downsample: { enabled: false, span5mMs: 40 * H, span1hMs: 240 * H },
  };
});
afterEach(async () => {
  await bucket.close();
  await rm(root, { recursive: true, force: true });
});

/** Two ingest partitions' blocks of 2 h each over `windows` windows, disjoint series. */
async function ingesterBlocks(tenant: string, windows: number, start = T0): Promise<void> {
  for (let w = 0; w < windows; w++) {
    const from = start + w * 2 * H;
    for (const p of [0, 1])
      await putFixtureBlock(bucket, tenant, from, from + 2 * H, [
        {
          labels: { __name__: 'up', job: `p${p}` },
          samples: samplesEvery(from, from + 2 * H, 15_000),
        },
        {
          labels: { __name__: 'requests_total', job: `p${p}`, path: '/' },
          samples: samplesEvery(from + 7_000, from + 2 * H, 30_000, (t) => (t - start) / 1000),
        },
      ]);
  }
}

describe('a compaction cycle over one tenant', () => {
  it('merges partitions vertically, then 2 h blocks into an 8 h block, and readers see the same samples', async () => {
    await ingesterBlocks('acme', 5);
    const before = await readableSamples(bucket, 'acme');
    const now = () => T0 + 11 * H;
    const r = await runTenantCycle(bucket, 'acme', settings, KEEP, { now });
    expect(r.halted).toBeUndefined();
    // Five windows of two partitions each, then the first four windows into one 8 h block.
    expect(r.compactions.map((c) => [c.level, c.sources])).toEqual([
      [2, 2],
      [2, 2],
      [2, 2],
      [2, 2],
      [2, 2],
      [3, 4],
    ]);
    expect(await readableSamples(bucket, 'acme')).toEqual(before);
    const listing = await listTenantBlocks(bucket, 'acme');
    expect(
      [...listing.blocks]
        .sort((a, b) => a.meta.minTime - b.meta.minTime)
        .map((b) => [b.meta.minTime - T0, b.meta.maxTime - T0, b.meta.compaction.level]),
    ).toEqual([
      [0, 8 * H, 3],
      [8 * H, 10 * H, 2],
    ]);
    const eightHours = listing.blocks.find((b) => b.meta.compaction.level === 3);
    expect(eightHours?.meta.compaction.sources).toHaveLength(8);
    expect(eightHours?.meta.thanos?.source).toBe('compactor');
    expect(listing.markedForDeletion).toHaveLength(14);

    // The window [8h, 10h) waits for newer data; marked blocks go after the delete delay.
    const again = await runTenantCycle(bucket, 'acme', settings, KEEP, { now: () => now() + H });
    expect(again.compactions).toEqual([]);
    expect(again.deleted).toBe(14);
    expect((await listTenantBlocks(bucket, 'acme')).markedForDeletion).toEqual([]);
    expect(await readableSamples(bucket, 'acme')).toEqual(before);
  });

  it('removes the replica label and fills one replica’s gap from the other (penalty)', async () => {
    settings = { ...settings, replicaLabels: new Set(['replica']), dedupFunc: 'penalty' };
    const from = T0;
    const to = T0 + 2 * H;
    const gapFrom = T0 + 30 * 60_000;
    const gapTo = gapFrom + 10 * 60_000;
    const value = (t: number) => Math.floor((t - T0) / 60_000);
    await putFixtureBlock(bucket, 'acme', from, to, [
      {
        labels: { __name__: 'up', job: 'x', replica: 'a' },
        samples: samplesEvery(from, to, 15_000, value).filter(([t]) => t < gapFrom || t >= gapTo),
      },
    ]);
    await putFixtureBlock(bucket, 'acme', from, to, [
      {
        labels: { __name__: 'up', job: 'x', replica: 'b' },
        samples: samplesEvery(from + 5_000, to, 15_000, value),
      },
    ]);
    const r = await runTenantCycle(bucket, 'acme', settings, KEEP, { now: () => to + H });
    expect(r.compactions).toHaveLength(1);
    const after = await readableSamples(bucket, 'acme');
    expect([...after.keys()]).toEqual(['{__name__="up", job="x"}']);
    const ts = after.get('{__name__="up", job="x"}')?.map(([t]) => t) ?? [];
    // One sample per scrape interval, never two, and no hole where a has its gap (switching
    // replicas costs at most the penalty of two intervals plus their offset, as in Thanos).
    for (let i = 1; i < ts.length; i++) {
      expect(ts[i] - ts[i - 1]).toBeGreaterThanOrEqual(10_000);
      expect(ts[i] - ts[i - 1]).toBeLessThanOrEqual(35_000);
    }
    expect(ts.some((t) => t > gapFrom && t < gapTo)).toBe(true);
    expect(ts.length).toBeGreaterThan(470);
    expect(ts.length).toBeLessThanOrEqual(481);
  });

  it('one-of keeps every timestamp of both replicas once', async () => {
    settings = { ...settings, replicaLabels: new Set(['replica']) };
    for (const replica of ['a', 'b'])
      await putFixtureBlock(bucket, 'acme', T0, T0 + 2 * H, [
        { labels: { __name__: 'up', replica }, samples: samplesEvery(T0, T0 + 2 * H, 15_000) },
      ]);
    await runTenantCycle(bucket, 'acme', settings, KEEP, { now: () => T0 + 3 * H });
    const after = await readableSamples(bucket, 'acme');
    expect([...after.keys()]).toEqual(['{__name__="up"}']);
    expect(after.get('{__name__="up"}')).toEqual(samplesEvery(T0, T0 + 2 * H, 15_000));
  });

  it('applies each tenant its own raw retention', async () => {
    await ingesterBlocks('short', 1);
    await ingesterBlocks('long', 1);
    const now = () => T0 + 2 * D;
    const short = await runTenantCycle(
      bucket,
      'short',
      settings,
      { ...KEEP, rawSeconds: 86_400 },
      { now },
    );
    const long = await runTenantCycle(
      bucket,
      'long',
      settings,
      { ...KEEP, rawSeconds: 7 * 86_400 },
      { now },
    );
    expect(short.marked.retention).toBe(2);
    expect((await readableSamples(bucket, 'short')).size).toBe(0);
    expect(long.marked.retention).toBe(0);
    expect((await readableSamples(bucket, 'long')).size).toBe(4);
  });

  it('leaves a block with a no-compact mark out of compaction, and says why', async () => {
    const ulids: string[] = [];
    for (let w = 0; w < 4; w++) {
      const from = T0 + w * 2 * H;
      ulids.push(
        await putFixtureBlock(bucket, 'acme', from, from + 2 * H, [
          { labels: { __name__: 'up' }, samples: samplesEvery(from, from + 2 * H, 60_000) },
        ]),
      );
    }
    await bucket.put(
      `acme/${ulids[1]}/no-compact-mark.json`,
      formatNoCompactMark(ulids[1], T0 / 1000, 'manual', 'kept for inspection'),
    );
    const before = await readableSamples(bucket, 'acme');
    const r = await runTenantCycle(bucket, 'acme', settings, KEEP, { now: () => T0 + 9 * H });
    expect(r.noCompact).toEqual([{ ulid: ulids[1], reason: 'manual' }]);
    expect(r.compactions.map((c) => [c.level, c.sources])).toEqual([[2, 3]]);
    const listing = await listTenantBlocks(bucket, 'acme');
    expect(listing.markedForDeletion.sort()).toEqual([ulids[0], ulids[2], ulids[3]].sort());
    expect(listing.blocks.map((b) => b.ulid)).toContain(ulids[1]);
    expect(await readableSamples(bucket, 'acme')).toEqual(before);
    // Without the mark the next cycle takes it in again.
    await bucket.delete(`acme/${ulids[1]}/no-compact-mark.json`);
    const again = await runTenantCycle(bucket, 'acme', settings, KEEP, { now: () => T0 + 9 * H });
    expect(again.compactions.map((c) => [c.level, c.sources])).toEqual([[3, 2]]);
    expect(await readableSamples(bucket, 'acme')).toEqual(before);
  });

  it('halts on blocks overlapping across the longest range rather than guessing', async () => {
    await putFixtureBlock(bucket, 'acme', T0 - H, T0 + H, [
      { labels: { __name__: 'up' }, samples: samplesEvery(T0 - H, T0 + H, 60_000) },
    ]);
    await putFixtureBlock(bucket, 'acme', T0, T0 + 2 * H, [
      { labels: { __name__: 'up' }, samples: samplesEvery(T0, T0 + 2 * H, 60_000) },
    ]);
    const before = await readableSamples(bucket, 'acme');
    const r = await runTenantCycle(bucket, 'acme', settings, KEEP, { now: () => T0 + D });
    expect(r.halted).toMatch(/overlap across/);
    expect(await readableSamples(bucket, 'acme')).toEqual(before);
  });

  it('halts on a corrupt block and leaves its peers alone', async () => {
    await ingesterBlocks('acme', 1);
    const [victim] = (await listTenantBlocks(bucket, 'acme')).blocks;
    await bucket.put(`acme/${victim.ulid}/index`, Buffer.alloc(64, 7));
    const r = await runTenantCycle(bucket, 'acme', settings, KEEP, { now: () => T0 + D });
    expect(r.halted).toMatch(victim.ulid);
    expect((await listTenantBlocks(bucket, 'acme')).blocks).toHaveLength(2);
  });

  it('removes abandoned uploads once they are old, and only then', async () => {
    await ingesterBlocks('acme', 1);
    const orphan = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
    await writeFile(join(root, 'x'), 'x');
    await bucket.put(`acme/${orphan}/chunks/000001`, 'partial');
    const young = await runTenantCycle(bucket, 'acme', settings, KEEP, {
      now: () => Date.now() + 60_000,
    });
    expect(young.abandonedUploadsRemoved).toBe(0);
    expect(await bucket.exists(`acme/${orphan}/chunks/000001`)).toBe(true);
    const old = await runTenantCycle(bucket, 'acme', settings, KEEP, {
      now: () => Date.now() + 2 * H,
    });
    expect(old.abandonedUploadsRemoved).toBe(1);
    expect(await bucket.exists(`acme/${orphan}/chunks/000001`)).toBe(false);
  });
});
