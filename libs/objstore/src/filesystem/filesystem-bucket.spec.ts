import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { InvalidObjectKeyError, ObjectKeyConflictError } from '../errors';
import { FilesystemBucket, STAGING_DIR } from './filesystem-bucket';

const workspace = join(__dirname, '../../../..');

async function listAll(
  bucket: FilesystemBucket,
  dir: string,
  recursive = false,
): Promise<string[]> {
  const keys: string[] = [];
  for await (const key of bucket.list(dir, { recursive })) keys.push(key);
  return keys;
}

async function read(bucket: FilesystemBucket, key: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of await bucket.get(key)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

describe('FilesystemBucket', () => {
  let dir: string;
  let root: string;
  let bucket: FilesystemBucket;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'strata-fs-bucket-'));
    root = join(dir, 'root');
    bucket = new FilesystemBucket(root);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a put killed with SIGKILL mid-write leaves no visible object and the previous version intact', async () => {
    await bucket.put('tenant/block/index', 'previous');
    const child = spawn(
      process.execPath,
      [
        '-r',
        '@swc-node/register',
        join(__dirname, '../../test/fixtures/put-forever.ts'),
        root,
        'tenant/block/index',
      ],
      {
        cwd: workspace,
        env: { ...process.env, SWC_NODE_PROJECT: join(workspace, 'tsconfig.json') },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const exited = new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('writing') && resolve());
      child.once('exit', () => reject(new Error('the writer exited before writing')));
    });
    // Bytes of the new version are on disk, in the staging folder, when the writer dies.
    expect(readdirSync(join(root, STAGING_DIR)).length).toBe(1);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    expect(await read(bucket, 'tenant/block/index')).toBe('previous');
    expect(await listAll(bucket, '', true)).toEqual(['tenant/block/index']);
    expect(await listAll(bucket, '')).toEqual(['tenant/']);
  });

  it('a put whose stream fails removes its staged bytes', async () => {
    const failing = Readable.from(
      (async function* () {
        yield Buffer.alloc(1024 * 1024);
        throw new Error('aborted');
      })(),
    );
    await expect(bucket.put('a/b', failing)).rejects.toThrow('aborted');
    expect(await bucket.exists('a/b')).toBe(false);
    expect(readdirSync(join(root, STAGING_DIR))).toEqual([]);
    expect(existsSync(join(root, 'a'))).toBe(false);
  });

  it('stores a body of many uneven chunks byte for byte and serves any range of it', async () => {
    // Over 1024 chunks and several write batches, with sizes that never line up with either.
    const chunks = Array.from({ length: 1500 }, (_, i) => randomBytes(1 + ((i * 7919) % 20_000)));
    const whole = Buffer.concat(chunks);
    await bucket.put('big/blob', Readable.from(chunks));
    expect(Buffer.compare(readFileSync(join(root, 'big', 'blob')), whole)).toBe(0);
    const rangeOf = async (offset: number, length: number) => {
      const parts: Buffer[] = [];
      for await (const c of await bucket.getRange('big/blob', offset, length))
        parts.push(c as Buffer);
      return Buffer.concat(parts);
    };
    expect((await rangeOf(3, 5_000_000)).equals(whole.subarray(3, 5_000_003))).toBe(true);
    expect((await rangeOf(whole.length - 10, -1)).equals(whole.subarray(-10))).toBe(true);
    expect((await rangeOf(whole.length - 10, 100)).equals(whole.subarray(-10))).toBe(true);
  });

  it('clears staged files older than an hour, which only a crashed put leaves, and keeps recent ones', async () => {
    const staging = join(root, STAGING_DIR);
    await bucket.put('x', 'x');
    writeFileSync(join(staging, 'crashed'), 'partial');
    writeFileSync(join(staging, 'in-flight'), 'partial');
    const twoHoursAgo = new Date(Date.now() - 2 * 3600 * 1000);
    utimesSync(join(staging, 'crashed'), twoHoursAgo, twoHoursAgo);
    await new FilesystemBucket(root).put('y', 'y');
    expect(readdirSync(staging)).toEqual(['in-flight']);
  });

  it('removes the folders a delete leaves empty, up to but not including the root', async () => {
    await bucket.put('t/01/chunks/000001', 'c');
    await bucket.put('t/02/meta.json', 'm');
    await bucket.delete('t/01/chunks/000001');
    expect(existsSync(join(root, 't/01'))).toBe(false);
    expect(existsSync(join(root, 't/02/meta.json'))).toBe(true);
    await bucket.delete('t/02/meta.json');
    expect(readdirSync(root)).toEqual([STAGING_DIR]);
  });

  it('refuses a key that is a file and a folder at once, which a filesystem cannot hold', async () => {
    await bucket.put('a', 'file');
    await expect(bucket.put('a/b', 'x')).rejects.toBeInstanceOf(ObjectKeyConflictError);
    await bucket.put('c/d', 'x');
    await expect(bucket.put('c', 'file')).rejects.toBeInstanceOf(ObjectKeyConflictError);
    expect(await read(bucket, 'a')).toBe('file');
    expect(await read(bucket, 'c/d')).toBe('x');
  });

  it('reserves the staging folder and never lists it', async () => {
    await expect(bucket.put(`${STAGING_DIR}/x`, 'x')).rejects.toBeInstanceOf(InvalidObjectKeyError);
    await bucket.put('k', 'v');
    expect(existsSync(join(root, STAGING_DIR))).toBe(true);
    expect(await listAll(bucket, '')).toEqual(['k']);
    expect(await listAll(bucket, STAGING_DIR)).toEqual([]);
  });

  it('does not follow a key outside its root through ..', async () => {
    writeFileSync(join(dir, 'secret'), 's');
    await expect(bucket.get('../secret')).rejects.toBeInstanceOf(InvalidObjectKeyError);
    await expect(bucket.get('x/../../secret')).rejects.toBeInstanceOf(InvalidObjectKeyError);
  });
});
