// Model registry throughput: push and pull of one large file and of many small files through the
// gateway, against the physical limits measured in the same run (cp of the same tree, the
// bucket's raw write speed). Usage (from the repo root):
//   node -r @swc-node/register tools/bench/models/main.ts [bigMiB=2048] [smallFiles=10000] [rounds=3]
// With STRATA_BENCH_BASELINE=<another checkout of this repo, node_modules included>, each round
// also pushes the large file with that checkout's CLI (to the same gateway), interleaved, so a
// change to the CLI is compared before/after under the same load. With STRATA_BENCH_BUCKET=s3 the
// bucket is S3 on s3rver (started here), where pushes go straight to S3 through presigned parts.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { startS3Server, type RunningS3Server } from '@strata/devstack';
import { startModelStack, type ModelStack } from '@strata/gateway/testing';
import { type Bucket, FilesystemBucket, S3Bucket } from '@strata/objstore';
import globalSetup from '../../jest/global-setup';
import globalTeardown from '../../jest/global-teardown';

const MiB = 1024 * 1024;
const root = join(__dirname, '../../..');

interface Timed {
  seconds: number;
  peakRssMiB: number;
  /** CPU seconds of the CLI process, its worker threads included. */
  cliCpu: Cpu;
  /** CPU seconds of this process meanwhile: the gateway, control plane and model-registry service. */
  gatewayCpu: Cpu;
  /** Seconds of this process's garbage collection meanwhile: scavenges and mark-compacts. */
  gatewayGc: { minor: number; major: number };
}

/** Garbage collection time of this process so far, by kind, in seconds. */
const gcSeconds = { minor: 0, major: 0 };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const kind = (entry as unknown as { detail?: { kind?: number } }).detail?.kind;
    if (kind === constants.NODE_PERFORMANCE_GC_MINOR) gcSeconds.minor += entry.duration / 1000;
    else gcSeconds.major += entry.duration / 1000;
  }
}).observe({ entryTypes: ['gc'] });

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** CPU seconds in user space and in the kernel (system calls, page-cache copies, fsync). */
interface Cpu {
  user: number;
  system: number;
}

/** CPU seconds of this process's children that have exited and been waited for (cutime, cstime). */
function reapedChildrenCpu(): Cpu {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  // After the command name: state is field 3, cutime field 16 and cstime field 17.
  return {
    user: Number(fields[13]) / TICKS_PER_SECOND,
    system: Number(fields[14]) / TICKS_PER_SECOND,
  };
}

function ownCpu(): Cpu {
  const { user, system } = process.cpuUsage();
  return { user: user / 1e6, system: system / 1e6 };
}

function cpuSince(before: Cpu, now: Cpu): Cpu {
  return { user: now.user - before.user, system: now.system - before.system };
}

function medianCpu(values: Cpu[]): Cpu {
  return { user: median(values.map((c) => c.user)), system: median(values.map((c) => c.system)) };
}

/** Runs the strata CLI (of the checkout at `from`) as a user would, sampling its resident memory. */
function cli(stack: ModelStack, key: string, args: string[], from = root): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const childrenBefore = reapedChildrenCpu();
    const ownBefore = ownCpu();
    const gcBefore = { ...gcSeconds };
    // Lines up this run with a profile or `--trace-gc` of this process (milliseconds since start).
    if (process.env.STRATA_BENCH_STEPS)
      console.log(`${performance.now().toFixed(0)} ms: ${args.join(' ')}`);
    const profile = process.env.STRATA_BENCH_CLI_PROFILE;
    const child = spawn(
      process.execPath,
      [
        ...(profile ? ['--cpu-prof', '--cpu-prof-dir', profile] : []),
        '-r',
        '@swc-node/register',
        join(from, 'apps/cli/src/main.ts'),
        ...args,
      ],
      {
        cwd: from,
        env: {
          ...process.env,
          STRATA_URL: stack.url,
          STRATA_TOKEN: key,
          SWC_NODE_PROJECT: join(from, 'tsconfig.json'),
        },
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    let peak = 0;
    const sampler = setInterval(() => {
      try {
        const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (kb) peak = Math.max(peak, Number(kb[1]) / 1024);
      } catch {
        // The child has exited between samples.
      }
    }, 100);
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('close', (code) => {
      clearInterval(sampler);
      if (process.env.STRATA_BENCH_STEPS) console.log(`${performance.now().toFixed(0)} ms: done`);
      if (code !== 0) reject(new Error(`strata ${args.join(' ')} exited ${code}: ${out}`));
      else
        resolve({
          seconds: Number(process.hrtime.bigint() - started) / 1e9,
          peakRssMiB: peak,
          cliCpu: cpuSince(childrenBefore, reapedChildrenCpu()),
          gatewayCpu: cpuSince(ownBefore, ownCpu()),
          gatewayGc: {
            minor: gcSeconds.minor - gcBefore.minor,
            major: gcSeconds.major - gcBefore.major,
          },
        });
    });
  });
}

