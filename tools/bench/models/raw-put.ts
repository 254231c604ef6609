// The bench's limit for the large file, in a process of its own (as `cp` runs in its own): one
// bucket put of the file, timed from the first byte read, printed as JSON on stdout. Run by
// main.ts with `<file> <key>` and STRATA_BENCH_RAW_BUCKET (the bucket's options as JSON).
import { createReadStream } from 'node:fs';
import { FilesystemBucket, S3Bucket, type S3BucketOptions } from '@strata/objstore';

type RawBucket = { kind: 'fs'; root: string } | ({ kind: 's3' } & S3BucketOptions);

async function main(): Promise<void> {
  const [file, key] = process.argv.slice(2);
  const spec = JSON.parse(process.env.STRATA_BENCH_RAW_BUCKET ?? '{}') as RawBucket;
  const bucket = spec.kind === 'fs' ? new FilesystemBucket(spec.root) : new S3Bucket(spec);
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  await bucket.put(key, createReadStream(file, { highWaterMark: 1 << 20 }));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const { user, system } = process.cpuUsage(cpu);
  await bucket.close();
  console.log(JSON.stringify({ seconds, user: user / 1e6, system: system / 1e6 }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
