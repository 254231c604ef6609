import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type NatsBus } from '@strata/bus';
import {
  type RunningS3Server,
  startS3Server,
  type RunningNatsServer,
  type RunningPrometheus,
  startPrometheus,
  which,
} from '@strata/devstack';
import { type RunningGateway } from '@strata/gateway';
import { ingesterService } from '@strata/ingester';
import { type Bucket, FilesystemBucket, S3Bucket } from '@strata/objstore';
import { queryService } from '@strata/query';
import { encodeWriteRequestV1 } from '@strata/remote-write/testing';
import { routerService } from '@strata/router';
import { type RunningServices } from '@strata/service-kit';
import { type TestSeries, writeTestBlock } from '@strata/testing';
import { compareLabelsUtf8, encodeXorChunks, labelsFrom, writeBlock } from '@strata/tsdb';
import {
  OPEN_QUOTA,
  type TestKeys,
  clientBus,
  fakeControlPlane,
  removeTestDirs,
  spawnStrata,
  startInProcess,
  startTestGateway,
  startTestNats,
  stopChild,
  strataEnv,
} from '@strata/platform/testing';

jest.setTimeout(300_000);
// The store runs as a child process; keep its log when a run fails (see afterAll).

const A = 'lts-a';
const B = 'lts-b';
const KEYS: TestKeys = new Map([
  ['lts-a-write', { tenantId: A, scopes: ['write'] }],
  ['lts-a-read', { tenantId: A, scopes: ['read'] }],
  ['lts-b-read', { tenantId: B, scopes: ['read'] }],
]);
const MIN = 60_000;
const H = 60 * MIN;
const D = 24 * H;
const NOW = Math.floor(Date.now() / MIN) * MIN;
const START = NOW - 3 * D;
/** The newest block ends an hour ago; the ingesters hold the last two hours: one hour in both. */
const NEWEST_BLOCK_END = NOW - H;
const HEAD_START = NOW - 2 * H;

/**
 * One timestamp a minute in [from, to), 7 s past the minute: no sample sits on a range boundary of
 * the queries (on the minute), where Prometheus 2.42 (left-closed ranges) and 3 (left-open) differ.
 */
const minutes = (from: number, to: number) =>
  Array.from({ length: Math.floor((to - from) / MIN) }, (_, i) => from + i * MIN + 7_000);

/** Tenant A's series, one sample a minute over three days: two counters (one resets) and a gauge. */
function seriesA(from: number, to: number): TestSeries[] {
  const ts = minutes(from, to);
  const reset = START + 36 * H;
  return [
    {
      labels: { __name__: 'http_requests_total', job: 'api', instance: 'a' },
      timestamps: ts,
      values: ts.map((t) => (t - START) / MIN),
    },
    {
      labels: { __name__: 'http_requests_total', job: 'api', instance: 'b' },
      timestamps: ts,
      values: ts.map((t) => (t < reset ? (t - START) / MIN : (t - reset) / MIN) * 2),
    },
    {
      labels: { __name__: 'temperature', room: 'lab' },
      timestamps: ts,
      values: ts.map((t) => 20 + 5 * Math.sin((t - START) / (7 * H))),
    },
  ];
}

/** Tenant B shares A's series names with values no answer to A may contain. */
function seriesB(): TestSeries[] {
  const ts = minutes(START, NEWEST_BLOCK_END);
  return [
    {
      labels: { __name__: 'http_requests_total', job: 'api', instance: 'a' },
      timestamps: ts,
      values: ts.map(() => 1e9),
    },
    { labels: { __name__: 'b_secret' }, timestamps: ts, values: ts.map(() => 7) },
  ];
}

interface Matrix {
  status: string;
  warnings?: string[];
  data: {
    resultType: string;
    result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }>;
  };
}