/**
 * Drops from the page cache every file below the directories (POSIX_FADV_DONTNEED, through
 * Python's os.posix_fadvise: Node has no fadvise). Only the bench's own files: the CLI's code
 * stays cached, as it would for a user, and other work on the machine keeps its cache.
 */
const EVICT = `
import os, sys
for top in sys.argv[1:]:
    for d, _, files in os.walk(top):
        for f in files:
            try:
                fd = os.open(os.path.join(d, f), os.O_RDONLY)
            except OSError:
                continue
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)
`;

/** False once dropping files from the page cache failed (no python3): the bench goes on warm. */
let evicts = true;

/** The directories whose files every timed step reads cold (set once the bench's tree exists). */
const coldDirs: string[] = [];

/**
 * Writes every dirty page of the machine back before a measurement starts, so no step pays for
 * the write-back of an earlier one (a raw put right after `cp` of 2 GiB took 1.2–16 s), then
 * drops the bench's files from the page cache, so every step (cp, raw put, push, pull) reads its
 * source cold from the disk: with a warm cache the rounds moved with what earlier ones had left
 * cached.
 */
function settle(): void {
  execFileSync('sync');
  if (coldDirs.length === 0 || !evicts) return;
  try {
    execFileSync('python3', ['-c', EVICT, ...coldDirs]);
  } catch (error) {
    evicts = false;
    console.log(
      `cannot drop the bench's files from the page cache (${String(error)}): reads may be warm`,
    );
  }
}

/**
 * `cp -r` of the tree, then an fsync of every file it wrote (`sync FILE...`), counted in its
 * time: a push answers only once its bytes are on the disk, so the copy it is compared with does
 * the same (without the fsync, `cp` measured the page cache and whatever write-back was under way).
 */
function copyDurably(from: string, to: string): void {
  execFileSync('cp', ['-r', from, to]);
  execFileSync('sync', filesUnder(to));
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath ?? e.path, e.name));
}

/**
 * The disk's own speed for the file, outside the page cache: `dd` with O_DIRECT reads and writes
 * of 4 MiB and an fsync at the end. Shown beside the limit, not part of it.
 */
function ddDirect(from: string, to: string): void {
  execFileSync('dd', [
    `if=${from}`,
    `of=${to}`,
    'bs=4M',
    'iflag=direct',
    'oflag=direct',
    'conv=fsync',
    'status=none',
  ]);
}

/**
 * The bucket's own write speed: one put of the file in a process of its own (tools/bench/models/
 * raw-put.ts), timed there from the first read, so neither Node's start nor this process's heap
 * (the gateway's: garbage collection of its read buffers took mark-compacts of that heap) counts.
 */
async function rawPut(
  bucket: Record<string, unknown>,
  file: string,
  key: string,
): Promise<{ seconds: number } & Cpu> {
  // Asynchronously: the stack in this process keeps its heartbeats meanwhile.
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['-r', '@swc-node/register', join(__dirname, 'raw-put.ts'), file, key],
    { cwd: root, env: { ...process.env, STRATA_BENCH_RAW_BUCKET: JSON.stringify(bucket) } },
  );
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { seconds: number } & Cpu;
}

/** CPU seconds per GiB moved: total (user + system). */
function cpuPerGiB(cpu: Cpu, bytes: number): string {
  const gib = bytes / (1024 * MiB);
  return `${((cpu.user + cpu.system) / gib).toFixed(2)} (${(cpu.user / gib).toFixed(2)} + ${(cpu.system / gib).toFixed(2)})`;
}

