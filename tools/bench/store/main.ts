// Memory of a store gateway against the number of blocks in the bucket. Run:
//   node -r @swc-node/register tools/bench/store/main.ts [blocks=100,1000] [tenants=10] [series=10]
// For each count, writes that many small blocks (2 h, one sample a minute per series) spread over
// the tenants into a filesystem bucket, starts the store as the platform does
// (`apps/strata --target=store`, its own NATS identity, a real nats-server), and reads its RSS
// (/proc/<pid>/status) once it answers (every block listed, none opened), then after a Select of
// every series of every tenant over all time (every block opened, at most 256 kept open).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectBus } from '@strata/bus';
import { type StoreRequest, type StoreSelectResponse, Subjects } from '@strata/contracts';
import { NATS_DEV_ADMIN, freePort, startNatsServer } from '@strata/devstack';
import { compareLabelsUtf8, encodeXorChunks, labelsFrom, writeBlock } from '@strata/tsdb';

const counts = (process.argv[2] ?? '100,1000').split(',').map(Number);
const tenants = Number(process.argv[3] ?? 10);
const seriesPerBlock = Number(process.argv[4] ?? 10);
const ROOT = join(__dirname, '../../..');
const MIN = 60_000;
const BLOCK = 2 * 3_600_000;
const T0 = Math.floor(1_717_200_000_000 / BLOCK) * BLOCK;

const rssMiB = (pid: number) => {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line?.split(/\s+/)[1] ?? 0) / 1024;
};

async function writeBlocks(bucketDir: string, n: number): Promise<number> {
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const tenant = `tenant-${i % tenants}`;
    const from = T0 + Math.floor(i / tenants) * BLOCK;
    const ts = Array.from({ length: BLOCK / MIN }, (_, k) => from + k * MIN);
    const series = Array.from({ length: seriesPerBlock }, (_, s) => ({
      labels: labelsFrom({ __name__: 'bench_metric', instance: `host-${s}`, job: 'bench' }),
      chunks: encodeXorChunks(
        ts,
        ts.map((_, k) => k * (s + 1)),
      ),
    })).sort((a, b) => compareLabelsUtf8(a.labels, b.labels));
    // The filesystem bucket maps keys to paths: a block written under <root>/<tenant> is in it.
    const written = await writeBlock({
      parentDir: join(bucketDir, tenant),
      series,
      tenant,
      minTime: from,
      maxTime: from + BLOCK,
    });
    bytes += (written.meta.thanos?.files ?? []).reduce((s, f) => s + (f.size_bytes ?? 0), 0);
  }
  return bytes;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'strata-bench-store-'));
  const nats = await startNatsServer({ dataDir: join(dir, 'nats') });
  const bus = await connectBus({
    url: nats.url,
    name: 'bench-store',
    ...nats.login(NATS_DEV_ADMIN),
  });
  const rows: string[] = [];
  try {
    for (const n of counts) {
      const bucketDir = join(dir, `bucket-${n}`);
      const bytes = await writeBlocks(bucketDir, n);
      const child = spawn(
        process.execPath,
        ['-r', '@swc-node/register', 'apps/strata/src/main.ts', '--target=store'],
        {
          cwd: ROOT,
          env: {
            ...process.env,
            SWC_NODE_PROJECT: 'tsconfig.json',
            NATS_URL: nats.url,
            NATS_CREDENTIALS_DIR: nats.credentialsDir,
            STRATA_DATA_DIR: join(dir, `data-${n}`),
            STRATA_BUCKET_URL: bucketDir,
            HEALTH_PORT: String(await freePort()),
            LOG_LEVEL: 'warn',
          },
          stdio: ['ignore', 'inherit', 'inherit'],
        },
      );
      const ask = (request: StoreRequest) =>
        bus.request<StoreRequest, StoreSelectResponse>(Subjects.storeQuery('store', 0), request, {
          timeoutMs: 120_000,
        });
      const started = Date.now();
      for (;;) {
        try {
          await ask({ type: 'LabelNames', tenantId: 'tenant-0', matchers: [], start: 0, end: 1 });
          break;
        } catch {
          if (Date.now() - started > 300_000) throw new Error('store not answering');
          await new Promise((r) => setTimeout(r, 200));
        }
      }
      const readyS = (Date.now() - started) / 1000;
      await new Promise((r) => setTimeout(r, 2_000));
      const listed = rssMiB(child.pid as number);
      const q0 = Date.now();
      let samples = 0;
      for (let t = 0; t < tenants; t++) {
        let cursor: string | null = null;
        do {
          const page: StoreSelectResponse = await ask({
            type: 'Select',
            tenantId: `tenant-${t}`,
            matchers: [{ type: '=', name: '__name__', value: 'bench_metric' }],
            start: 0,
            end: Number.MAX_SAFE_INTEGER,
            cursor,
            maxSamples: 100_000,
          });
          for (const s of page.series) samples += Buffer.from(s.t, 'base64').length / 8;
          cursor = page.nextCursor;
        } while (cursor !== null);
      }
      const queryS = (Date.now() - q0) / 1000;
      const queried = rssMiB(child.pid as number);
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await gone;
      rows.push(
        `| ${n} | ${(bytes / 1024 / 1024).toFixed(1)} | ${readyS.toFixed(1)} | ${listed.toFixed(0)} | ${queried.toFixed(0)} | ${samples} | ${queryS.toFixed(1)} |`,
      );
      rmSync(bucketDir, { recursive: true, force: true });
    }
  } finally {
    await bus.drain();
    await nats.process.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(
    [
      `store gateway, ${tenants} tenants, ${seriesPerBlock} series × 120 samples per block`,
      '| blocks | bucket MiB | start to first answer s | RSS MiB listed | RSS MiB after reading all | samples read | read s |',
      '| --- | --- | --- | --- | --- | --- | --- |',
      ...rows,
      '',
    ].join('\n'),
  );
}

void main().catch((e: unknown) => {
  process.stderr.write(`${String(e)}\n`);
  process.exit(1);
});
