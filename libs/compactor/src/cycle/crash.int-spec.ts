import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listTenantBlocks } from '@strata/blocks';
import { FilesystemBucket } from '@strata/objstore';
import { putFixtureBlock, readableSamples, samplesEvery } from '../../test/block-fixture';
import { runTenantCycle } from './tenant-cycle';

jest.setTimeout(120_000);
const H = 3_600_000;
const T0 = 1_209_600_000 * 1405;
const KEEP = { rawSeconds: 0, fiveMinutesSeconds: 0, oneHourSeconds: 0 };
const settings = (root: string) => ({
  ranges: [2 * H, 8 * H, 2 * 24 * H, 14 * 24 * H],
  deleteDelayMs: H,
  partialUploadAgeMs: H,
  replicaLabels: new Set<string>(),
  dedupFunc: 'one-of' as const,
  workDir: join(root, 'work'),
  downsample: { enabled: false, span5mMs: 40 * H, span1hMs: 240 * H },
});

describe.each(['written', 'uploaded', 'marked'])('kill -9 of the compactor after %s', (step) => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'strata-crash-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('leaves the readable samples unchanged, and a restart converges without doubles', async () => {
    const bucket = new FilesystemBucket(join(root, 'bucket'));
    for (const p of [0, 1])
      await putFixtureBlock(bucket, 'acme', T0, T0 + 2 * H, [
        { labels: { __name__: 'up', job: `p${p}` }, samples: samplesEvery(T0, T0 + 2 * H, 15_000) },
        {
          labels: { __name__: 'up', job: 'both' },
          samples: samplesEvery(T0 + p * 1000, T0 + 2 * H, 30_000),
        },
      ]);
    const before = await readableSamples(bucket, 'acme');
    const now = T0 + 3 * H;
    const child = spawnSync(
      process.execPath,
      [
        '-r',
        '@swc-node/register',
        join(__dirname, '../../test/crash-child.ts'),
        join(root, 'bucket'),
        join(root, 'work'),
        'acme',
        step,
        String(now),
      ],
      { cwd: join(__dirname, '../../../..'), encoding: 'utf8' },
    );
    expect(child.signal).toBe('SIGKILL');
    expect(await readableSamples(bucket, 'acme')).toEqual(before);

    // Restart: the cycle finishes the job (or finds it done), and later removes what is left.
    const first = await runTenantCycle(bucket, 'acme', settings(root), KEEP, { now: () => now });
    expect(first.halted).toBeUndefined();
    expect(await readableSamples(bucket, 'acme')).toEqual(before);
    const later = now + 2 * H;
    await runTenantCycle(bucket, 'acme', settings(root), KEEP, { now: () => later });
    const listing = await listTenantBlocks(bucket, 'acme', { readMarked: true });
    expect(listing.blocks).toHaveLength(1);
    expect(listing.blocks[0].meta.compaction.sources).toHaveLength(2);
    expect(listing.marked).toEqual([]);
    // No folder is left behind: only the one block, whatever the crash left.
    expect(await readdir(join(root, 'bucket', 'acme'))).toEqual([listing.blocks[0].ulid]);
    expect(await readableSamples(bucket, 'acme')).toEqual(before);
    await bucket.close();
  });
});
