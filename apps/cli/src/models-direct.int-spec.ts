import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, open, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { type RunningS3Server, startS3Server } from '@strata/devstack';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the CLI is tested against a real gateway and control plane
import { startModelStack, type ModelStack } from '@strata/gateway/testing';
import { S3Bucket } from '@strata/objstore';
// eslint-disable-next-line @nx/enforce-module-boundaries -- a byte-counting proxy in front of s3rver
import { startTcpProxy, type TcpProxy } from '@strata/platform/testing';
import { initModelDir } from './commands/models/model-config';

jest.setTimeout(300_000);

const root = join(__dirname, '../../..');
const MiB = 1024 * 1024;
const FILE_BYTES = 120 * MiB;
// One CLI part blob of 128 MiB holds the whole file, so only S3 parts inside it can resume.
const CLI_PART_MIB = 128;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  killed: boolean;
}

/** Runs the strata CLI; `killWhen` is polled every 20 ms and may kill -9 it. */
function strata(
  stack: ModelStack,
  key: string,
  args: string[],
  killWhen?: () => boolean,
): Promise<Run> {
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
    const poll = setInterval(() => {
      if (!killed && killWhen?.()) {
        killed = true;
        child.kill('SIGKILL');
      }
    }, 20);
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => {
      clearInterval(poll);
      resolve({ code, stdout, stderr, killed });
    });
  });
}

async function writeRandomFile(path: string, bytes: number): Promise<void> {
  const handle = await open(path, 'w');
  for (let left = bytes; left > 0; left -= 8 * MiB)
    await handle.write(randomBytes(Math.min(8 * MiB, left)));
  await handle.close();
}

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

/**
 * `strata models push` and `pull` on an S3 bucket (s3rver behind a byte-counting proxy): the file
 * goes straight to and from S3 through presigned URLs, and a transfer killed with -9 at 60%
 * resumes there.
 */
describe('strata models push straight to S3', () => {
  let work: string;
  let server: RunningS3Server;
  let proxy: TcpProxy;
  let bucket: S3Bucket;
  let stack: ModelStack;
  let key: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'strata-models-direct-cli-'));
    server = await startS3Server({ dataDir: join(work, 's3rver') });
    proxy = await startTcpProxy(server.port);
    const options = {
      // The gateway signs URLs for the proxy, so the CLI's parts are counted on their way to S3.
      endpoint: proxy.url('http'),
      region: server.region,
      forcePathStyle: true,
      credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    };
    const admin = new S3Client(options);
    await admin.send(new CreateBucketCommand({ Bucket: 'models' }));
    admin.destroy();
    bucket = new S3Bucket({ bucket: 'models', prefix: 'strata', ...options });
    stack = await startModelStack({
      bucket,
      gcGraceMs: 60_000,
      directUploads: { partBytes: 5 * MiB },
    });
    key = await stack.createTenant('ml-team');
  });
  afterAll(async () => {
    await stack?.close();
    await bucket?.close();
    await proxy?.close();
    await server?.process.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('moves the file to and from S3, not through the gateway, and resumes a push and a pull killed at 60% from there', async () => {
    const model = join(work, 'model');
    await mkdir(model);
    await writeRandomFile(join(model, 'weights.bin'), FILE_BYTES);
    await initModelDir(model);
    const args = ['models', 'push', 'nlp/big@v1', model, '--part-size-mib', String(CLI_PART_MIB)];

    const s3Before = proxy.bytesToServer();
    const gatewayBefore = stack.receivedBytes();
    const killed = await strata(
      stack,
      key,
      args,
      () => proxy.bytesToServer() - s3Before >= FILE_BYTES * 0.6,
    );
    expect(killed.killed).toBe(true);
    const firstToS3 = proxy.bytesToServer() - s3Before;
    expect(firstToS3).toBeGreaterThanOrEqual(FILE_BYTES * 0.6);
    expect(firstToS3).toBeLessThan(FILE_BYTES);
    const auth = { headers: { authorization: `Bearer ${key}` } };
    expect((await fetch(`${stack.url}/models/v1/nlp/big/index`, auth)).status).toBe(404);

    const s3Middle = proxy.bytesToServer();
    const second = await strata(stack, key, args);
    expect(second).toMatchObject({ code: 0 });
    const secondToS3 = proxy.bytesToServer() - s3Middle;
    expect(secondToS3).toBeLessThan(FILE_BYTES * 0.5);
    // What the CLI says it sent agrees with what reached S3.
    const sent = Number(/\((\d+) bytes\)/.exec(second.stdout)?.[1]);
    expect(sent).toBeLessThan(FILE_BYTES * 0.5);
    expect(secondToS3).toBeGreaterThanOrEqual(sent);
    // Both runs together: the gateway read requests and JSON, no blob bytes.
    expect(stack.receivedBytes() - gatewayBefore).toBeLessThan(MiB);

    // The pull comes from S3 too, and a pull killed at 60% resumes with a Range from there.
    const copy = join(work, 'pulled');
    const pullArgs = [
      'models',
      'pull',
      'nlp/big@v1',
      copy,
      '--part-size-mib',
      String(CLI_PART_MIB),
    ];
    const gatewaySent = stack.sentBytes();
    const fromS3 = proxy.bytesToClients();
    const cut = await strata(
      stack,
      key,
      pullArgs,
      () => proxy.bytesToClients() - fromS3 >= FILE_BYTES * 0.6,
    );
    expect(cut.killed).toBe(true);
    const resumedFrom = proxy.bytesToClients();
    const pulled = await strata(stack, key, pullArgs);
    expect(pulled).toMatchObject({ code: 0 });
    expect(proxy.bytesToClients() - resumedFrom).toBeLessThan(FILE_BYTES * 0.5);
    expect(stack.sentBytes() - gatewaySent).toBeLessThan(MiB);
    expect(await treeOf(copy)).toEqual(await treeOf(model));
  });
});
