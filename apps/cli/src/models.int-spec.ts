import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { type Readable } from 'node:stream';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { type RunningS3Server, startS3Server } from '@strata/devstack';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the CLI is tested against a real gateway and control plane
import { startModelStack, type ModelStack } from '@strata/gateway/testing';
import { initModelDir } from './commands/models/model-config';
import {
  type Bucket,
  FilesystemBucket,
  type ListOptions,
  type ObjectAttributes,
  type PutBody,
  type PutOptions,
  S3Bucket,
} from '@strata/objstore';

jest.setTimeout(300_000);

const root = join(__dirname, '../../..');
const MiB = 1024 * 1024;
// Scaled down from the 2 GB file and 10,000 files to keep the suite's time sane; the
// bench (tools/bench/models) runs the full sizes.
const BIG_FILE_BYTES = 200 * MiB;
const SMALL_FILES = 2000;
const PART_MIB = 16;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the strata CLI; `killWhen` sees stderr as it grows and may kill -9 it. */
function strata(
  stack: ModelStack,
  key: string,
  args: string[],
  killWhen?: (stderr: string) => boolean,
): Promise<Run & { killed: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['-r', '@swc-node/register', join(root, 'apps/cli/src/main.ts'), ...args],
      {
        cwd: root,
        env: {
          ...process.env,
          STRATA_URL: stack.url,
          STRATA_TOKEN: key,
          SWC_NODE_PROJECT: join(root, 'tsconfig.json'),
          // The CLI's digest index goes to the cache directory: keep it out of the user's home.
          XDG_CACHE_HOME: join(tmpdir(), 'strata-cli-spec-cache'),
        },
      },
    );
    let stdout = '';
    let stderr = '';
    let killed = false;
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      if (!killed && killWhen?.(stderr)) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.on('close', (code) => resolve({ code, stdout, stderr, killed }));
  });
}

/** The bytes a push or pull summary line says it moved. */
function moved(run: Run): number {
  const match = /\((\d+) bytes\)/.exec(run.stdout);
  if (!match) throw new Error(`no summary in ${run.stdout}\n${run.stderr}`);
  return Number(match[1]);
}

