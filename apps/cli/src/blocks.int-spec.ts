// `strata blocks ...` run as a user runs it (`node tools/platform/cli.mjs`, what `npm run strata`
// runs), against blocks Debian's real promtool creates, into a filesystem bucket and into S3 on
// s3rver.
import { execFile, spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, unlink, writeFile } from 'node:fs/promises';
import {
  type IncomingMessage,
  type Server,
  type ServerResponse,
  createServer,
  request,
} from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type RunningS3Server, startS3Server } from '@strata/devstack';
import { type Bucket, FilesystemBucket, S3Bucket } from '@strata/objstore';
import {
  type BlockMeta,
  FsBlockFiles,
  encodeXorChunks,
  labelsFrom,
  labelsToString,
  openBlock,
  parseBlockMeta,
  writeBlock,
} from '@strata/tsdb';

jest.setTimeout(240_000);
const run = promisify(execFile);
const root = join(__dirname, '../../..');
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function strata(args: string[], env: Record<string, string>): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(root, 'tools/platform/cli.mjs'), ...args],
      { cwd: root, env: { ...process.env, ...env }, maxBuffer: 1 << 24 },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

type Samples = Map<string, Array<[number, number]>>;

/** Seven days of OpenMetrics, a sample every 5 minutes for three series, and what it holds. */
function openMetrics(
  startSeconds: number,
  days: number,
  metric = 'http_requests_total',
): { text: string; samples: Samples } {
  const samples: Samples = new Map();
  const lines: string[] = [`# TYPE ${metric} counter`];
  const steps = (days * 86_400) / 300;
  for (const code of ['200', '500']) {
    const key = labelsToString(labelsFrom({ __name__: metric, code, job: 'api' }));
    const list: Array<[number, number]> = [];
    for (let i = 0; i < steps; i++) {
      const t = startSeconds + i * 300;
      const v = code === '200' ? i * 7 : Math.floor(i / 3);
      lines.push(`${metric}{code="${code}",job="api"} ${v} ${t}`);
      list.push([t * 1000, v]);
    }
    samples.set(key, list);
  }
  lines.push('# TYPE room_temperature_celsius gauge');
  const key = labelsToString(labelsFrom({ __name__: 'room_temperature_celsius', room: 'lab' }));
  const list: Array<[number, number]> = [];
  for (let i = 0; i < steps; i++) {
    const t = startSeconds + i * 300;
    const v = 18 + (i % 97) * 0.1;
    lines.push(`room_temperature_celsius{room="lab"} ${v} ${t}`);
    list.push([t * 1000, v]);
  }
  samples.set(key, list);
  lines.push('# EOF');
  return { text: `${lines.join('\n')}\n`, samples };
}

async function promtoolBlocks(dir: string, text: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'data.om'), text);
  await run('promtool', [
    'tsdb',
    'create-blocks-from',
    'openmetrics',
    '--max-block-duration=24h',
    join(dir, 'data.om'),
    join(dir, 'data'),
  ]);
  return (await readdir(join(dir, 'data'))).filter((d) => ULID.test(d)).sort();
}

/** Every sample of every series in the blocks, concatenated in block order. */
async function readSamples(blockDirs: string[]): Promise<Samples> {
  const out: Samples = new Map();
  for (const dir of blockDirs) {
    const reader = await openBlock(new FsBlockFiles(dir));
    try {
      for await (const s of reader.select([])) {
        const key = labelsToString(s.labels);
        const list = out.get(key) ?? [];
        const it = s.iterator();
        while (it.next()) list.push([it.t, it.v]);
        out.set(key, list);
      }
    } finally {
      await reader.close();
    }
  }
  return out;
}

async function allKeys(bucket: Bucket): Promise<string[]> {
  const out: string[] = [];
  for await (const k of bucket.list('', { recursive: true })) out.push(k);
  return out;
}

async function download(bucket: Bucket, prefix: string, dir: string): Promise<void> {
  for await (const key of bucket.list(prefix, { recursive: true })) {
    const file = join(dir, key.slice(prefix.length + 1));
    await mkdir(join(file, '..'), { recursive: true });
    const parts: Buffer[] = [];
    for await (const p of await bucket.get(key)) parts.push(p as Buffer);
    await writeFile(file, Buffer.concat(parts));
  }
}

let work: string;
let ulids: string[];
let expected: Samples;
const T0 = 1_717_200_000;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'strata-cli-blocks-'));
  const om = openMetrics(T0, 7);
  expected = om.samples;
  ulids = await promtoolBlocks(join(work, 'prom'), om.text);
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

