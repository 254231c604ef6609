// One compaction cycle of a tenant in its own process, so that its peak RSS is the compactor's
// alone: the compaction, then the 5 m downsampling of the compacted block. Prints one JSON line:
// each step's wall time, what it made, peak and starting RSS.
import { FilesystemBucket } from '@strata/objstore';
import { runTenantCycle } from '@strata/compactor';

const [bucketDir, workDir, tenant, rangesArg] = process.argv.slice(2);
const H = 3_600_000;

async function main(): Promise<void> {
  const bucket = new FilesystemBucket(bucketDir);
  const startRss = process.memoryUsage().rss;
  const started = process.hrtime.bigint();
  const r = await runTenantCycle(
    bucket,
    tenant,
    {
      ranges: rangesArg.split(',').map((h) => Number(h) * H),
      deleteDelayMs: H,
      partialUploadAgeMs: H,
      replicaLabels: new Set(),
      dedupFunc: 'one-of',
      workDir,
      // Every compacted block spans the longest range: it gets a 5 m block in the same cycle.
      downsample: {
        enabled: true,
        span5mMs: Number(rangesArg.split(',').pop()) * H,
        span1hMs: 10_000 * H,
      },
    },
    { rawSeconds: 0, fiveMinutesSeconds: 0, oneHourSeconds: 0 },
    // Long after the data, so every full window is compacted.
    { now: () => Date.now() + 365 * 24 * H },
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const downsampleSeconds = r.downsamplings.reduce((n, d) => n + d.seconds, 0);
  await bucket.close();
  process.stdout.write(
    `${JSON.stringify({
      seconds: seconds - downsampleSeconds,
      downsampleSeconds,
      downsamplings: r.downsamplings.length,
      compactions: r.compactions.map((c) => ({ level: c.level, sources: c.sources })),
      startRssMiB: startRss / 1048576,
      // ru_maxrss is in KiB on Linux.
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
    })}\n`,
  );
}

void main();