/**
 * Long-term storage end to end, on a filesystem bucket and on S3 (s3rver): blocks written with
 * `writeBlock` into the bucket for tenants A (three days) and B, a store gateway started as the
 * platform starts it (`apps/strata --target=store`, its own NATS identity), and the in-process
 * router, ingesters and query service holding A's last two hours, one of which is also in A's
 * newest block. Range queries through the gateway must equal Debian's Prometheus 2.42 given the
 * same blocks plus a block of the recent samples (Prometheus merges overlapping blocks, counting
 * each sample once).
 */
(which('prometheus') ? describe.each : describe.skip.each)([
  ['a filesystem', 'filesystem' as const],
  ['an S3 (s3rver)', 's3' as const],
])('long-term storage: store gateway on %s bucket and ingesters behind one query', (_, kind) => {
  let nats: RunningNatsServer;
  let bus: NatsBus;
  let services: RunningServices;
  let gateway: RunningGateway;
  let store: ChildProcess;
  let prometheus: RunningPrometheus;
  let bucket: Bucket;
  let s3: RunningS3Server | null = null;
  let dir: string;
  const notes: string[] = [];
  /** The last answer while waiting, for the failure message. */
  let last = '';

  beforeAll(async () => {
    const started = await startTestNats();
    nats = started.server;
    dir = started.dir;
    const opened = await openTestBucket(kind, dir);
    bucket = opened.bucket;
    s3 = opened.s3;
    const promData = join(dir, 'prom');
    mkdirSync(promData, { recursive: true });

    // A's blocks go to the bucket and, byte for byte, into Prometheus' storage directory.
    for (const [from, to] of [
      [START, START + D],
      [START + D, START + 2 * D],
      [START + 2 * D, NEWEST_BLOCK_END],
    ])
      await writeTestBlock(bucket, promData, A, seriesA(from, to), {
        minTime: from,
        maxTime: to,
      });
    await writeTestBlock(bucket, join(dir, 'tmp'), B, seriesB());
    // Prometheus gets the recent samples as one more (overlapping) block; Strata gets them by remote write.
    const recent = seriesA(HEAD_START, NOW);
    await writeBlock({
      parentDir: promData,
      series: recent
        .map((s) => ({
          labels: labelsFrom(s.labels),
          chunks: encodeXorChunks(s.timestamps, s.values),
        }))
        .sort((x, y) => compareLabelsUtf8(x.labels, y.labels)),
    });

    bus = await clientBus(nats);
    fakeControlPlane(
      bus,
      new Map([
        [A, OPEN_QUOTA],
        [B, OPEN_QUOTA],
      ]),
      KEYS,
    );
    const env = strataEnv(nats, join(dir, 'data'), {
      ...opened.env,
      STRATA_STORE_SYNC_INTERVAL_SECONDS: '1',
    });
    store = await spawnStrata(
      'store',
      { ...env, STRATA_DATA_DIR: join(dir, 'store-data') },
      join(dir, 'store.log'),
    );
    services = await startInProcess(env, [routerService, ingesterService, queryService]);
    gateway = await startTestGateway(bus, 8 * 1024 * 1024);
    prometheus = await startPrometheus({ dir, flags: ['--storage.tsdb.retention.time=30d'] });

    const body = encodeWriteRequestV1({
      metadata: [],
      series: recent.map((s) => ({
        labels: labelsFrom(s.labels),
        timestamps: Float64Array.from(s.timestamps),
        values: Float64Array.from(s.values),
        exemplars: [],
      })),
    });
    await until(
      60_000,
      async () =>
        (await postWrite(`${gateway.url}/api/v1/write`, body, 'lts-a-write')).status === 204,
    );
    // Acknowledged writes are applied right after; the store answers once its first listing is in.
    await until(
      120_000,
      async () => {
        // 72 hourly points (none at START: samples are 7 s past the minute), the first in the oldest
        // block and the last (now) only in the ingesters.
        const m = await strata('count_over_time(temperature[1m])', START, NOW, 'lts-a-read', '1h');
        const values = m.data?.result[0]?.values ?? [];
        last = JSON.stringify(m).slice(0, 500);
        return (
          m.status === 'success' &&
          values.length === 72 &&
          values[71][0] === NOW / 1000 &&
          values[71][1] === '1'
        );
      },
      () => last,
    );
  });

  afterAll(async () => {
    process.stdout.write(
      `long-term spec (Prometheus ${prometheus?.version}):\n${notes.map((n) => `  ${n}\n`).join('')}`,
    );
    await prometheus?.stop();
    await gateway?.close();
    await services?.stop();
    if (store) await stopChild(store);
    await bucket?.close();
    await s3?.process.stop();
    await bus?.drain();
    await nats?.process.stop();

    removeTestDirs();
  });

  const strata = async (
    query: string,
    start: number,
    end: number,
    key: string,
    step = '10m',
  ): Promise<Matrix> => {
    const qs = new URLSearchParams({
      query,
      start: String(start / 1000),
      end: String(end / 1000),
      step,
    });
    const res = await fetch(`${gateway.url}/api/v1/query_range?${qs.toString()}`, {
      headers: { authorization: `Bearer ${key}` },
    });
    return (await res.json()) as Matrix;
  };
  const prom = async (query: string, start: number, end: number, step = '10m'): Promise<Matrix> => {
    const qs = new URLSearchParams({
      query,
      start: String(start / 1000),
      end: String(end / 1000),
      step,
    });
    return (await (
      await fetch(`${prometheus.url}/api/v1/query_range?${qs.toString()}`)
    ).json()) as Matrix;
  };

  it.each([
    ['http_requests_total', '10m'],
    ['temperature', '7m'],
    ['rate(http_requests_total[5m])', '10m'],
    ['sum by (job) (increase(http_requests_total[1h]))', '30m'],
    ['count_over_time(temperature[10m])', '1m'],
    ['sum_over_time(temperature[2h])', '15m'],
    ['max_over_time(http_requests_total[1d])', '1h'],
    ['resets(http_requests_total[6h])', '1h'],
  ])('%s over three days (step %s) equals Prometheus on the same samples', async (query, step) => {
    const [ours, theirs] = await Promise.all([
      strata(query, START, NOW, 'lts-a-read', step),
      prom(query, START, NOW, step),
    ]);
    expect(theirs.status).toBe('success');
    expect(ours.status).toBe('success');
    expect(theirs.data.result.length).toBeGreaterThan(0);
    expectSameMatrix(ours, theirs);
    notes.push(
      `${query} step ${step}: ${ours.data.result.reduce((n, r) => n + r.values.length, 0)} points equal`,
    );
  });

  it('counts a sample held by both the newest block and an ingester once', async () => {
    // One sample a minute: every 10-minute window inside the overlap holds exactly ten.
    const m = await strata(
      'count_over_time(temperature[10m])',
      HEAD_START + 10 * MIN,
      NEWEST_BLOCK_END,
      'lts-a-read',
      '5m',
    );
    expect(m.data.result).toHaveLength(1);
    expect(m.data.result[0].values.length).toBeGreaterThan(10);
    expect(new Set(m.data.result[0].values.map(([, v]) => v))).toEqual(new Set(['10']));
  });

  it("never shows B's blocks to A, nor A's to B", async () => {
    const a = await strata('http_requests_total{instance="a"}', START, NOW, 'lts-a-read', '1h');
    expect(a.data.result).toHaveLength(1);
    expect(a.data.result[0].values.some(([, v]) => v === '1000000000')).toBe(false);
    expect((await strata('b_secret', START, NOW, 'lts-a-read', '1h')).data.result).toEqual([]);
    const b = await strata('http_requests_total', START, NOW, 'lts-b-read', '1h');
    expect(b.data.result.map((r) => r.metric)).toEqual([
      { __name__: 'http_requests_total', instance: 'a', job: 'api' },
    ]);
    expect(new Set(b.data.result[0].values.map(([, v]) => v))).toEqual(new Set(['1000000000']));
    expect((await strata('temperature', START, NOW, 'lts-b-read', '1h')).data.result).toEqual([]);
  });

  it('serves a block uploaded after start once the store has listed the bucket again', async () => {
    const late: TestSeries[] = [
      {
        labels: { __name__: 'late_metric', job: 'backfill' },
        timestamps: minutes(START + 6 * H, START + 7 * H),
        values: minutes(START + 6 * H, START + 7 * H).map((_, i) => i),
      },
    ];
    expect((await strata('late_metric', START, NOW, 'lts-a-read', '1m')).data.result).toEqual([]);
    await writeTestBlock(bucket, join(dir, 'tmp'), A, late);
    await until(
      60_000,
      async () =>
        (await strata('late_metric', START, NOW, 'lts-a-read', '1m')).data.result.length === 1,
    );
    const m = await strata('late_metric', START + 6 * H + MIN, START + 7 * H, 'lts-a-read', '1m');
    expect(m.data.result[0].values.map(([, v]) => Number(v))).toEqual(late[0].values);
  });
});

