import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FilesystemBucket } from '@strata/objstore';
import { encodeXorChunks, labelsFrom, parseBlockMeta, writeBlock } from '@strata/tsdb';
import {
  ADMIN_TOKEN,
  type Harness,
  seedTenants,
  startHarness,
} from '../../testing/gateway-harness';

jest.setTimeout(60_000);
const run = promisify(execFile);
const HOUR = 3_600_000;

let work: string;
let bucket: FilesystemBucket;
let h: Harness;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'strata-gateway-blocks-'));
  bucket = new FilesystemBucket(join(work, 'bucket'));
  // The JSON body limit stays at the harness' 64 KiB: block tars are well above it.
  h = await startHarness(
    { blockUploads: { maxBytes: 8 * 1024 * 1024, dir: join(work, 'uploads') } },
    { bucket },
  );
  await seedTenants(h, 'acme', 'globex');
});
afterAll(async () => {
  await h.close();
  await bucket.close();
  await rm(work, { recursive: true, force: true });
});

/** A block of `n` series with a sample a minute over [from, to). */
async function block(from: number, to: number, n = 2): Promise<{ dir: string; ulid: string }> {
  const ts: number[] = [];
  for (let t = from; t < to; t += 60_000) ts.push(t);
  const series = Array.from({ length: n }, (_, i) => ({
    labels: labelsFrom({ __name__: 'up', instance: `host-${String(i).padStart(5, '0')}` }),
    chunks: encodeXorChunks(
      ts,
      ts.map((t) => (t / 1000) * (i + 1)),
    ),
  }));
  const written = await writeBlock({
    parentDir: join(work, 'src'),
    series,
    minTime: from,
    maxTime: to,
    source: 'test',
  });
  return { dir: written.dir, ulid: written.meta.ulid };
}

/** The tar a user makes with `tar -C <block> -cf - .`. */
async function tarOf(dir: string, ...extra: string[]): Promise<Buffer> {
  const { stdout } = await run('tar', ['-C', dir, '-cf', '-', '.', ...extra], {
    encoding: 'buffer',
    maxBuffer: 1 << 26,
  });
  return stdout;
}

