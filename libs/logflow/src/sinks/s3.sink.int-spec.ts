import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { type LogRecord } from '@strata/contracts';
import { type RunningS3Server, startS3Server } from '@strata/devstack';
import { deliverToSink } from './sink-delivery';
import { createSink } from './sink-factory';

jest.setTimeout(60_000);

const at = (iso: string) => `${Date.parse(iso)}000000`;
const rec = (i: number, iso: string): LogRecord => ({
  timestampNs: at(iso),
  line: `line ${i} ${'x'.repeat(200)}`,
  labels: { app: 'api' },
  fields: { i },
});

describe('S3 sink against s3rver', () => {
  let dir: string;
  let server: RunningS3Server;
  let admin: S3Client;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'logflow-s3-'));
    server = await startS3Server({ dataDir: dir });
    admin = new S3Client({
      endpoint: server.endpoint,
      region: server.region,
      forcePathStyle: true,
      credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    });
    await admin.send(new CreateBucketCommand({ Bucket: 'logs' }));
  });
  afterAll(async () => {
    admin?.destroy();
    await server?.process.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes gzipped NDJSON by tenant, date and hour, split by size, and a redelivery overwrites its own objects', async () => {
    const sink = createSink(
      {
        type: 's3',
        inputs: ['source'],
        bucket: 'logs',
        prefix: 'strata',
        endpoint: server.endpoint,
        region: server.region,
        access_key_id: server.accessKeyId,
        secret_access_key: server.secretAccessKey,
        force_path_style: true,
        max_object_bytes: 2048,
      },
      { fileRoot: dir },
    );
    const records = [
      ...Array.from({ length: 20 }, (_, i) => rec(i, '2026-12-05T02:10:00Z')),
      rec(20, '2026-12-05T03:00:00Z'),
    ];
    const ctx = { tenantId: 'acme', batchId: 'b/1', stopping: new AbortController().signal };
    expect(await deliverToSink(sink, records, undefined, ctx)).toMatchObject({ delivered: 21 });
    // The same batch again, as after a crash before its acknowledgement.
    await deliverToSink(sink, records, undefined, ctx);
    await sink.close?.();

    const listed = await admin.send(new ListObjectsV2Command({ Bucket: 'logs' }));
    const keys = (listed.Contents ?? []).map((o) => o.Key ?? '').sort();
    expect(
      keys.every((k) => /^strata\/acme\/2026-12-05\/0[23]\/b_1-\d+\.ndjson\.gz$/.test(k)),
    ).toBe(true);
    expect(keys.filter((k) => k.includes('/02/')).length).toBeGreaterThan(1);
    expect(keys.filter((k) => k.includes('/03/'))).toEqual([
      'strata/acme/2026-12-05/03/b_1-0.ndjson.gz',
    ]);
    const lines: string[] = [];
    for (const key of keys) {
      const got = await admin.send(new GetObjectCommand({ Bucket: 'logs', Key: key }));
      const text = gunzipSync(Buffer.from(await got.Body!.transformToByteArray())).toString('utf8');
      expect(text.endsWith('\n')).toBe(true);
      lines.push(...text.trimEnd().split('\n'));
    }
    expect(
      lines.map((l) => (JSON.parse(l) as { fields: { i: number } }).fields.i).sort((a, b) => a - b),
    ).toEqual(Array.from({ length: 21 }, (_, i) => i));
  });
});