function expectUploadedLayout(keys: string[], tenant: string, prefix = ''): void {
  expect(keys).toEqual(
    ulids.flatMap((u) =>
      ['chunks/000001', 'index', 'meta.json'].map((f) => `${prefix}${tenant}/${u}/${f}`),
    ),
  );
}

describe('strata blocks upload, ls and inspect on a filesystem bucket', () => {
  let env: Record<string, string>;
  let bucket: FilesystemBucket;
  beforeAll(() => {
    env = { STRATA_BUCKET_URL: join(work, 'fs-bucket') };
    bucket = new FilesystemBucket(env.STRATA_BUCKET_URL);
  });
  afterAll(() => bucket.close());

  it('uploads every block of a Prometheus data dir under the tenant, meta.json rewritten, samples intact', async () => {
    expect(ulids.length).toBeGreaterThanOrEqual(7);
    const up = await strata(
      ['blocks', 'upload', '--tenant', 'acme', join(work, 'prom/data'), '-o', 'json'],
      env,
    );
    expect(up).toMatchObject({ code: 0, stderr: '' });
    const outcomes = JSON.parse(up.stdout) as Array<{ ulid: string; outcome: string }>;
    expect(outcomes.map((o) => [o.ulid, o.outcome])).toEqual(ulids.map((u) => [u, 'uploaded']));

    expectUploadedLayout(await allKeys(bucket), 'acme');
    for (const u of ulids) {
      const source = parseBlockMeta(await readFile(join(work, 'prom/data', u, 'meta.json')));
      const stored = parseBlockMeta(
        await readFile(join(env.STRATA_BUCKET_URL, 'acme', u, 'meta.json')),
      );
      expect(stored).toMatchObject({
        ulid: u,
        minTime: source.minTime,
        maxTime: source.maxTime,
        stats: { numSeries: source.stats.numSeries, numSamples: source.stats.numSamples },
        thanos: { labels: { tenant_id: 'acme' }, source: 'upload', segment_files: ['000001'] },
      });
      // Index and chunks are stored byte for byte.
      for (const f of ['index', 'chunks/000001'])
        expect(
          (await readFile(join(env.STRATA_BUCKET_URL, 'acme', u, f))).equals(
            await readFile(join(work, 'prom/data', u, f)),
          ),
        ).toBe(true);
    }
    expect(await readSamples(ulids.map((u) => join(env.STRATA_BUCKET_URL, 'acme', u)))).toEqual(
      expected,
    );
  });

  it('lists and inspects the blocks as JSON and as a table', async () => {
    const ls = await strata(['blocks', 'ls', '--tenant', 'acme', '-o', 'json'], env);
    expect(ls.code).toBe(0);
    const metas = JSON.parse(ls.stdout) as BlockMeta[];
    expect(metas.map((m) => m.ulid)).toEqual(ulids);
    expect(metas.every((m) => m.thanos?.labels.tenant_id === 'acme')).toBe(true);
    expect(metas.reduce((n, m) => n + (m.stats.numSamples ?? 0), 0)).toBe(
      [...expected.values()].reduce((n, l) => n + l.length, 0),
    );

    const table = (await strata(['blocks', 'ls', '--tenant', 'acme'], env)).stdout
      .trim()
      .split('\n');
    expect(table[0]).toMatch(
      /^ULID\s+MIN TIME\s+MAX TIME\s+DURATION\s+SERIES\s+SAMPLES\s+CHUNKS\s+LEVEL\s+SOURCE$/,
    );
    expect(table.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(ulids);
    expect(table[1]).toContain(new Date(T0 * 1000).toISOString());
    expect(table[1]).toMatch(/\s3\s+\d+\s+\d+\s+1\s+upload$/);

    const inspect = await strata(
      ['blocks', 'inspect', '--tenant', 'acme', ulids[1], '-o', 'json'],
      env,
    );
    expect(inspect.code).toBe(0);
    expect(JSON.parse(inspect.stdout)).toMatchObject({
      meta: { ulid: ulids[1], thanos: { labels: { tenant_id: 'acme' } } },
      labels: [
        { name: '__name__', values: 2 },
        { name: 'code', values: 2 },
        { name: 'job', values: 1 },
        { name: 'room', values: 1 },
      ],
    });
    const text = (await strata(['blocks', 'inspect', '--tenant', 'acme', ulids[1]], env)).stdout;
    expect(text).toMatch(/external labels\s+tenant_id="acme"/);
    expect(text).toMatch(/LABEL NAME\s+VALUES\n__name__\s+2\ncode\s+2/);
    const other = await strata(['blocks', 'inspect', '--tenant', 'globex', ulids[1]], env);
    expect(other.code).toBe(3);
    expect(other.stderr).toMatch(/not_found: tenant globex has no block/);
    expect(
      (await strata(['blocks', 'ls', '--tenant', 'globex', '-o', 'json'], env)).stdout.trim(),
    ).toBe('[]');
  });

  it("marks a block with Thanos' no-compact-mark.json and removes the mark", async () => {
    const mark = join(env.STRATA_BUCKET_URL, 'acme', ulids[0], 'no-compact-mark.json');
    const put = await strata(
      ['blocks', 'mark', '--tenant', 'acme', '--no-compact', '--details', 'kept as is', ulids[0]],
      env,
    );
    expect(put.code).toBe(0);
    expect(JSON.parse(await readFile(mark, 'utf8'))).toMatchObject({
      id: ulids[0],
      version: 1,
      reason: 'manual',
      details: 'kept as is',
    });
    const removed = await strata(
      ['blocks', 'mark', '--tenant', 'acme', '--no-compact', '--remove', ulids[0]],
      env,
    );
    expect(removed.code).toBe(0);
    await expect(readFile(mark, 'utf8')).rejects.toThrow(/ENOENT/);
    const missing = await strata(
      ['blocks', 'mark', '--tenant', 'acme', '--no-compact', '01ARZ3NDEKTSV4RRFFQ69G5FAV'],
      env,
    );
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/not_found/);
  });

  it('skips blocks already stored, refuses an overlapping block unless --allow-overlap', async () => {
    const again = await strata(
      ['blocks', 'upload', '--tenant', 'acme', join(work, 'prom/data')],
      env,
    );
    expect(again.code).toBe(0);
    expect(again.stdout.match(/ skipped /g)).toHaveLength(ulids.length);

    // A day of other series over the second day: a new block overlapping the stored ones.
    const [overlapping] = await promtoolBlocks(
      join(work, 'overlap'),
      openMetrics(T0 + 86_400, 0.5, 'backfilled_total').text,
    );
    const dir = join(work, 'overlap/data', overlapping);
    const refused = await strata(['blocks', 'upload', '--tenant', 'acme', dir], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      new RegExp(
        `refused ${overlapping}: validation_failed/block_overlap: block ${overlapping} .* overlaps tenant acme's ${ulids[1]}`,
      ),
    );
    expect(await bucket.exists(`acme/${overlapping}/meta.json`)).toBe(false);

    const allowed = await strata(
      ['blocks', 'upload', '--tenant', 'acme', '--allow-overlap', dir],
      env,
    );
    expect(allowed.code).toBe(0);
    expect(await bucket.exists(`acme/${overlapping}/meta.json`)).toBe(true);
  });

  it('refuses a corrupted chunk and a block without meta.json, and uploads the rest of the data dir', async () => {
    const dir = join(work, 'damaged');
    await cp(join(work, 'prom/data'), dir, { recursive: true });
    const chunks = await readFile(join(dir, ulids[0], 'chunks/000001'));
    chunks[20] ^= 0x01;
    await writeFile(join(dir, ulids[0], 'chunks/000001'), chunks);
    await unlink(join(dir, ulids[1], 'meta.json'));

    const up = await strata(['blocks', 'upload', '--tenant', 'initech', dir], env);
    expect(up.code).toBe(1);
    expect(up.stderr).toMatch(
      new RegExp(
        `refused ${ulids[0]}: validation_failed/corrupt_block: block ${ulids[0]}: chunks/000001.*checksum mismatch`,
      ),
    );
    expect(up.stderr).toMatch(
      new RegExp(`refused ${ulids[1]}: validation_failed/missing_meta: .*no meta.json`),
    );
    const listed = JSON.parse(
      (await strata(['blocks', 'ls', '--tenant', 'initech', '-o', 'json'], env)).stdout,
    ) as BlockMeta[];
    expect(listed.map((m) => m.ulid)).toEqual(ulids.slice(2));
    expect(await bucket.exists(`initech/${ulids[0]}/index`)).toBe(false);
  });
});

