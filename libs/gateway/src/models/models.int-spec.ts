import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  MODEL_BLOB_UPLOAD_TYPE,
  MODEL_CONFIG_MEDIA_TYPE,
  MODEL_FILE_MEDIA_TYPE,
  MODEL_MANIFEST_MEDIA_TYPE,
} from '@strata/contracts';
import { connectBus } from '@strata/bus';
import { openModelLock } from '@strata/model-artifacts';
import { FilesystemBucket } from '@strata/objstore';
import { testNatsLogin, testServices } from '@strata/testing';
import { startModelStack, type ModelStack } from '../../testing';

jest.setTimeout(60_000);

const digestOf = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** The artifact protocol over real HTTP, control plane and filesystem bucket: bad input, tenancy, quota, GC. */
describe('model artifact protocol', () => {
  let dir: string;
  let bucket: FilesystemBucket;
  let stack: ModelStack;
  let keyA: string;
  let keyB: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strata-models-protocol-'));
    bucket = new FilesystemBucket(dir);
    stack = await startModelStack({ bucket, gcGraceMs: 0 });
    keyA = await stack.createTenant('team-a');
    keyB = await stack.createTenant('team-b');
  });
  afterAll(async () => {
    await stack?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const call = (
    key: string,
    method: string,
    path: string,
    body?: Buffer | string,
    headers: Record<string, string> = {},
  ) =>
    fetch(`${stack.url}/models/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined
          ? {}
          : {
              'content-type':
                typeof body === 'string' ? 'application/json' : MODEL_BLOB_UPLOAD_TYPE,
            }),
        ...headers,
      },
      body,
      redirect: 'manual',
    });
  const putBlob = (key: string, bytes: Buffer, digest = digestOf(bytes)) =>
    call(key, 'PUT', `/nlp/bert/blobs/${digest}`, bytes);
  const manifestOf = (config: Buffer, files: Record<string, Buffer>) =>
    JSON.stringify({
      schemaVersion: 1,
      mediaType: MODEL_MANIFEST_MEDIA_TYPE,
      config: {
        name: 'modelx.yaml',
        mediaType: MODEL_CONFIG_MEDIA_TYPE,
        digest: digestOf(config),
        size: config.length,
      },
      blobs: Object.entries(files).map(([name, bytes]) => ({
        name,
        mediaType: MODEL_FILE_MEDIA_TYPE,
        digest: digestOf(bytes),
        size: bytes.length,
      })),
    });
  const blobKeys = async (tenant: string) => {
    const keys: string[] = [];
    for await (const key of bucket.list(`models/${tenant}/blobs`, { recursive: true }))
      keys.push(key);
    return keys;
  };

  it('stores a verified blob, answers HEAD and ranged GETs, and keeps nothing of a body whose digest differs', async () => {
    const bytes = randomBytes(100_000);
    const stored = await putBlob(keyA, bytes);
    expect(stored.status).toBe(201);
    expect(await stored.json()).toMatchObject({
      digest: digestOf(bytes),
      size: 100_000,
      created: true,
    });
    const head = await call(keyA, 'HEAD', `/nlp/bert/blobs/${digestOf(bytes)}`);
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('100000');
    const ranged = await call(keyA, 'GET', `/nlp/bert/blobs/${digestOf(bytes)}`, undefined, {
      range: 'bytes=99990-',
    });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get('content-range')).toBe('bytes 99990-99999/100000');
    expect(Buffer.from(await ranged.arrayBuffer())).toEqual(bytes.subarray(99_990));
    const whole = await call(keyA, 'GET', `/nlp/bert/blobs/${digestOf(bytes)}`);
    expect(Buffer.from(await whole.arrayBuffer())).toEqual(bytes);

    const before = await blobKeys('team-a');
    const liar = randomBytes(50_000);
    const wrong = await putBlob(keyA, liar, digestOf(randomBytes(10)));
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as { error: { reason: string } }).error.reason).toBe(
      'digest_mismatch',
    );
    expect(await blobKeys('team-a')).toEqual(before);
  });

  it('refuses a manifest naming absent blobs with their digests, and stores it once they are pushed', async () => {
    const config = Buffer.from('framework: pytorch\n');
    const weights = randomBytes(4096);
    const manifest = manifestOf(config, { 'weights.bin': weights });
    const refused = await call(keyA, 'PUT', '/nlp/bert/manifests/v1', manifest);
    expect(refused.status).toBe(400);
    const body = (await refused.json()) as {
      error: { reason: string; fields: Array<{ message: string }> };
    };
    expect(body.error.reason).toBe('blobs_missing');
    expect(body.error.fields.map((f) => f.message).sort()).toEqual(
      [digestOf(config), digestOf(weights)].sort(),
    );
    expect((await call(keyA, 'GET', '/nlp/bert/manifests/v1')).status).toBe(404);

    await putBlob(keyA, config);
    await putBlob(keyA, weights);
    expect((await call(keyA, 'PUT', '/nlp/bert/manifests/v1', manifest)).status).toBe(201);
    const index = (await (await call(keyA, 'GET', '/nlp/bert/index')).json()) as {
      manifests: Array<{ name: string }>;
    };
    expect(index.manifests.map((m) => m.name)).toEqual(['v1']);
    expect(await (await call(keyA, 'GET', '')).json()).toEqual({
      models: [{ repo: 'nlp', name: 'bert' }],
    });
  });

  it('answers 400 for names that could leave their place and 413 for an oversized manifest, storing nothing', async () => {
    for (const path of [
      '/nlp/%2e%2e%2F%2e%2e/manifests/v1',
      '/nlp/..%2F..%2Fteam-b/manifests/v1',
      '/nlp/bert/manifests/..%2Fx',
      '/nlp/bert/blobs/sha256:..%2F..%2Fetc',
      '/NLP/bert/index',
    ]) {
      const response = await call(keyA, path.includes('blobs') ? 'HEAD' : 'GET', path);
      expect([path, response.status]).toEqual([path, 400]);
    }
    const config = Buffer.from('x: 1\n');
    await putBlob(keyA, config);
    const sneaky = await call(
      keyA,
      'PUT',
      '/nlp/bert/manifests/..%2F..%2F..%2Fteam-b%2Fmanifests%2Fnlp%2Fbert%2Fv9',
      manifestOf(config, {}),
    );
    expect(sneaky.status).toBe(400);
    const escaping = manifestOf(config, {}).replace(
      '"blobs":[]',
      `"blobs":[{"name":"../../etc","mediaType":"x","digest":"${digestOf(config)}","size":${config.length}}]`,
    );
    expect((await call(keyA, 'PUT', '/nlp/bert/manifests/v9', escaping)).status).toBe(400);
    const keys: string[] = [];
    for await (const key of bucket.list('models', { recursive: true })) keys.push(key);
    expect(keys.filter((k) => k.includes('manifests') && !k.endsWith('/nlp/bert/v1'))).toEqual([]);
    const huge = JSON.stringify({ padding: 'x'.repeat(9 << 20) });
    const oversized = await call(keyA, 'PUT', '/nlp/bert/manifests/huge', huge);
    expect(oversized.status).toBe(413);
    expect((await call(keyA, 'GET', '/nlp/bert/manifests/huge')).status).toBe(404);
  });

  it("gives tenant B the same 404 for tenant A's blob as for a digest nobody has, and stores B's copy apart", async () => {
    const bytes = randomBytes(2048);
    await putBlob(keyA, bytes);
    const absent = digestOf(randomBytes(16));
    for (const method of ['HEAD', 'GET']) {
      const theirs = await call(keyB, method, `/nlp/bert/blobs/${digestOf(bytes)}`);
      const nobodys = await call(keyB, method, `/nlp/bert/blobs/${absent}`);
      expect(theirs.status).toBe(404);
      expect(nobodys.status).toBe(404);
      const strip = (text: string) => text.replace(/sha256:[0-9a-f]{64}/g, 'D');
      expect(strip(await theirs.text())).toBe(strip(await nobodys.text()));
    }
    expect((await call(keyB, 'GET', '/nlp/bert/manifests/v1')).status).toBe(404);
    expect((await putBlob(keyB, bytes)).status).toBe(201);
    expect(await bucket.exists(`models/team-b/blobs/sha256/${digestOf(bytes).slice(7)}`)).toBe(
      true,
    );
  });

  it('refuses a blob beyond the modelStorageBytes quota before storing it, counting a deduplicated blob once', async () => {
    await stack.setModelQuota('team-b', 20_000);
    const first = randomBytes(12_000);
    expect((await putBlob(keyB, first)).status).toBe(201);
    expect((await putBlob(keyB, first)).status).toBe(201);
    const second = randomBytes(12_000);
    const over = await putBlob(keyB, second);
    expect(over.status).toBe(413);
    expect(((await over.json()) as { error: { reason: string } }).error.reason).toBe(
      'model_storage_bytes',
    );
    expect(await bucket.exists(`models/team-b/blobs/sha256/${digestOf(second).slice(7)}`)).toBe(
      false,
    );
    expect(await stack.metrics()).toMatch(/strata_model_storage_bytes\{tenant="team-b"\} 14048\n/);
    await stack.setModelQuota('team-b', 0);
  });

  it('collects blobs only the deleted version named, and keeps shared ones', async () => {
    const config = Buffer.from('framework: onnx\n');
    const shared = randomBytes(3000);
    const only = randomBytes(3000);
    for (const b of [config, shared, only]) await putBlob(keyA, b, digestOf(b));
    await call(
      keyA,
      'PUT',
      '/cv/resnet/manifests/v1',
      manifestOf(config, { 'a.bin': shared, 'b.bin': only }),
    );
    await call(keyA, 'PUT', '/cv/resnet/manifests/v2', manifestOf(config, { 'a.bin': shared }));
    const deleted = await call(keyA, 'DELETE', '/cv/resnet/manifests/v1');
    expect(deleted.status).toBe(200);
    const key = (b: Buffer) => `models/team-a/blobs/sha256/${digestOf(b).slice(7)}`;
    expect(await bucket.exists(key(only))).toBe(false);
    expect(await bucket.exists(key(shared))).toBe(true);
    expect(await bucket.exists(key(config))).toBe(true);
    expect((await call(keyA, 'GET', '/cv/resnet/manifests/v2')).status).toBe(200);
  });

  it('commits a manifest and collects garbage only while no one else holds the tenant lock in NATS KV', async () => {
    // Another replica (or the model-registry service) holding team-a's lock, as this spec's own process.
    const other = await connectBus({
      url: testServices().natsUrl,
      ...testNatsLogin('admin'),
      name: 'models-lock-spec',
    });
    const lock = await openModelLock(other, 'spec-replica');
    const hold = async () => {
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let taken!: () => void;
      const isTaken = new Promise<void>((resolve) => (taken = resolve));
      const done = lock.run('team-a', async () => {
        taken();
        await released;
      });
      await isTaken;
      return async () => {
        release();
        await done;
      };
    };
    const settledAfter = async (response: Promise<Response>, ms: number) => {
      let settled = false;
      void response.then(() => (settled = true));
      await new Promise((resolve) => setTimeout(resolve, ms));
      return settled;
    };
    try {
      const config = Buffer.from('framework: locked\n');
      const weights = randomBytes(2048);
      for (const b of [config, weights]) expect((await putBlob(keyA, b)).status).toBe(201);

      let release = await hold();
      const put = call(
        keyA,
        'PUT',
        '/cv/locked/manifests/v1',
        manifestOf(config, { 'w.bin': weights }),
      );
      expect(await settledAfter(put, 1500)).toBe(false);
      // Team B's lock is its own: B commits while A's is held.
      const configB = Buffer.from('framework: other tenant\n');
      expect((await putBlob(keyB, configB)).status).toBe(201);
      expect(
        (await call(keyB, 'PUT', '/cv/free/manifests/v1', manifestOf(configB, {}))).status,
      ).toBe(201);
      await release();
      expect((await put).status).toBe(201);

      release = await hold();
      const deleted = call(keyA, 'DELETE', '/cv/locked/manifests/v1');
      expect(await settledAfter(deleted, 1500)).toBe(false);
      const key = (b: Buffer) => `models/team-a/blobs/sha256/${digestOf(b).slice(7)}`;
      // The manifest is gone at once; its blobs wait for the model-registry service's turn.
      expect(await bucket.exists(key(weights))).toBe(true);
      await release();
      expect(await (await deleted).json()).toEqual({ deletedBlobs: 2 });
      expect(await bucket.exists(key(weights))).toBe(false);
      expect(await bucket.exists(key(config))).toBe(false);
    } finally {
      await other.drain();
    }
  });

  it("sweeps every tenant's blobs that no manifest names, as the model-registry service does hourly", async () => {
    const orphanA = randomBytes(1000);
    const orphanB = randomBytes(1000);
    const kept = Buffer.from('framework: swept\n');
    expect((await putBlob(keyA, orphanA)).status).toBe(201);
    expect((await putBlob(keyB, orphanB)).status).toBe(201);
    expect((await putBlob(keyB, kept)).status).toBe(201);
    expect((await call(keyB, 'PUT', '/cv/swept/manifests/v1', manifestOf(kept, {}))).status).toBe(
      201,
    );
    await stack.sweepModels();
    const has = (tenant: string, b: Buffer) =>
      bucket.exists(`models/${tenant}/blobs/sha256/${digestOf(b).slice(7)}`);
    expect(await has('team-a', orphanA)).toBe(false);
    expect(await has('team-b', orphanB)).toBe(false);
    expect(await has('team-b', kept)).toBe(true);
  });

  it('points uploads and downloads at the gateway on a filesystem bucket, with a 302 on request', async () => {
    const bytes = randomBytes(10);
    await putBlob(keyA, bytes);
    const location = await call(
      keyA,
      'GET',
      `/nlp/bert/blobs/${digestOf(bytes)}/locations/download`,
    );
    expect(await location.json()).toEqual({
      url: `/models/v1/nlp/bert/blobs/${digestOf(bytes)}`,
      method: 'GET',
      presigned: false,
    });
    const redirect = await call(
      keyA,
      'GET',
      `/nlp/bert/blobs/${digestOf(bytes)}/locations/download?redirect=true`,
    );
    expect(redirect.status).toBe(302);
  });
});
