// Series deletion end to end: a platform admin's delete request is recorded in the control plane's
// audit trail, hides the samples at once from both read paths (a store gateway's blocks and the
// ingesters' heads), other series and tenants untouched, and the compactor then rewrites the block
// so that the samples leave the bucket.
import { type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { BucketBlockFiles, blockDir, isBlockUlid, listTenantBlocks } from '@strata/blocks';
import { type NatsBus } from '@strata/bus';
import { runTenantCycle } from '@strata/compactor';
import { type AuditEntry, type ControlPlaneSnapshot, type Page } from '@strata/contracts';
import { controlPlaneService } from '@strata/control-plane';
import { type RunningNatsServer, freePort } from '@strata/devstack';
import { type RunningGateway, startGateway } from '@strata/gateway';
import { ingesterService } from '@strata/ingester';
import { FilesystemBucket } from '@strata/objstore';
import { queryService } from '@strata/query';
import { encodeWriteRequestV1 } from '@strata/remote-write/testing';
import { routerService } from '@strata/router';
import { type RunningServices } from '@strata/service-kit';
import {
  type FreshDatabase,
  type TestSeries,
  freshDatabase,
  writeTestBlock,
} from '@strata/testing';
import {
  blockSeries,
  labelsFrom,
  labelsToString,
  openBlock,
  xorIteratorFromBytes,
} from '@strata/tsdb';
import {
  ADMIN_TOKEN,
  OPEN_QUOTA,
  clientBus,
  removeTestDirs,
  spawnStrata,
  startInProcess,
  startTestNats,
  stopChild,
  strataEnv,
} from '@strata/platform/testing';

jest.setTimeout(180_000);

const A = 'del-a';
const B = 'del-b';
const MIN = 60_000;
const H = 60 * MIN;
const NOW = Math.floor(Date.now() / H) * H;
/** A block of three hours ending an hour ago, in the bucket; the last hour in the ingesters. */
const BLOCK_FROM = NOW - 4 * H;
const BLOCK_TO = NOW - H;
/** The deleted range spans the end of the block and the start of the head. */
const DEL_FROM = NOW - 2 * H;
const DEL_TO = NOW - 30 * MIN;

const minutes = (from: number, to: number): number[] =>
  Array.from({ length: Math.floor((to - from) / MIN) }, (_, i) => from + i * MIN + 7_000);
const series = (from: number, to: number): TestSeries[] =>
  ['alice', 'bob'].map((user) => {
    const ts = minutes(from, to);
    return { labels: { __name__: 'logins_total', user }, timestamps: ts, values: ts.map(() => 1) };
  });

interface Matrix {
  status: string;
  data?: { result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> };
}

describe('delete_series: hidden at once from blocks and heads, then rewritten out of the bucket', () => {
  let nats: RunningNatsServer;
  let bus: NatsBus;
  let services: RunningServices;
  let gateway: RunningGateway;
  let store: ChildProcess;
  let bucket: FilesystemBucket;
  let dir: string;
  let db: FreshDatabase;

  const admin = (tenant?: string): Record<string, string> => ({
    authorization: `Bearer ${ADMIN_TOKEN}`,
    ...(tenant ? { 'x-scope-orgid': tenant } : {}),
  });
  /** The raw samples' timestamps of a series, as a range selector returns them (no lookback). */
  const timestamps = async (tenant: string, user: string): Promise<number[]> => {
    const qs = new URLSearchParams({
      query: `logins_total{user="${user}"}[5h]`,
      time: String(NOW / 1000),
    });
    const r = await fetch(`${gateway.url}/api/v1/query?${qs.toString()}`, {
      headers: admin(tenant),
    });
    const m = (await r.json()) as Matrix;
    if (m.status !== 'success') throw new Error(JSON.stringify(m));
    return (m.data?.result[0]?.values ?? []).map(([t]) => Math.round(t * 1000));
  };
  const deleteSeries = (tenant: string, query: string, requestId?: string): Promise<Response> =>
    fetch(`${gateway.url}/api/v1/admin/tenants/${tenant}/delete_series?${query}`, {
      method: 'POST',
      headers: { ...admin(), ...(requestId ? { 'x-request-id': requestId } : {}) },
    });
  const adminJson = async <T>(path: string, init: RequestInit = {}): Promise<T> => {
    const r = await fetch(`${gateway.url}${path}`, {
      ...init,
      headers: { ...admin(), ...(init.body ? { 'content-type': 'application/json' } : {}) },
    });
    if (r.status >= 300) throw new Error(`${path}: ${r.status} ${await r.text()}`);
    return (await r.json()) as T;
  };
  /** The tenant's recorded deletion requests, as the audit trail lists them. */
  const auditedDeletions = async (tenant: string): Promise<AuditEntry[]> =>
    (
      await adminJson<Page<AuditEntry>>(
        `/api/v1/admin/audit?tenant=${tenant}&type=SeriesDeletionRequested`,
      )
    ).items;
  const tombstones = async (tenant: string): Promise<string[]> => {
    const keys: string[] = [];
    for await (const key of bucket.list(`${tenant}/tombstones`)) keys.push(key);
    return keys;
  };

  beforeAll(async () => {
    const started = await startTestNats();
    nats = started.server;
    dir = started.dir;
    bucket = new FilesystemBucket(join(dir, 'bucket'));
    for (const t of [A, B])
      await writeTestBlock(bucket, join(dir, 'tmp'), t, series(BLOCK_FROM, BLOCK_TO), {
        minTime: BLOCK_FROM,
        maxTime: BLOCK_TO,
      });
    bus = await clientBus(nats);
    db = await freshDatabase('delete_series');
    const env = strataEnv(nats, join(dir, 'data'), {
      STRATA_BUCKET_URL: join(dir, 'bucket'),
      STRATA_STORE_SYNC_INTERVAL_SECONDS: '1',
      DATABASE_URL: db.url,
    });
    // The real control plane: the deletion requests' audit trail is what the spec reads back.
    services = await startInProcess(env, [
      controlPlaneService,
      routerService,
      ingesterService,
      queryService,
    ]);
    gateway = await startGateway({
      config: {
        adminToken: ADMIN_TOKEN,
        tenantHeader: 'x-scope-orgid',
        maxBodyBytes: 8 * 1024 * 1024,
        host: '127.0.0.1',
        port: await freePort(),
        tls: null,
      },
      bus,
      bucket,
    });
    for (const t of [A, B]) {
      await adminJson('/api/v1/admin/tenants', {
        method: 'POST',
        body: JSON.stringify({ tenantId: t, displayName: t }),
      });
      await adminJson(`/api/v1/admin/tenants/${t}/quota`, {
        method: 'PATCH',
        body: JSON.stringify(OPEN_QUOTA),
      });
    }
    store = await spawnStrata(
      'store',
      { ...env, STRATA_DATA_DIR: join(dir, 'store-data') },
      join(dir, 'store.log'),
    );
    for (const t of [A, B]) {
      const body = encodeWriteRequestV1({
        metadata: [],
        series: series(BLOCK_TO, NOW).map((s) => ({
          labels: labelsFrom(s.labels),
          timestamps: Float64Array.from(s.timestamps),
          values: Float64Array.from(s.values),
          exemplars: [],
        })),
      });
      await until(async () => {
        const r = await fetch(`${gateway.url}/api/v1/write`, {
          method: 'POST',
          headers: {
            ...admin(t),
            'content-type': 'application/x-protobuf',
            'content-encoding': 'snappy',
            'x-prometheus-remote-write-version': '0.1.0',
          },
          body,
        });
        return r.status === 204;
      });
    }
    // Both paths answer: the block's first minute (store) and the last one (ingesters).
    await until(async () => {
      const ts = await timestamps(A, 'alice');
      return ts.length === 4 * 60 && (await timestamps(B, 'alice')).length === 4 * 60;
    });
  });

  afterAll(async () => {
    await gateway?.close();
    await services?.stop();
    if (store) await stopChild(store);
    await bucket?.close();
    await bus?.drain();
    await nats?.process.stop();
    await db?.drop();
    removeTestDirs();
  });

  it('refuses a request without a matcher, with an empty selector or a reversed range', async () => {
    for (const q of [
      '',
      `match[]=${encodeURIComponent('{}')}`,
      `match[]=${encodeURIComponent('{user=~".*"}')}`,
      `match[]=${encodeURIComponent('logins_total{')}`,
      `match[]=logins_total&start=${NOW / 1000}&end=${NOW / 1000 - 60}`,
      `match[]=logins_total&start=yesterday`,
    ]) {
      const r = await deleteSeries(A, q);
      expect([q, r.status]).toEqual([q, 400]);
      const body = (await r.json()) as { code?: string; message?: string; error?: string };
      expect(JSON.stringify(body)).toMatch(/validation_failed/);
    }
    const listed = await fetch(`${gateway.url}/api/v1/admin/tenants/${A}/delete_series`, {
      headers: admin(),
    });
    expect(((await listed.json()) as { requests: unknown[] }).requests).toEqual([]);
    expect(await auditedDeletions(A)).toEqual([]);
  });

  it('refuses a tenant the control plane does not know, writing no tombstone', async () => {
    const r = await deleteSeries('del-nobody', `match[]=logins_total`);
    expect(r.status).toBe(404);
    expect(await tombstones('del-nobody')).toEqual([]);
    expect(await auditedDeletions('del-nobody')).toEqual([]);
  });

  it('hides the matched samples at once from the store gateway and the ingesters, then the compactor removes them from the block', async () => {
    const bobBefore = await timestamps(A, 'bob');
    const otherBefore = await timestamps(B, 'alice');
    const before = await adminJson<ControlPlaneSnapshot>(
      `/api/v1/admin/audit/replay?at=${encodeURIComponent(new Date().toISOString())}`,
    );
    const r = await deleteSeries(
      A,
      `match[]=${encodeURIComponent('logins_total{user="alice"}')}&start=${DEL_FROM / 1000}&end=${DEL_TO / 1000}`,
      'gdpr-ticket-4711',
    );
    expect(r.status).toBe(202);
    const request = (await r.json()) as { id: string; state: string; requestedBy: string };
    expect(request.state).toBe('pending');
    expect(request.requestedBy).toBe('platform-admin');

    // The audit trail says who asked, under which request, for what.
    const audited = await auditedDeletions(A);
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({
      streamId: `seriesdeletion-${A}.${request.id}`,
      tenantId: A,
      actor: 'platform-admin',
      actorKind: 'platform-admin',
      requestId: 'gdpr-ticket-4711',
      data: {
        tenantId: A,
        requestId: request.id,
        selectors: ['logins_total{user="alice"}'],
        minTime: DEL_FROM,
        maxTime: DEL_TO,
      },
    });
    expect(await auditedDeletions(B)).toEqual([]);
    // Replay holds the request from its position on, and not before.
    const after = await adminJson<ControlPlaneSnapshot>(
      `/api/v1/admin/audit/replay?position=${audited[0].position}`,
    );
    expect(after.seriesDeletions).toEqual([
      expect.objectContaining({
        tenantId: A,
        requestId: request.id,
        requestedBy: 'platform-admin',
      }),
    ]);
    expect(before.seriesDeletions).toBeUndefined();

    const alice = await timestamps(A, 'alice');
    // Kept: before the range (block) and after it (head); gone: the block's last hour and the
    // head's first half hour.
    expect(alice.filter((t) => t >= DEL_FROM && t <= DEL_TO)).toEqual([]);
    expect(alice.filter((t) => t < DEL_FROM)).toHaveLength(2 * 60);
    expect(alice.filter((t) => t > DEL_TO)).toHaveLength(30);
    expect(await timestamps(A, 'bob')).toEqual(bobBefore);
    expect(await timestamps(B, 'alice')).toEqual(otherBefore);

    const settings = {
      ranges: [2 * H, 8 * H],
      deleteDelayMs: H,
      partialUploadAgeMs: H,
      replicaLabels: new Set<string>(),
      dedupFunc: 'one-of' as const,
      workDir: join(dir, 'compactor'),
      downsample: { enabled: false, span5mMs: 40 * H, span1hMs: 240 * H },
    };
    const keep = { rawSeconds: 0, fiveMinutesSeconds: 0, oneHourSeconds: 0 };
    const first = await runTenantCycle(bucket, A, settings, keep);
    expect(first.rewrites).toHaveLength(1);
    expect(first.rewrites[0].removedSamples).toBe(60);
    // The heads' samples come to the bucket within two ingest block ranges; then it is applied.
    const later = await runTenantCycle(bucket, A, settings, keep, {
      now: () => Date.now() + 5 * H,
    });
    expect(later.deletionsApplied).toEqual([request.id]);
    const listed = await fetch(`${gateway.url}/api/v1/admin/tenants/${A}/delete_series`, {
      headers: admin(),
    });
    const [stored] = ((await listed.json()) as { requests: Array<{ state: string }> }).requests;
    expect(stored.state).toBe('applied');

    // Read back every block file of the tenant in the bucket, as the store would.
    const kept: number[] = [];
    for await (const key of bucket.list(A)) {
      const ulid = key.slice(A.length + 1, -1);
      if (!isBlockUlid(ulid)) continue;
      const reader = await openBlock(new BucketBlockFiles(bucket, blockDir(A, ulid)));
      for await (const s of blockSeries(reader)) {
        if (labelsToString(s.labels) !== '{__name__="logins_total", user="alice"}') continue;
        for (const c of s.chunks) {
          const it = xorIteratorFromBytes(c.data);
          while (it.next()) kept.push(it.t);
        }
      }
      await reader.close();
    }
    expect(kept.filter((t) => t >= DEL_FROM && t <= DEL_TO)).toEqual([]);
    expect(kept).toHaveLength(2 * 60);
    expect((await listTenantBlocks(bucket, A)).blocks).toHaveLength(1);
    // Once the store has listed the bucket again it serves the rewritten block: the same answer.
    await until(async () => JSON.stringify(await timestamps(A, 'alice')) === JSON.stringify(alice));
  });

  it("answers Prometheus' own path, the tenant named by the tenant header, with 204", async () => {
    const bobOfA = await timestamps(A, 'bob');
    const r = await fetch(
      `${gateway.url}/api/v1/admin/tsdb/delete_series?match[]=${encodeURIComponent('{user="bob"}')}`,
      { method: 'POST', headers: admin(B) },
    );
    expect(r.status).toBe(204);
    const [audited] = await auditedDeletions(B);
    expect(audited).toMatchObject({
      actor: 'platform-admin',
      data: { tenantId: B, selectors: ['{user="bob"}'] },
    });
    expect(await tombstones(B)).toEqual([
      `${B}/tombstones/${(audited.data as { requestId: string }).requestId}.json`,
    ]);
    expect(await timestamps(B, 'bob')).toEqual([]);
    // A series with every sample deleted is no series any more (Prometheus' `series` after a delete).
    const listed = await fetch(
      `${gateway.url}/api/v1/series?match[]=${encodeURIComponent('logins_total')}&start=${BLOCK_FROM / 1000}&end=${NOW / 1000}`,
      { headers: admin(B) },
    );
    expect(((await listed.json()) as { data: Array<Record<string, string>> }).data).toEqual([
      { __name__: 'logins_total', user: 'alice' },
    ]);
    expect(await timestamps(B, 'alice')).toHaveLength(4 * 60);
    expect(await timestamps(A, 'bob')).toEqual(bobOfA);
  });
});

async function until(ready: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      if (await ready()) return;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`not ready within ${ms} ms: ${String(last)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