/** A proxy in front of s3rver that holds the PUT of the object whose key ends with `suffix`. */
function holdingProxy(
  target: number,
  suffix: string,
): Promise<{ server: Server; url: string; held: Promise<void> }> {
  let onHeld!: () => void;
  const held = new Promise<void>((r) => (onHeld = r));
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'PUT' && path.endsWith(suffix)) {
      onHeld();
      return;
    }
    const upstream = request(
      { host: '127.0.0.1', port: target, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address() as { port: number };
      resolve({ server, url: `http://127.0.0.1:${address.port}`, held });
    }),
  );
}

describe('strata blocks upload into S3 on s3rver', () => {
  let s3: RunningS3Server;
  let env: Record<string, string>;
  let bucket: S3Bucket;
  beforeAll(async () => {
    s3 = await startS3Server({ dataDir: join(work, 's3rver'), buckets: ['strata-blocks'] });
    env = {
      STRATA_BUCKET_URL: 's3://strata-blocks/tsdb',
      AWS_ENDPOINT_URL: s3.endpoint,
      AWS_REGION: s3.region,
      AWS_ACCESS_KEY_ID: s3.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
      STRATA_S3_FORCE_PATH_STYLE: 'true',
    };
    bucket = new S3Bucket({
      bucket: 'strata-blocks',
      prefix: 'tsdb',
      endpoint: s3.endpoint,
      region: s3.region,
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    });
  });
  afterAll(async () => {
    await bucket?.close();
    await s3?.process.stop();
  });

  it('uploads the blocks, which read back as exactly the OpenMetrics samples', async () => {
    const up = await strata(['blocks', 'upload', '--tenant', 'acme', join(work, 'prom/data')], env);
    // stderr carries only the AWS SDK's notice about Node 22 here (see libs/objstore/README.md).
    expect(up.code).toBe(0);
    expect(up.stderr).not.toMatch(/refused|error/i);
    expectUploadedLayout(await allKeys(bucket), 'acme');
    const back = join(work, 's3-back');
    await download(bucket, 'acme', back);
    const meta = parseBlockMeta(await readFile(join(back, ulids[0], 'meta.json')));
    expect(meta.thanos).toMatchObject({ labels: { tenant_id: 'acme' }, source: 'upload' });
    expect(await readSamples(ulids.map((u) => join(back, u)))).toEqual(expected);
    const ls = JSON.parse(
      (await strata(['blocks', 'ls', '--tenant', 'acme', '-o', 'json'], env)).stdout,
    ) as BlockMeta[];
    expect(ls.map((m) => m.ulid)).toEqual(ulids);
  });

  it('leaves no visible block when the CLI is killed mid-upload, and a new upload completes it', async () => {
    const u = ulids[0];
    const proxy = await holdingProxy(s3.port, `/tsdb/globex/${u}/index`);
    const child = spawn(
      process.execPath,
      [
        join(root, 'tools/platform/cli.mjs'),
        'blocks',
        'upload',
        '--tenant',
        'globex',
        join(work, 'prom/data', u),
      ],
      {
        cwd: root,
        env: { ...process.env, ...env, AWS_ENDPOINT_URL: proxy.url },
        detached: true,
        stdio: 'ignore',
      },
    );
    const exited = new Promise<NodeJS.Signals | null>((r) =>
      child.on('exit', (_code, signal) => r(signal)),
    );
    await proxy.held;
    // The chunks are stored, the index is on the wire: kill the CLI and its node child at once.
    process.kill(-child.pid!, 'SIGKILL');
    expect(await exited).toBe('SIGKILL');
    proxy.server.closeAllConnections();
    proxy.server.close();

    expect(await bucket.exists(`globex/${u}/chunks/000001`)).toBe(true);
    expect(await bucket.exists(`globex/${u}/meta.json`)).toBe(false);
    expect(
      (await strata(['blocks', 'ls', '--tenant', 'globex', '-o', 'json'], env)).stdout.trim(),
    ).toBe('[]');

    const retry = await strata(
      ['blocks', 'upload', '--tenant', 'globex', join(work, 'prom/data', u)],
      env,
    );
    expect(retry.code).toBe(0);
    expect((await allKeys(bucket)).filter((k) => k.startsWith('globex/'))).toEqual(
      ['chunks/000001', 'index', 'meta.json'].map((f) => `globex/${u}/${f}`),
    );
  });
});