/** Items a push or pull reported done so far (non-TTY progress lines). */
function itemsDone(stderr: string): number {
  return (stderr.match(/^(push|pull) \d+\//gm) ?? []).length;
}

async function writeRandomFile(path: string, bytes: number): Promise<void> {
  const { open } = await import('node:fs/promises');
  const handle = await open(path, 'w');
  for (let left = bytes; left > 0; left -= 8 * MiB)
    await handle.write(randomBytes(Math.min(8 * MiB, left)));
  await handle.close();
}

/** The tree below `dir` as relative path → sha256, skipping nothing (scratch files would show). */
async function treeOf(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (at: string) => {
    for (const entry of await readdir(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) await walk(path);
      else {
        const hash = createHash('sha256');
        for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
        out[relative(dir, path)] = hash.digest('hex');
      }
    }
  };
  await walk(dir);
  return out;
}

/** The real bucket, counting what is written to it: the evidence of what a push moved. */
class CountingBucket implements Bucket {
  puts = 0;
  bytes = 0;
  constructor(private readonly inner: Bucket) {}
  get name() {
    return this.inner.name;
  }
  get presignGet() {
    return this.inner.presignGet?.bind(this.inner);
  }
  // Downloads take the filesystem bucket's own path (reused buffers, direct reads), as in use.
  get openRange() {
    return this.inner.openRange?.bind(this.inner);
  }
  get(key: string): Promise<Readable> {
    return this.inner.get(key);
  }
  getRange(key: string, offset: number, length: number): Promise<Readable> {
    return this.inner.getRange(key, offset, length);
  }
  async put(key: string, body: PutBody, options?: PutOptions): Promise<void> {
    this.puts++;
    const counted =
      typeof body === 'string' || body instanceof Uint8Array
        ? body
        : (async function* (self: CountingBucket) {
            for await (const chunk of body) {
              self.bytes += (chunk as Uint8Array).length;
              yield chunk as Uint8Array;
            }
          })(this);
    if (typeof counted === 'string') this.bytes += Buffer.byteLength(counted);
    else if (counted instanceof Uint8Array) this.bytes += counted.length;
    return this.inner.put(key, counted, options);
  }
  list(dir: string, options?: ListOptions): AsyncIterable<string> {
    return this.inner.list(dir, options);
  }
  delete(key: string): Promise<void> {
    return this.inner.delete(key);
  }
  exists(key: string): Promise<boolean> {
    return this.inner.exists(key);
  }
  attributes(key: string): Promise<ObjectAttributes> {
    return this.inner.attributes(key);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
  reset(): void {
    this.puts = 0;
    this.bytes = 0;
  }
}

let work: string;
let model: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'strata-models-cli-'));
  model = join(work, 'model');
  await mkdir(join(model, 'data'), { recursive: true });
  await writeRandomFile(join(model, 'weights.bin'), BIG_FILE_BYTES);
  for (let i = 0; i < SMALL_FILES; i++) {
    const sub = join(model, 'data', `shard-${i % 20}`);
    await mkdir(sub, { recursive: true });
    await writeFile(join(sub, `item-${i}.json`), randomBytes(500 + (i % 1500)));
  }
  await initModelDir(model);
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe.each([
  ['filesystem', false],
  ['s3rver', true],
] as const)('strata models on a %s bucket', (_kind, s3) => {
  let stack: ModelStack;
  let bucket: CountingBucket;
  let server: RunningS3Server | undefined;
  let key: string;

  beforeAll(async () => {
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
      bucket = new CountingBucket(new S3Bucket({ bucket: 'models', prefix: 'strata', ...options }));
    } else bucket = new CountingBucket(new FilesystemBucket(join(work, 'fs-bucket')));
    stack = await startModelStack({ bucket, gcGraceMs: 60_000 });
    key = await stack.createTenant('ml-team');
  });
  afterAll(async () => {
    await stack?.close();
    await bucket?.close();
    await server?.process.stop();
  });

  const flags = ['--part-size-mib', String(PART_MIB)];

  it('pushes a model directory and pulls it into an empty one byte for byte, then moves only a changed file both ways', async () => {
    const pushed = await strata(stack, key, ['models', 'push', 'nlp/bert@v1', model, ...flags]);
    expect(pushed).toMatchObject({ code: 0 });
    const copy = join(work, `pulled-${_kind}`);
    const pulled = await strata(stack, key, ['models', 'pull', 'nlp/bert@v1', copy, ...flags]);
    expect(pulled).toMatchObject({ code: 0 });
    expect(await treeOf(copy)).toEqual(await treeOf(model));

    // One small file changes: its directory's blob is the only one that travels.
    await writeFile(join(model, 'data', 'shard-3', 'item-3.json'), `changed on ${_kind}`);
    bucket.reset();
    const again = await strata(stack, key, ['models', 'push', 'nlp/bert@v2', model, ...flags]);
    expect(again).toMatchObject({ code: 0 });
    expect(again.stdout).toMatch(/: 1 blob\(s\) uploaded/);
    // The data directory's tar+gz and the manifest: two objects written, far below the big file.
    expect(bucket.puts).toBe(2);
    expect(bucket.bytes - moved(again)).toBeGreaterThan(0);
    expect(bucket.bytes - moved(again)).toBeLessThan(64 * 1024);
    expect(moved(again)).toBeLessThan(5 * MiB);

    const update = await strata(stack, key, ['models', 'pull', 'nlp/bert@v2', copy, ...flags]);
    expect(update).toMatchObject({ code: 0 });
    expect(update.stdout).toMatch(/: 1 blob\(s\) fetched/);
    expect(moved(update)).toBe(moved(again));
    expect(await treeOf(copy)).toEqual(await treeOf(model));

    const list = await strata(stack, key, ['models', 'list', 'nlp/bert', '-o', 'json']);
    expect(
      (JSON.parse(list.stdout) as { manifests: Array<{ name: string }> }).manifests.map(
        (m) => m.name,
      ),
    ).toEqual(['v1', 'v2']);
  });

  if (!s3)
    it('registers a pushed version, moves an alias to it and tags it, as the README walks through', async () => {
      const small = join(work, 'registered');
      await mkdir(small);
      await writeFile(join(small, 'model.onnx'), randomBytes(1000));
      expect(await strata(stack, key, ['models', 'init', small])).toMatchObject({ code: 0 });
      const pushed = await strata(stack, key, [
        'models',
        'push',
        'cv/yolo@v1',
        small,
        '--register',
        'yolo',
        '--run-id',
        'run-42',
      ]);
      expect(pushed.stdout).toMatch(/registered yolo version 1/);
      expect(await strata(stack, key, ['models', 'alias', 'yolo', 'champion', '1'])).toMatchObject({
        code: 0,
      });
      expect(
        await strata(stack, key, ['models', 'tag', 'yolo', '1', 'stage=canary']),
      ).toMatchObject({ code: 0 });
      const champion = await fetch(`${stack.url}/api/v1/registry/models/yolo/aliases/champion`, {
        headers: { authorization: `Bearer ${key}` },
      });
      expect(await champion.json()).toMatchObject({
        version: 1,
        runId: 'run-42',
        source: 'models/v1/cv/yolo@v1',
        artifact: { repo: 'cv', name: 'yolo', version: 'v1' },
        manifestDigest: expect.stringMatching(/^sha256:/),
        tags: { stage: 'canary' },
        aliases: ['champion'],
      });
    });

  if (s3)
    it('answers a download location with a presigned S3 URL that serves the blob', async () => {
      const index = await fetch(`${stack.url}/models/v1/nlp/bert/manifests/v1`, {
        headers: { authorization: `Bearer ${key}` },
      });
      const manifest = (await index.json()) as { config: { digest: string; size: number } };
      const redirect = await fetch(
        `${stack.url}/models/v1/nlp/bert/blobs/${manifest.config.digest}/locations/download?redirect=true`,
        { headers: { authorization: `Bearer ${key}` }, redirect: 'manual' },
      );
      expect(redirect.status).toBe(302);
      const location = redirect.headers.get('location') ?? '';
      expect(location).toMatch(/X-Amz-Signature=/);
      const direct = await fetch(location);
      expect(Buffer.from(await direct.arrayBuffer()).length).toBe(manifest.config.size);
    });

  if (!s3)
    it('resumes a push and a pull killed with -9 midway, moving less than half the file again', async () => {
      const resumed = join(work, 'resume-model');
      await mkdir(resumed);
      await writeRandomFile(join(resumed, 'weights.bin'), BIG_FILE_BYTES);
      await strata(stack, key, ['models', 'init', resumed]);
      const parts = Math.ceil(BIG_FILE_BYTES / (PART_MIB * MiB));
      const args = ['models', 'push', 'nlp/resume@v1', resumed, ...flags, '--concurrency', '1'];
      const killed = await strata(stack, key, args, (e) => itemsDone(e) >= Math.ceil(parts * 0.6));
      expect(killed.killed).toBe(true);
      expect(
        (
          await fetch(`${stack.url}/models/v1/nlp/resume/index`, {
            headers: { authorization: `Bearer ${key}` },
          })
        ).status,
      ).toBe(404);
      const second = await strata(stack, key, args);
      expect(second).toMatchObject({ code: 0 });
      expect(moved(second)).toBeLessThan(BIG_FILE_BYTES * 0.5);

      const target = join(work, 'resume-pulled');
      const pullArgs = ['models', 'pull', 'nlp/resume@v1', target, ...flags, '--concurrency', '1'];
      const cut = await strata(stack, key, pullArgs, (e) => itemsDone(e) >= Math.ceil(parts * 0.6));
      expect(cut.killed).toBe(true);
      const finished = await strata(stack, key, pullArgs);
      expect(finished).toMatchObject({ code: 0 });
      expect(moved(finished)).toBeLessThan(BIG_FILE_BYTES * 0.5);
      expect(await treeOf(target)).toEqual(await treeOf(resumed));
    });

  if (!s3)
    it('never shows a manifest naming a missing blob when the gateway dies mid-push, and a retried push succeeds', async () => {
      const crashed = join(work, 'crash-model');
      await mkdir(crashed);
      await writeRandomFile(join(crashed, 'weights.bin'), 64 * MiB);
      await strata(stack, key, ['models', 'init', crashed]);
      const args = ['models', 'push', 'nlp/crash@v1', crashed, ...flags, '--concurrency', '1'];
      let crashing: Promise<void> | undefined;
      const first = await strata(stack, key, args, (e) => {
        if (itemsDone(e) >= 1 && !crashing) crashing = stack.crashAndRestartGateway();
        return false;
      });
      await crashing;
      expect(first.code).not.toBe(0);
      const auth = { headers: { authorization: `Bearer ${key}` } };
      expect((await fetch(`${stack.url}/models/v1/nlp/crash/manifests/v1`, auth)).status).toBe(404);
      // Every blob object the crash left holds exactly the bytes its digest names.
      for await (const blobKey of bucket.list('models/ml-team/blobs/sha256')) {
        const hash = createHash('sha256');
        for await (const chunk of await bucket.get(blobKey)) hash.update(chunk as Buffer);
        expect(hash.digest('hex')).toBe(blobKey.slice(blobKey.lastIndexOf('/') + 1));
      }
      const retried = await strata(stack, key, args);
      expect(retried).toMatchObject({ code: 0 });
      expect((await fetch(`${stack.url}/models/v1/nlp/crash/manifests/v1`, auth)).status).toBe(200);
    });
});