/** A fresh bucket of the kind, and the environment that points a Strata process at it. */
async function openTestBucket(
  kind: 'filesystem' | 's3',
  dir: string,
): Promise<{ bucket: Bucket; s3: RunningS3Server | null; env: Record<string, string> }> {
  if (kind === 'filesystem') {
    const root = join(dir, 'bucket');
    return { bucket: new FilesystemBucket(root), s3: null, env: { STRATA_BUCKET_URL: root } };
  }
  const s3 = await startS3Server({ dataDir: join(dir, 's3') });
  const credentials = { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey };
  const admin = new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    credentials,
  });
  await admin.send(new CreateBucketCommand({ Bucket: 'strata-lts' }));
  admin.destroy();
  return {
    bucket: new S3Bucket({
      bucket: 'strata-lts',
      prefix: 'blocks',
      endpoint: s3.endpoint,
      region: s3.region,
      forcePathStyle: true,
      credentials,
    }),
    s3,
    env: {
      STRATA_BUCKET_URL: 's3://strata-lts/blocks',
      AWS_ENDPOINT_URL: s3.endpoint,
      AWS_REGION: s3.region,
      AWS_ACCESS_KEY_ID: s3.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
      STRATA_S3_FORCE_PATH_STYLE: 'true',
    },
  };
}