async function post(
  path: string,
  body: Buffer | string,
  auth: string,
  contentType = 'application/x-tar',
) {
  const response = await fetch(`${h.gateway.url}${path}`, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': contentType },
    body,
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
}

const admin = `Bearer ${ADMIN_TOKEN}`;

describe('POST /api/v1/admin/tenants/:id/blocks', () => {
  it('stores a block the platform admin uploads as a tar far above the JSON body limit', async () => {
    const { dir, ulid } = await block(0, 2 * HOUR, 400);
    const tar = await tarOf(dir);
    expect(tar.length).toBeGreaterThan(64 * 1024);
    const res = await post('/api/v1/admin/tenants/acme/blocks', tar, admin);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      tenantId: 'acme',
      block: {
        ulid,
        stats: { numSeries: 400 },
        thanos: { labels: { tenant_id: 'acme' }, source: 'upload' },
      },
    });
    const stored = parseBlockMeta(await readFile(join(work, 'bucket/acme', ulid, 'meta.json')));
    expect(stored.thanos?.files?.map((f) => f.rel_path)).toEqual([
      'chunks/000001',
      'index',
      'meta.json',
    ]);
    expect(
      (await readFile(join(work, 'bucket/acme', ulid, 'index'))).equals(
        await readFile(join(dir, 'index')),
      ),
    ).toBe(true);
  });

  it('takes a tar holding the <ulid>/ folder, and an admin-scope key for its own tenant', async () => {
    const { dir, ulid } = await block(2 * HOUR, 4 * HOUR);
    const key = await h.issueKey('acme', ['admin']);
    const tar = (
      await run('tar', ['-C', join(dir, '..'), '-cf', '-', ulid], { encoding: 'buffer' })
    ).stdout;
    const res = await post('/api/v1/admin/tenants/acme/blocks', tar, `Bearer ${key.secret}`);
    expect(res.status).toBe(201);
    expect(await bucket.exists(`acme/${ulid}/meta.json`)).toBe(true);
  });

  it('refuses a read key, a write key and another tenant’s admin key with 403, storing nothing', async () => {
    const { dir, ulid } = await block(4 * HOUR, 6 * HOUR);
    const tar = await tarOf(dir);
    for (const [tenant, scopes] of [
      ['acme', ['read']],
      ['acme', ['write']],
      ['globex', ['admin']],
    ] as const) {
      const key = await h.issueKey(tenant, [...scopes]);
      const res = await post('/api/v1/admin/tenants/acme/blocks', tar, `Bearer ${key.secret}`);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
    }
    expect(await bucket.exists(`acme/${ulid}/index`)).toBe(false);
  });

  it('answers 400 with a code and reason for a corrupt chunk', async () => {
    const { dir, ulid } = await block(6 * HOUR, 8 * HOUR);
    const chunks = await readFile(join(dir, 'chunks/000001'));
    chunks[16] ^= 0x40;
    await writeFile(join(dir, 'chunks/000001'), chunks);
    const res = await post('/api/v1/admin/tenants/acme/blocks', await tarOf(dir), admin);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'validation_failed', reason: 'corrupt_block' });
    expect(res.body.error.message).toMatch(/checksum mismatch/);
    expect(await bucket.exists(`acme/${ulid}/index`)).toBe(false);
  });

  it('refuses an overlapping block unless allow_overlap=true', async () => {
    const { dir, ulid } = await block(HOUR, 3 * HOUR);
    const tar = await tarOf(dir);
    const refused = await post('/api/v1/admin/tenants/acme/blocks', tar, admin);
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({
      code: 'validation_failed',
      reason: 'block_overlap',
    });
    const allowed = await post(`/api/v1/admin/tenants/acme/blocks?allow_overlap=true`, tar, admin);
    expect(allowed.status).toBe(201);
    expect(allowed.body.block.ulid).toBe(ulid);
    const again = await post(`/api/v1/admin/tenants/acme/blocks?allow_overlap=true`, tar, admin);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('already_exists');
  });

  it('refuses tars that are no block: links, stray files, garbage, no meta.json, another media type', async () => {
    const { dir } = await block(10 * HOUR, 12 * HOUR);
    await symlink('/etc/passwd', join(dir, 'passwd'));
    const linked = await post('/api/v1/admin/tenants/acme/blocks', await tarOf(dir), admin);
    expect(linked.status).toBe(400);
    expect(linked.body.error).toMatchObject({
      code: 'validation_failed',
      reason: 'unexpected_file',
    });

    const garbage = await post('/api/v1/admin/tenants/acme/blocks', Buffer.alloc(4096, 7), admin);
    expect(garbage.status).toBe(400);
    expect(garbage.body.error).toMatchObject({ code: 'validation_failed', reason: 'bad_tar' });

    const { dir: noMeta } = await block(12 * HOUR, 14 * HOUR);
    await rm(join(noMeta, 'meta.json'));
    const missing = await post('/api/v1/admin/tenants/acme/blocks', await tarOf(noMeta), admin);
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({ code: 'validation_failed', reason: 'missing_meta' });

    const json = await post('/api/v1/admin/tenants/acme/blocks', '{}', admin, 'application/json');
    expect(json.status).toBe(415);
  });

  it('answers 413 above the block upload limit and 403 tenant_unknown for an unknown tenant', async () => {
    const big = await post(
      '/api/v1/admin/tenants/acme/blocks',
      Buffer.alloc(9 * 1024 * 1024),
      admin,
    );
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('payload_too_large');
    const { dir } = await block(16 * HOUR, 18 * HOUR);
    const unknown = await post('/api/v1/admin/tenants/initech/blocks', await tarOf(dir), admin);
    expect(unknown.status).toBe(403);
    expect(unknown.body.error.code).toBe('tenant_unknown');
  });
});