async function timed(work: () => Promise<unknown> | unknown): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function medianRun(runs: Timed[]): Timed {
  return {
    seconds: median(runs.map((r) => r.seconds)),
    peakRssMiB: Math.max(...runs.map((r) => r.peakRssMiB)),
    cliCpu: medianCpu(runs.map((r) => r.cliCpu)),
    gatewayCpu: medianCpu(runs.map((r) => r.gatewayCpu)),
    gatewayGc: {
      minor: median(runs.map((r) => r.gatewayGc.minor)),
      major: median(runs.map((r) => r.gatewayGc.major)),
    },
  };
}

function fmt(values: number[]): string {
  return values.map((v) => v.toFixed(1)).join(' / ');
}

async function writeRandomFile(path: string, bytes: number): Promise<void> {
  const handle = await open(path, 'w');
  const block = randomBytes(8 * MiB);
  // Each block differs in its first bytes, so no two parts of the file share a digest.
  for (let at = 0; at < bytes; at += block.length) {
    block.writeUInt32BE(at / block.length, 0);
    await handle.write(block, 0, Math.min(block.length, bytes - at));
  }
  await handle.close();
}

function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

async function main(): Promise<void> {
  console.log(`load average at start: ${loadAverage()}`);
  const bigMiB = Number(process.argv[2] ?? 2048);
  const smallFiles = Number(process.argv[3] ?? 10_000);
  const rounds = Number(process.argv[4] ?? 3);
  await globalSetup();
  const work = await mkdtemp(join(root, '.strata', 'bench-models-'));
  const s3 = process.env.STRATA_BENCH_BUCKET === 's3';
  let server: RunningS3Server | null = null;
  let bucket: Bucket;
  // The raw put's process opens the same bucket from these options.
  let rawBucket: Record<string, unknown>;
  if (s3) {
    server = await startS3Server({ dataDir: join(work, 's3rver') });
    const options = {
      endpoint: server.endpoint,
      region: server.region,
      forcePathStyle: true,
      credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    };
    const admin = new S3Client(options);
    await admin.send(new CreateBucketCommand({ Bucket: 'models' }));
    admin.destroy();
    bucket = new S3Bucket({ bucket: 'models', prefix: 'strata', ...options });
    rawBucket = { kind: 's3', bucket: 'models', prefix: 'strata', ...options };
  } else {
    bucket = new FilesystemBucket(join(work, 'bucket'));
    rawBucket = { kind: 'fs', root: join(work, 'bucket') };
  }
  console.log(`bucket: ${bucket.name}${s3 ? ' (s3rver)' : ''}`);
  // The CLI's digest index lives here; each round's first push starts without it.
  const cache = join(work, 'cache');
  process.env.XDG_CACHE_HOME = cache;
  const stack = await startModelStack({ bucket });
  const gatewayPeak = { rss: 0 };
  const gatewaySampler = setInterval(
    () => (gatewayPeak.rss = Math.max(gatewayPeak.rss, process.memoryUsage.rss() / MiB)),
    100,
  );
  try {
    const key = await stack.createTenant('bench');
    const big = join(work, 'big');
    const small = join(work, 'small');
    await mkdir(big);
    await mkdir(join(small, 'data'), { recursive: true });
    await writeRandomFile(join(big, 'weights.bin'), bigMiB * MiB);
    let smallBytes = 0;
    for (let i = 0; i < smallFiles; i++) {
      const dir = join(small, 'data', `shard-${i % 100}`);
      if (i < 100) await mkdir(dir);
      const bytes = randomBytes(1024 + (i % 4096));
      smallBytes += bytes.length;
      await writeFile(join(dir, `item-${i}.bin`), bytes);
    }
    for (const dir of [big, small]) await cli(stack, key, ['models', 'init', dir]);
    coldDirs.push(work);
    // Before each timed step what earlier steps left dirty is written back and the page cache is
    // dropped (settle): cp, the raw put, push and pull all read their source cold.

    const rows: string[] = [];
    // CPU per GiB moved, of the CLI and of the gateway's process: stable when the load is not.
    // `limit` is the slower of cp and the raw put; `raw` the raw put alone (large file only).
    const report = (what: string, bytes: number, run: Timed, limit: number, raw?: number) => {
      const perGiB = (cpu: number) => (cpu / (bytes / (1024 * MiB))).toFixed(2);
      const speed = bytes / MiB / run.seconds;
      rows.push(
        `| ${what} | ${(bytes / MiB).toFixed(0)} | ${run.seconds.toFixed(2)} | ${speed.toFixed(1)} | ${(speed / limit).toFixed(2)}× | ${raw ? `${(speed / raw).toFixed(2)}×` : ''} | ${run.peakRssMiB.toFixed(0)} | ${cpuPerGiB(run.cliCpu, bytes)} | ${cpuPerGiB(run.gatewayCpu, bytes)} | ${perGiB(run.gatewayGc.minor)} / ${perGiB(run.gatewayGc.major)} |`,
      );
    };

    const idle = await cli(stack, key, ['models', 'list']);
    // The machine is shared: each measurement of the large file runs `rounds` times, interleaved
    // (cp, raw put, push, pull, cp, ...), each push into a fresh tenant so it moves every byte,
    // and the medians are compared.
    const cps: number[] = [];
    const dds: number[] = [];
    const raws: number[] = [];
    const rawCpus: Cpu[] = [];
    const pushes: Timed[] = [];
    const pulls: Timed[] = [];
    const cachedPushes: Timed[] = [];
    const baseline = process.env.STRATA_BENCH_BASELINE;
    const baselinePushes: Timed[] = [];
    const baselinePulls: Timed[] = [];
    for (let round = 0; round < rounds; round++) {
      const pushBaseline = async () => {
        if (!baseline) return;
        const baselineKey = await stack.createTenant(`bench-baseline-${round}`);
        settle();
        baselinePushes.push(
          await cli(stack, baselineKey, ['models', 'push', 'bench/big@v1', big], baseline),
        );
        const into = join(work, 'pulled-baseline');
        settle();
        baselinePulls.push(
          await cli(stack, baselineKey, ['models', 'pull', 'bench/big@v1', into], baseline),
        );
        await rm(into, { recursive: true });
      };
      // The baseline goes first in even rounds and right after the push in odd ones, so neither
      // CLI always follows the same disk work.
      if (round % 2 === 0) await pushBaseline();
      const tenantKey = round === 0 ? key : await stack.createTenant(`bench-${round}`);
      settle();
      cps.push(await timed(() => copyDurably(big, join(work, 'cp-big'))));
      settle();
      dds.push(await timed(() => ddDirect(join(big, 'weights.bin'), join(work, 'dd-big'))));
      await rm(join(work, 'dd-big'));
      settle();
      const raw = await rawPut(rawBucket, join(big, 'weights.bin'), `raw/${round}/weights.bin`);
      raws.push(raw.seconds);
      rawCpus.push(raw);
      await rm(cache, { recursive: true, force: true });
      settle();
      pushes.push(await cli(stack, tenantKey, ['models', 'push', 'bench/big@v1', big]));
      // A fresh tenant again, so every byte moves; the digests come from the index this time.
      settle();
      cachedPushes.push(
        await cli(stack, await stack.createTenant(`bench-cached-${round}`), [
          'models',
          'push',
          'bench/big@v1',
          big,
        ]),
      );
      if (round % 2 === 1) await pushBaseline();
      settle();
      pulls.push(
        await cli(stack, tenantKey, ['models', 'pull', 'bench/big@v1', join(work, 'pulled-big')]),
      );
      await rm(join(work, 'cp-big'), { recursive: true });
      await rm(join(work, 'pulled-big'), { recursive: true });
      await bucket.delete(`raw/${round}/weights.bin`);
    }
    const cpBig = median(cps);
    const rawBig = median(raws);
    const limitBig = bigMiB / Math.max(cpBig, rawBig);
    const rawSpeed = bigMiB / rawBig;
    const pushBig = medianRun(pushes);
    const pullBig = medianRun(pulls);
    settle();
    const repushBig = await cli(stack, key, ['models', 'push', 'bench/big@v2', big]);
    console.log(
      `rounds (s): cp ${fmt(cps)}; dd direct ${fmt(dds)}; raw put ${fmt(raws)}; push ${fmt(pushes.map((p) => p.seconds))}; push, digests indexed ${fmt(cachedPushes.map((p) => p.seconds))}; pull ${fmt(pulls.map((p) => p.seconds))}` +
        (baseline
          ? `; baseline push ${fmt(baselinePushes.map((p) => p.seconds))}; baseline pull ${fmt(baselinePulls.map((p) => p.seconds))}`
          : ''),
    );
    console.log(`load average after the large file: ${loadAverage()}`);

    settle();
    const cpSmall = await timed(() => copyDurably(small, join(work, 'cp-small')));
    const limitSmall = smallBytes / MiB / cpSmall;
    settle();
    const pushSmall = await cli(stack, key, ['models', 'push', 'bench/small@v1', small]);
    settle();
    const pullSmall = await cli(stack, key, [
      'models',
      'pull',
      'bench/small@v1',
      join(work, 'pulled-small'),
    ]);

    const bigBytes = bigMiB * MiB;
    const ddBig = median(dds);
    rows.push(
      `| cp -r + fsync (large file, median) | ${bigMiB} | ${cpBig.toFixed(2)} | ${(bigMiB / cpBig).toFixed(1)} | | | | | | |`,
    );
    rows.push(
      `| raw bucket put (large file, median) | ${bigMiB} | ${rawBig.toFixed(2)} | ${rawSpeed.toFixed(1)} | | | | | ${cpuPerGiB(medianCpu(rawCpus), bigMiB * MiB)} | |`,
    );
    rows.push(
      `| dd O_DIRECT + fsync, not in the limit (median) | ${bigMiB} | ${ddBig.toFixed(2)} | ${(bigMiB / ddBig).toFixed(1)} | | | | | | |`,
    );
    report('push large file, hashing it (median)', bigBytes, pushBig, limitBig, rawSpeed);
    report(
      'push large file, digests from the index (median)',
      bigBytes,
      medianRun(cachedPushes),
      limitBig,
      rawSpeed,
    );
    if (baseline) {
      const before = medianRun(baselinePushes);
      report('push large file, baseline CLI (median)', bigBytes, before, limitBig, rawSpeed);
      report(
        'pull large file, baseline CLI (median)',
        bigBytes,
        medianRun(baselinePulls),
        limitBig,
        rawSpeed,
      );
    }
    report('pull large file (median)', bigBytes, pullBig, limitBig, rawSpeed);
    report('push again, unchanged (HEAD only)', bigBytes, repushBig, limitBig, rawSpeed);
    rows.push(
      `| cp -r (${smallFiles} small files) | ${(smallBytes / MiB).toFixed(0)} | ${cpSmall.toFixed(2)} | ${limitSmall.toFixed(1)} | | | | | | |`,
    );
    report(`push ${smallFiles} small files`, smallBytes, pushSmall, limitSmall);
    report(`pull ${smallFiles} small files`, smallBytes, pullSmall, limitSmall);
    console.log(
      `| run | MiB | s | MiB/s | of limit | of raw put | CLI peak RSS MiB | CLI CPU s/GiB (user + sys) | gateway (raw put: its process) CPU s/GiB (user + sys) | gateway GC s/GiB (scavenge / mark) |`,
    );
    console.log(`| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |`);
    for (const row of rows) console.log(row);
    console.log(
      `\nCLI peak RSS of its start alone (models list): ${idle.peakRssMiB.toFixed(0)} MiB`,
    );
    console.log(
      `gateway process (in this bench process) peak RSS: ${gatewayPeak.rss.toFixed(0)} MiB`,
    );
    console.log(
      `limit for the large file: the slower of cp + fsync and the raw bucket put (${limitBig.toFixed(1)} MiB/s)${evicts ? "; the bench's files dropped from the page cache before every timed step (cold reads)" : ''}`,
    );
    console.log(`load average at the end: ${loadAverage()}`);
  } finally {
    clearInterval(gatewaySampler);
    await stack.close();
    await bucket.close();
    await server?.process.stop();
    await rm(work, { recursive: true, force: true });
    await globalTeardown();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