describe('strata blocks import-thanos', () => {
  it("copies a Thanos bucket's blocks into Strata's layout, the tenant taken from an external label", async () => {
    const thanosDir = join(work, 'thanos-bucket');
    const thanos = new FilesystemBucket(thanosDir);
    const H = 3_600_000;
    const written: Array<{ ulid: string; team?: string; series: string }> = [];
    const put = async (
      team: string | undefined,
      from: number,
      name: string,
      files = ['chunks/000001', 'index', 'meta.json'],
      downsampleResolution = 0,
    ) => {
      const ts = Array.from({ length: 120 }, (_, i) => from + i * 60_000);
      const labels = labelsFrom({ __name__: name, instance: 'host-1' });
      const block = await writeBlock({
        parentDir: join(work, 'thanos-src'),
        series: [
          {
            labels,
            chunks: encodeXorChunks(
              ts,
              ts.map((t) => t / 1000),
            ),
          },
        ],
        minTime: from,
        maxTime: from + 2 * H,
        externalLabels: team === undefined ? { cluster: 'eu' } : { team, cluster: 'eu' },
        source: 'sidecar',
        downsampleResolution,
      });
      for (const f of files)
        await thanos.put(`${block.meta.ulid}/${f}`, await readFile(join(block.dir, f)));
      written.push({ ulid: block.meta.ulid, team, series: labelsToString(labels) });
      return block.meta.ulid;
    };
    const a1 = await put('alpha', 0, 'cpu_seconds_total');
    const a2 = await put('alpha', 2 * H, 'cpu_seconds_total');
    const b1 = await put('beta', 0, 'memory_bytes');
    const partial = await put('beta', 4 * H, 'memory_bytes', ['chunks/000001', 'index']);
    const deleted = await put('beta', 6 * H, 'memory_bytes');
    await thanos.put(
      `${deleted}/deletion-mark.json`,
      JSON.stringify({ id: deleted, deletion_time: 1, version: 1 }),
    );
    const unlabelled = await put(undefined, 8 * H, 'memory_bytes');
    const downsampled = await put('beta', 0, 'memory_bytes', undefined, 300_000);
    await thanos.close();

    const env = { STRATA_BUCKET_URL: join(work, 'import-dest') };
    const imported = await strata(
      ['blocks', 'import-thanos', thanosDir, '--tenant-label', 'team', '-o', 'json'],
      env,
    );
    expect(imported).toMatchObject({ code: 0, stderr: '' });
    const outcomes = JSON.parse(imported.stdout) as Array<{
      ulid: string;
      tenant: string;
      outcome: string;
      detail?: string;
    }>;
    const byUlid = new Map(outcomes.map((o) => [o.ulid, o]));
    expect(byUlid.get(a1)).toMatchObject({ tenant: 'alpha', outcome: 'uploaded' });
    expect(byUlid.get(a2)).toMatchObject({ tenant: 'alpha', outcome: 'uploaded' });
    expect(byUlid.get(b1)).toMatchObject({ tenant: 'beta', outcome: 'uploaded' });
    expect(byUlid.get(partial)).toMatchObject({
      outcome: 'skipped',
      detail: 'no meta.json: a partial upload',
    });
    expect(byUlid.get(deleted)).toMatchObject({
      outcome: 'skipped',
      detail: 'marked for deletion',
    });
    expect(byUlid.get(unlabelled)).toMatchObject({
      outcome: 'skipped',
      detail: 'no external label team',
    });
    expect(byUlid.get(downsampled)).toMatchObject({
      outcome: 'skipped',
      detail: 'downsampled (resolution 300000 ms): only raw blocks are imported',
    });

    const dest = new FilesystemBucket(env.STRATA_BUCKET_URL);
    const keys = await allKeys(dest);
    await dest.close();
    const files = (tenant: string, u: string) =>
      ['chunks/000001', 'index', 'meta.json'].map((f) => `${tenant}/${u}/${f}`);
    expect(keys).toEqual(
      [...files('alpha', a1), ...files('alpha', a2)].sort().concat(files('beta', b1)),
    );
    const meta = parseBlockMeta(
      await readFile(join(env.STRATA_BUCKET_URL, 'alpha', a1, 'meta.json')),
    );
    expect(meta.ulid).toBe(a1);
    expect(meta.thanos?.labels).toEqual({ cluster: 'eu', tenant_id: 'alpha' });
    expect(meta.thanos?.source).toBe('upload');
    const samples = await readSamples([
      join(env.STRATA_BUCKET_URL, 'alpha', a1),
      join(env.STRATA_BUCKET_URL, 'alpha', a2),
    ]);
    expect([...samples.keys()]).toEqual([written[0].series]);
    expect(samples.get(written[0].series)).toHaveLength(240);

    const rerun = await strata(
      ['blocks', 'import-thanos', thanosDir, '--tenant-label', 'team', '-o', 'json'],
      env,
    );
    expect(rerun.code).toBe(0);
    expect(
      (JSON.parse(rerun.stdout) as Array<{ outcome: string }>).every(
        (o) => o.outcome === 'skipped',
      ),
    ).toBe(true);
  });
});
