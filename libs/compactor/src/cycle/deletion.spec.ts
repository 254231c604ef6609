import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BucketBlockFiles,
  DeletionMatcher,
  blockDir,
  isBlockUlid,
  listDeletionRequests,
  listTenantBlocks,
  newDeletionRequest,
  putDeletionRequest,
} from '@strata/blocks';
import { FilesystemBucket } from '@strata/objstore';
import {
  AGGREGATES,
  ENC_AGGR,
  aggrIterator,
  blockSeries,
  labelsToString,
  openBlock,
  xorIteratorFromBytes,
} from '@strata/tsdb';
import { putFixtureBlock, readableSamples, samplesEvery } from '../../test/block-fixture';
import { rewriteBlock } from '../executor/rewrite-block';
import { type TenantCycleSettings, runTenantCycle } from './tenant-cycle';

jest.setTimeout(60_000);
const H = 3_600_000;
const M = 60_000;
const T0 = 1_209_600_000 * 1405;
const KEEP = { rawSeconds: 0, fiveMinutesSeconds: 0, oneHourSeconds: 0 };
const FROM = T0 + 30 * M;
const TO = T0 + 2 * H + 30 * M;

let root: string;
let bucket: FilesystemBucket;
let settings: TenantCycleSettings;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'strata-deletion-'));
  bucket = new FilesystemBucket(join(root, 'bucket'));
  settings = {
    ranges: [2 * H, 8 * H, 48 * H],
    deleteDelayMs: H,
    partialUploadAgeMs: H,
    replicaLabels: new Set(),
    dedupFunc: 'one-of',
    workDir: join(root, 'work'),
    downsample: { enabled: true, span5mMs: 2 * H, span1hMs: 240 * H },
  };
});
afterEach(async () => {
  await bucket.close();
  await rm(root, { recursive: true, force: true });
});

async function twoWindows(tenant: string): Promise<void> {
  for (const from of [T0, T0 + 2 * H])
    await putFixtureBlock(bucket, tenant, from, from + 2 * H, [
      { labels: { __name__: 'up', job: 'a' }, samples: samplesEvery(from, from + 2 * H, 15_000) },
      { labels: { __name__: 'up', job: 'b' }, samples: samplesEvery(from, from + 2 * H, 15_000) },
    ]);
}

/** Every timestamp of every series in every block folder of the tenant, marked blocks included. */
async function everySampleInBucket(tenant: string): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  for await (const key of bucket.list(tenant)) {
    const ulid = key.slice(tenant.length + 1, -1);
    if (!isBlockUlid(ulid)) continue;
    const reader = await openBlock(new BucketBlockFiles(bucket, blockDir(tenant, ulid)));
    try {
      for await (const s of blockSeries(reader)) {
        const ts = out.get(labelsToString(s.labels)) ?? [];
        for (const c of s.chunks) {
          const its =
            c.encoding === ENC_AGGR
              ? AGGREGATES.map((a) => aggrIterator(c.data, a))
              : [xorIteratorFromBytes(c.data)];
          for (const it of its) while (it.next()) ts.push(it.t);
        }
        out.set(labelsToString(s.labels), ts);
      }
    } finally {
      await reader.close();
    }
  }
  return out;
}