/** Same series and points; values equal to 1e-9 relative (PromQL functions in Go and TypeScript round alike, but not bit for bit everywhere). */
function expectSameMatrix(ours: Matrix, theirs: Matrix): void {
  const key = (m: Record<string, string>) => JSON.stringify(Object.entries(m).sort());
  expect(ours.data.result.map((r) => key(r.metric))).toEqual(
    theirs.data.result.map((r) => key(r.metric)),
  );
  for (let i = 0; i < theirs.data.result.length; i++) {
    const a = ours.data.result[i].values;
    const b = theirs.data.result[i].values;
    expect(a.map(([t]) => t)).toEqual(b.map(([t]) => t));
    for (let j = 0; j < b.length; j++) {
      const x = Number(a[j][1]);
      const y = Number(b[j][1]);
      if (!(x === y || Math.abs(x - y) <= 1e-9 * Math.max(Math.abs(x), Math.abs(y))))
        throw new Error(
          `${key(theirs.data.result[i].metric)} at ${b[j][0]}: ${a[j][1]} vs Prometheus ${b[j][1]}`,
        );
    }
  }
}

function postWrite(url: string, payload: Buffer, key: string): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': 'application/x-protobuf',
      'content-encoding': 'snappy',
      'x-prometheus-remote-write-version': '0.1.0',
    },
    body: payload,
  });
}

/** Polls `ready` every 200 ms until it holds; throws when `ms` have passed. */
async function until(ms: number, ready: () => Promise<boolean>, what = () => ''): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      if (await ready()) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`not ready within ${ms} ms ${what()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
