// Runs one compaction cycle and SIGKILLs itself right after the named step: the crash tests'
// stand-in for `kill -9` of a compactor at that point.
import { FilesystemBucket } from '@strata/objstore';
import { runTenantCycle } from '../src/cycle/tenant-cycle';

const [bucketRoot, workDir, tenant, step, now] = process.argv.slice(2);
const H = 3_600_000;

void runTenantCycle(
  new FilesystemBucket(bucketRoot),
  tenant,
  {
    ranges: [2 * H, 8 * H, 2 * 24 * H, 14 * 24 * H],
    deleteDelayMs: H,
    partialUploadAgeMs: H,
    replicaLabels: new Set(),
    dedupFunc: 'one-of',
    workDir,
    downsample: { enabled: false, span5mMs: 40 * H, span1hMs: 240 * H },
  },
  { rawSeconds: 0, fiveMinutesSeconds: 0, oneHourSeconds: 0 },
  {
    now: () => Number(now),
    afterStep: (s) => {
      if (s === step) process.kill(process.pid, 'SIGKILL');
    },
  },
).then(() => process.exit(3));