describe('a deletion request', () => {
  it('rewrites every block holding the matched samples, raw and downsampled, and the samples leave the bucket', async () => {
    await twoWindows('acme');
    await twoWindows('other');
    const first = await runTenantCycle(bucket, 'acme', settings, KEEP, { now: () => T0 + 5 * H });
    expect(first.downsamplings).toHaveLength(2);
    const before = await readableSamples(bucket, 'acme');
    const otherBefore = await everySampleInBucket('other');

    const request = newDeletionRequest({
      tenant: 'acme',
      selectors: ['up{job="a"}'],
      minTime: FROM,
      maxTime: TO,
      requestedBy: 'platform-admin',
      nowMs: T0 + 5 * H,
    });
    await putDeletionRequest(bucket, request);
    const second = await runTenantCycle(bucket, 'acme', settings, KEEP, {
      now: () => T0 + 5 * H + 1,
    });
    expect(second.halted).toBeUndefined();
    // Both raw blocks and both 5 m blocks held samples of up{job="a"} in the range: every raw
    // sample of the two hours, and the 24 five-minute windows stamped inside them.
    expect(second.rewrites).toHaveLength(4);
    expect(second.rewrites.reduce((n, r) => n + r.removedSamples, 0)).toBe(
      (TO - FROM) / 15_000 + 1 + 24,
    );
    expect(second.deletionsApplied).toEqual([]);
    let [stored] = await listDeletionRequests(bucket, 'acme');
    expect(stored.state).toBe('pending');
    expect(stored.rewrittenBlocks).toHaveLength(4);

    const after = await readableSamples(bucket, 'acme');
    const a = '{__name__="up", job="a"}';
    const b = '{__name__="up", job="b"}';
    expect(after.get(b)).toEqual(before.get(b));
    expect(after.get(a)).toEqual(before.get(a)?.filter(([t]) => t < FROM || t > TO));

    // Once the sources are past the delete delay they are gone and the request is applied.
    const third = await runTenantCycle(bucket, 'acme', settings, KEEP, { now: () => T0 + 10 * H });
    expect(third.deleted).toBe(4);
    expect(third.deletionsApplied).toEqual([request.id]);
    [stored] = await listDeletionRequests(bucket, 'acme');
    expect(stored.state).toBe('applied');
    const physical = await everySampleInBucket('acme');
    expect(physical.get(a)?.filter((t) => t >= FROM && t <= TO)).toEqual([]);
    expect(physical.get(a)?.length).toBeGreaterThan(0);
    expect((physical.get(b) ?? []).filter((t) => t >= FROM && t <= TO).length).toBeGreaterThan(0);
    expect(await everySampleInBucket('other')).toEqual(otherBefore);
    // The rewritten blocks keep their sources, level and resolution, and say what they applied.
    const listing = await listTenantBlocks(bucket, 'acme');
    expect(listing.blocks).toHaveLength(4);
    for (const blk of listing.blocks) expect(blk.meta.thanos?.source).toBe('bucket.rewrite');
    // A further cycle finds nothing more to do.
    const fourth = await runTenantCycle(bucket, 'acme', settings, KEEP, { now: () => T0 + 11 * H });
    expect(fourth.rewrites).toEqual([]);
  });

  it('converges after a crash between the rewritten upload and the source’s mark', async () => {
    await twoWindows('acme');
    settings = { ...settings, downsample: { ...settings.downsample, enabled: false } };
    const request = newDeletionRequest({
      tenant: 'acme',
      selectors: ['{job="a"}'],
      minTime: FROM,
      maxTime: TO,
      requestedBy: 'platform-admin',
      nowMs: T0 + 5 * H,
    });
    await putDeletionRequest(bucket, request);
    const [first] = (await listTenantBlocks(bucket, 'acme')).blocks;
    // What a compactor killed right after uploading leaves: the rewrite, its source unmarked.
    const made = await rewriteBlock(first, {
      bucket,
      tenant: 'acme',
      workDir: join(root, 'crashed'),
      deletions: new DeletionMatcher([request]),
    });
    expect(made).not.toBeNull();
    const r = await runTenantCycle(bucket, 'acme', settings, KEEP, { now: () => T0 + 5 * H });
    expect(r.marked.covered).toBe(1);
    // Only the second window's block is left to rewrite; the first is not rewritten twice.
    expect(r.rewrites.map((w) => w.from)).not.toContain(first.ulid);
    expect(r.rewrites).toHaveLength(1);
    const after = await readableSamples(bucket, 'acme');
    expect(after.get('{__name__="up", job="a"}')?.filter(([t]) => t >= FROM && t <= TO)).toEqual(
      [],
    );
    expect(after.get('{__name__="up", job="b"}')).toHaveLength(2 * 480);
  });

  it('replaces a block whose every series is deleted by nothing', async () => {
    await twoWindows('acme');
    await putDeletionRequest(
      bucket,
      newDeletionRequest({
        tenant: 'acme',
        selectors: ['up'],
        minTime: T0,
        maxTime: T0 + 2 * H - 1,
        requestedBy: 'platform-admin',
        nowMs: T0 + 5 * H,
      }),
    );
    settings = { ...settings, downsample: { ...settings.downsample, enabled: false } };
    const r = await runTenantCycle(bucket, 'acme', settings, KEEP, { now: () => T0 + 5 * H });
    expect(r.rewrites.map((w) => [w.ulid, w.removedSamples])).toEqual([[null, 2 * 480]]);
    const listing = await listTenantBlocks(bucket, 'acme');
    expect(listing.blocks.map((b) => b.meta.minTime)).toEqual([T0 + 2 * H]);
    expect((await readableSamples(bucket, 'acme')).get('{__name__="up", job="a"}')).toHaveLength(
      480,
    );
  });

  it('leaves blocks alone when no sample matches, and is applied once heads are flushed', async () => {
    await twoWindows('acme');
    const request = newDeletionRequest({
      tenant: 'acme',
      selectors: ['up{job="nobody"}'],
      minTime: T0,
      maxTime: T0 + 4 * H,
      requestedBy: 'platform-admin',
      nowMs: T0 + 5 * H,
    });
    await putDeletionRequest(bucket, request);
    const before = (await listTenantBlocks(bucket, 'acme')).blocks.map((x) => x.ulid);
    const soon = await runTenantCycle(bucket, 'acme', settings, KEEP, { now: () => T0 + 5 * H });
    expect(soon.rewrites).toEqual([]);
    expect(soon.deletionsApplied).toEqual([]);
    const later = await runTenantCycle(bucket, 'acme', settings, KEEP, { now: () => T0 + 9 * H });
    expect(later.deletionsApplied).toEqual([request.id]);
    expect((await listTenantBlocks(bucket, 'acme')).blocks.map((x) => x.ulid)).toEqual(
      expect.arrayContaining(before),
    );
  });
});
