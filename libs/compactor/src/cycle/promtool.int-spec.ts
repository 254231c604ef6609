// Against Debian's real promtool (installed by the test command): compacted blocks are Prometheus
// blocks that promtool opens, analyzes and dumps with the samples of their sources.
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { listTenantBlocks } from '@strata/blocks';
import { FilesystemBucket } from '@strata/objstore';
import { putFixtureBlock, readableSamples, samplesEvery } from '../../test/block-fixture';
import { runTenantCycle } from './tenant-cycle';

jest.setTimeout(120_000);
const run = promisify(execFile);
const H = 3_600_000;
const T0 = 1_209_600_000 * 1405;

it('promtool tsdb analyze and dump open a compacted raw block', async () => {
  const root = await mkdtemp(join(tmpdir(), 'strata-compact-promtool-'));
  const bucket = new FilesystemBucket(join(root, 'bucket'));
  try {
    for (let w = 0; w < 4; w++)
      for (const p of [0, 1]) {
        const from = T0 + w * 2 * H;
        await putFixtureBlock(bucket, 'acme', from, from + 2 * H, [
          {
            labels: { __name__: 'up', job: `p${p}` },
            samples: samplesEvery(from, from + 2 * H, 15_000),
          },
          {
            labels: { __name__: 'load', instance: `i${p}`, job: 'node' },
            samples: samplesEvery(from, from + 2 * H, 60_000, (t) => Math.sin(t)),
          },
        ]);
      }
    const r = await runTenantCycle(
      bucket,
      'acme',
      {
        ranges: [2 * H, 8 * H, 48 * H],
        deleteDelayMs: H,
        partialUploadAgeMs: H,
        replicaLabels: new Set(),
        dedupFunc: 'one-of',
        workDir: join(root, 'work'),
        downsample: { enabled: false, span5mMs: 40 * H, span1hMs: 240 * H },
      },
      { rawSeconds: 0, fiveMinutesSeconds: 0, oneHourSeconds: 0 },
      { now: () => T0 + 9 * H },
    );
    expect(r.compactions.at(-1)?.level).toBe(3);
    const [block] = (await listTenantBlocks(bucket, 'acme')).blocks;
    expect(block.meta.maxTime - block.meta.minTime).toBe(8 * H);

    const db = join(root, 'db');
    await mkdir(join(db, 'wal'), { recursive: true });
    await cp(join(root, 'bucket', 'acme', block.ulid), join(db, block.ulid), { recursive: true });
    const analyze = await run('promtool', ['tsdb', 'analyze', db, block.ulid], {
      maxBuffer: 1 << 26,
    });
    expect(analyze.stdout).toContain(`Block ID: ${block.ulid}`);
    expect(analyze.stdout).toContain('Series: 4');
    const dump = await run('promtool', ['tsdb', 'dump', db], { maxBuffer: 1 << 28 });
    const lines = dump.stdout.trim().split('\n');
    const expected = [...(await readableSamples(bucket, 'acme')).values()].reduce(
      (n, s) => n + s.length,
      0,
    );
    expect(lines).toHaveLength(expected);
    expect(expected).toBe(4 * 2 * (480 + 120));
  } finally {
    await bucket.close();
    await rm(root, { recursive: true, force: true });
  }
});
