import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { type BlobLocation, type MultipartUploadLocation } from '@strata/contracts';
import { type RunningS3Server, startS3Server } from '@strata/devstack';
import { S3Bucket } from '@strata/objstore';
import { startModelStack, type ModelStack } from '../../testing';

jest.setTimeout(120_000);

const MiB = 1 << 20;
const PART = 5 * MiB;
const digestOf = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/**
 * Direct uploads on S3 (s3rver): blob bytes go from the client to presigned part URLs, never
 * through the gateway, which checks the staged bytes' sha256 before they become a blob.
 */
describe('direct (presigned multipart) model uploads on s3rver', () => {
  let dir: string;
  let server: RunningS3Server;
  let bucket: S3Bucket;
  let stack: ModelStack;
  let keyA: string;
  let keyB: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strata-models-direct-'));
    server = await startS3Server({ dataDir: dir });
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
    // Abandoned uploads are dropped by the first sweep: the last case calls it.
    stack = await startModelStack({
      bucket,
      gcGraceMs: 0,
      uploadGraceMs: 0,
      directUploads: { partBytes: PART, minBytes: MiB },
    });
    keyA = await stack.createTenant('team-a');
    keyB = await stack.createTenant('team-b');
  });
  afterAll(async () => {
    await stack?.close();
    await bucket?.close();
    await server?.process.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const call = (key: string, method: string, path: string, body?: string) =>
    fetch(`${stack.url}${path.startsWith('/models/') ? '' : '/models/v1'}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body,
      redirect: 'manual',
    });
  const locate = async (key: string, digest: string, size: number) => {
    const response = await call(
      key,
      'GET',
      `/nlp/bert/blobs/${digest}/locations/upload?size=${size}`,
    );
    return { status: response.status, body: (await response.json()) as BlobLocation };
  };
  /** PUTs the part straight to S3 and reports its ETag to the gateway. */
  const sendPart = async (
    key: string,
    upload: MultipartUploadLocation,
    bytes: Buffer,
    partNumber: number,
  ) => {
    const part = upload.parts.find((p) => p.partNumber === partNumber);
    if (!part) throw new Error(`part ${partNumber} is not asked for`);
    const start = (partNumber - 1) * upload.partSize;
    const sent = await fetch(part.url, {
      method: 'PUT',
      body: bytes.subarray(start, start + part.size),
    });
    expect(sent.status).toBe(200);
    const etag = sent.headers.get('etag') ?? '';
    const reported = await call(
      key,
      'PUT',
      `${upload.report}/${partNumber}`,
      JSON.stringify({ etag }),
    );
    expect(reported.status).toBe(204);
  };
  const keysOf = async (tenant: string, what: 'blobs' | 'uploads') => {
    const keys: string[] = [];
    for await (const key of bucket.list(`models/${tenant}/${what}`, { recursive: true }))
      keys.push(key);
    return keys;
  };

  it('sends every part straight to S3, then stores the blob once its digest is checked; the gateway reads no blob byte', async () => {
    const bytes = randomBytes(3 * PART + 1234);
    const digest = digestOf(bytes);
    const before = stack.receivedBytes();
    const { status, body } = await locate(keyA, digest, bytes.length);
    expect(status).toBe(200);
    expect(body).toMatchObject({ method: 'PUT', presigned: true });
    const upload = body.multipart as MultipartUploadLocation;
    expect(upload.parts.map((p) => [p.partNumber, p.size])).toEqual([
      [1, PART],
      [2, PART],
      [3, PART],
      [4, 1234],
    ]);
    expect(upload.uploaded).toEqual([]);
    expect(upload.parts[0].url).toMatch(new RegExp(`^${server.endpoint}/.*X-Amz-Signature=`));
    await Promise.all([1, 2, 3, 4].map((n) => sendPart(keyA, upload, bytes, n)));
    expect(await keysOf('team-a', 'blobs')).toEqual([]);
    const completed = await call(keyA, 'POST', upload.complete);
    expect(completed.status).toBe(201);
    expect(await completed.json()).toEqual({ digest, size: bytes.length, created: true });
    // Locations, reports and the completion are a few KiB of headers and JSON in all.
    expect(stack.receivedBytes() - before).toBeLessThan(64 * 1024);

    const head = await call(keyA, 'HEAD', `/nlp/bert/blobs/${digest}`);
    expect(head.status).toBe(200);
    const whole = await call(keyA, 'GET', `/nlp/bert/blobs/${digest}`);
    expect(Buffer.from(await whole.arrayBuffer()).equals(bytes)).toBe(true);
    // Nothing staged is left, and asking again says the blob is there.
    expect(await keysOf('team-a', 'uploads')).toEqual([]);
    expect((await locate(keyA, digest, bytes.length)).body).toMatchObject({ exists: true });
  });

  it('resumes an interrupted upload where it stopped: the parts sent are not asked for again', async () => {
    const bytes = randomBytes(4 * PART);
    const digest = digestOf(bytes);
    const first = (await locate(keyA, digest, bytes.length)).body
      .multipart as MultipartUploadLocation;
    await sendPart(keyA, first, bytes, 1);
    await sendPart(keyA, first, bytes, 2);
    const early = await call(keyA, 'POST', first.complete);
    expect(early.status).toBe(400);
    expect(await early.json()).toMatchObject({
      error: { reason: 'parts_missing', fields: [{ message: '3' }, { message: '4' }] },
    });

    // A report is a key in the bucket: an ETag that could bend it, or a part beyond the last, is refused.
    for (const [part, etag] of [
      [3, '../../blobs/sha256/x'],
      [5, 'abc'],
    ] as const) {
      const refused = await call(keyA, 'PUT', `${first.report}/${part}`, JSON.stringify({ etag }));
      expect(refused.status).toBe(400);
    }

    // The client died; a new run asks again with the same digest and size.
    const again = (await locate(keyA, digest, bytes.length)).body
      .multipart as MultipartUploadLocation;
    expect(again.uploadId).toBe(first.uploadId);
    expect(again.uploaded).toEqual([
      { partNumber: 1, size: PART },
      { partNumber: 2, size: PART },
    ]);
    expect(again.parts.map((p) => p.partNumber)).toEqual([3, 4]);
    await sendPart(keyA, again, bytes, 3);
    await sendPart(keyA, again, bytes, 4);
    expect((await call(keyA, 'POST', again.complete)).status).toBe(201);
    const whole = await call(keyA, 'GET', `/nlp/bert/blobs/${digest}`);
    expect(Buffer.from(await whole.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('answers 400 digest_mismatch for bytes that are not the digest, keeping neither a blob nor the staged bytes', async () => {
    const claimed = randomBytes(2 * PART);
    const sent = randomBytes(2 * PART);
    const digest = digestOf(claimed);
    const blobsBefore = await keysOf('team-a', 'blobs');
    const upload = (await locate(keyA, digest, claimed.length)).body
      .multipart as MultipartUploadLocation;
    await sendPart(keyA, upload, sent, 1);
    await sendPart(keyA, upload, sent, 2);
    const refused = await call(keyA, 'POST', upload.complete);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: { reason: 'digest_mismatch' } });
    expect(await keysOf('team-a', 'blobs')).toEqual(blobsBefore);
    expect(await keysOf('team-a', 'uploads')).toEqual([]);
    expect((await call(keyA, 'HEAD', `/nlp/bert/blobs/${digest}`)).status).toBe(404);
  });

  it("keeps tenants apart: B can neither report to nor complete A's upload, nor see its parts", async () => {
    const bytes = randomBytes(2 * PART);
    const digest = digestOf(bytes);
    const upload = (await locate(keyA, digest, bytes.length)).body
      .multipart as MultipartUploadLocation;
    await sendPart(keyA, upload, bytes, 1);

    const report = await call(keyB, 'PUT', `${upload.report}/1`, JSON.stringify({ etag: 'abc' }));
    expect(report.status).toBe(404);
    const complete = await call(keyB, 'POST', upload.complete);
    expect(complete.status).toBe(404);
    const own = (await locate(keyB, digest, bytes.length)).body
      .multipart as MultipartUploadLocation;
    expect(own.uploadId).not.toBe(upload.uploadId);
    expect(own.uploaded).toEqual([]);

    await sendPart(keyA, upload, bytes, 2);
    expect((await call(keyA, 'POST', upload.complete)).status).toBe(201);
    // A's blob is no oracle for B, and B's own upload was untouched by A's.
    expect((await call(keyB, 'HEAD', `/nlp/bert/blobs/${digest}`)).status).toBe(404);
    const stillB = (await locate(keyB, digest, bytes.length)).body
      .multipart as MultipartUploadLocation;
    expect(stillB.uploadId).toBe(own.uploadId);
  });

  it('redirects (302) to the one part URL of a single-part upload, refuses a redirect with several, and 413s beyond the quota before starting', async () => {
    const small = randomBytes(2 * MiB);
    const single = await call(
      keyA,
      'GET',
      `/nlp/bert/blobs/${digestOf(small)}/locations/upload?size=${small.length}&redirect=true`,
    );
    expect(single.status).toBe(302);
    expect(single.headers.get('location')).toMatch(
      /partNumber=1.*X-Amz-Signature=|X-Amz-Signature=.*partNumber=1/,
    );
    const several = await call(
      keyA,
      'GET',
      `/nlp/bert/blobs/${digestOf(randomBytes(8))}/locations/upload?size=${3 * PART}&redirect=true`,
    );
    expect(several.status).toBe(400);

    await stack.setModelQuota('team-b', 10 * MiB);
    const tooBig = randomBytes(8);
    const refused = await locate(keyB, digestOf(tooBig), 11 * MiB);
    expect(refused.status).toBe(413);
    expect(
      (await keysOf('team-b', 'uploads')).filter((k) => k.includes(digestOf(tooBig).slice(7))),
    ).toEqual([]);
    await stack.setModelQuota('team-b', 0);
  });

  it('aborts uploads abandoned past the grace period in the sweep, so the next attempt starts afresh', async () => {
    const bytes = randomBytes(2 * PART);
    const digest = digestOf(bytes);
    const upload = (await locate(keyA, digest, bytes.length)).body
      .multipart as MultipartUploadLocation;
    await sendPart(keyA, upload, bytes, 1);
    expect((await keysOf('team-a', 'uploads')).length).toBeGreaterThan(0);
    await stack.sweepModels();
    expect(await keysOf('team-a', 'uploads')).toEqual([]);
    expect((await call(keyA, 'POST', upload.complete)).status).toBe(404);
    const fresh = (await locate(keyA, digest, bytes.length)).body
      .multipart as MultipartUploadLocation;
    expect(fresh.uploadId).not.toBe(upload.uploadId);
    expect(fresh.uploaded).toEqual([]);
  });
});
