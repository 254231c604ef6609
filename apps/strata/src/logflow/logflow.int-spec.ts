import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type NatsBus } from '@strata/bus';
import {
  type CommandAccepted,
  type ControlCommand,
  type LogDeadLetter,
  LogflowStreams,
  LogsStreams,
  KvBuckets,
  LogCounterState,
  logCounterKey,
  type PipelineSpecInput,
  SECRET_MASK,
  Subjects,
} from '@strata/contracts';
import { controlPlaneService } from '@strata/control-plane';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { Client } from 'pg';
import { freePort, type RunningNatsServer, startS3Server } from '@strata/devstack';
import { gatewayService } from '@strata/gateway';
import { logflowService } from '@strata/logflow';
import { SinkServer, logBatch, logRecord, publishLogBatch } from '@strata/logflow/testing';
import {
  clientBus,
  removeTestDirs,
  startInProcess,
  startTestNats,
  strataEnv,
} from '@strata/platform/testing';
import { type RunningServices } from '@strata/service-kit';
import { freshDatabase, type FreshDatabase } from '@strata/testing';

jest.setTimeout(120_000);

const TOKEN = 'logflow-spec-admin-token-0123456789';

const consumerOf = (tenant: string, pipeline: string) => `logflow-${tenant}-${pipeline}`;

async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('logflow: tenant pipelines from STRATA_LOGS to sinks, configured through the control plane', () => {
  let nats: RunningNatsServer;
  let dir: string;
  let bus: NatsBus;
  let db: FreshDatabase;
  let platform: RunningServices;
  let sinks: SinkServer;
  let gateway = '';
  let requests = 0;
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${gateway}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${TOKEN}`,
        ...(init.body ? { 'content-type': 'application/json' } : {}),
        ...(init.headers as Record<string, string>),
      },
    });

  const command = (c: ControlCommand) =>
    bus.request<object, CommandAccepted>(Subjects.controlCommand, {
      command: c,
      context: {
        actor: 'spec',
        actorKind: 'platform-admin',
        sourceAddress: '127.0.0.1',
        requestId: `req-${++requests}`,
      },
    });
  const consumerReady = (tenant: string, pipeline: string) =>
    waitFor(() =>
      bus.consumerBacklog(LogsStreams.batches.name, consumerOf(tenant, pipeline)).then(
        () => true,
        () => false,
      ),
    );
  const configure = async (tenantId: string, pipeline: PipelineSpecInput) => {
    await command({ type: 'ConfigurePipeline', tenantId, pipeline: pipeline as never });
    await consumerReady(tenantId, pipeline.name);
  };
  const backlog = (tenant: string, pipeline: string) =>
    bus.consumerBacklog(LogsStreams.batches.name, consumerOf(tenant, pipeline));

  beforeAll(async () => {
    ({ server: nats, dir } = await startTestNats());
    bus = await clientBus(nats);
    db = await freshDatabase('logflow');
    sinks = await SinkServer.start();
    const port = await freePort();
    gateway = `http://127.0.0.1:${port}`;
    platform = await startInProcess(
      strataEnv(nats, join(dir, 'data'), {
        DATABASE_URL: db.url,
        STRATA_LOGFLOW_FILE_ROOT: join(dir, 'files'),
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: String(port),
        STRATA_ADMIN_TOKEN: TOKEN,
      }),
      [gatewayService, controlPlaneService, logflowService],
    );
    for (const tenantId of ['acme', 'globex'])
      await command({ type: 'CreateTenant', tenantId, displayName: tenantId });
  });

  afterAll(async () => {
    await platform?.stop();
    await sinks?.stop();
    await bus?.drain();
    await nats?.process.stop();
    await db?.drop();
    removeTestDirs();
  });

  it('manages pipelines over REST and GraphQL, refusing bad ones with the path of each problem', async () => {
    const spec = {
      transforms: { kv: { type: 'parse_logfmt', inputs: ['source'] } },
      sinks: { out: { type: 'blackhole', inputs: ['kv'] } },
    };
    const put = await api('/api/v1/admin/tenants/acme/log-pipelines/rest', {
      method: 'PUT',
      body: JSON.stringify(spec),
    });
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({
      tenantId: 'acme',
      version: 1,
      pipeline: { name: 'rest' },
    });
    const bad = await api('/api/v1/admin/tenants/acme/log-pipelines/bad', {
      method: 'PUT',
      body: JSON.stringify({
        transforms: { re: { type: 'parse_regex', inputs: ['kv'], pattern: '(?P<x>' } },
        sinks: { out: { type: 'blackhole', inputs: ['re', 'missing'] } },
      }),
    });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: { fields: Array<{ path: string }> } };
    expect(body.error.fields.map((f) => f.path)).toEqual([
      'pipeline.transforms.re.pattern',
      'pipeline.transforms.re.inputs.0',
      'pipeline.sinks.out.inputs.1',
    ]);
    const gql = async (query: string, variables: object = {}) =>
      (await (
        await api('/graphql', { method: 'POST', body: JSON.stringify({ query, variables }) })
      ).json()) as { data?: Record<string, unknown>; errors?: unknown[] };
    const configured = await gql(
      `mutation ($p: JSON!) { configureLogPipeline(tenantId: "acme", pipeline: $p) { name version } }`,
      { p: { ...spec, name: 'graphql' } },
    );
    expect(configured.data).toEqual({ configureLogPipeline: { name: 'graphql', version: 1 } });
    expect((await gql('query { logPipelines(tenantId: "acme") { name } }')).data).toEqual({
      logPipelines: [{ name: 'graphql' }, { name: 'rest' }],
    });
    await consumerReady('acme', 'graphql');
    expect(
      (await gql('mutation { deleteLogPipeline(tenantId: "acme", name: "graphql") }')).data,
    ).toEqual({ deleteLogPipeline: true });
    expect(
      (await api('/api/v1/admin/tenants/acme/log-pipelines/rest', { method: 'DELETE' })).status,
    ).toBe(204);
    // A deleted pipeline's consumer goes with it.
    await waitFor(() =>
      bus.consumerBacklog(LogsStreams.batches.name, consumerOf('acme', 'graphql')).then(
        () => false,
        () => true,
      ),
    );
  });

  it('parses JSON, drops debug lines, routes errors to a file and everything to Loki, per tenant', async () => {
    const pipeline = (tenant: string): PipelineSpecInput => ({
      name: 'app',
      transforms: {
        json: { type: 'parse_json', inputs: ['source'] },
        nodebug: { type: 'filter', inputs: ['json'], condition: 'fields.level != "debug"' },
        by_level: {
          type: 'route',
          inputs: ['nodebug'],
          routes: { errors: 'fields.level = "error"' },
        },
      },
      sinks: {
        errors: { type: 'file', inputs: ['by_level.errors'], path: 'errors.log', encoding: 'text' },
        loki: {
          type: 'loki',
          inputs: ['nodebug'],
          url: sinks.url,
          labels: { app: 'labels.app', level: 'fields.level' },
          tenant_id: tenant,
        },
      },
    });
    await configure('acme', pipeline('acme'));
    await configure('globex', pipeline('globex'));
    const lines = (tenant: string, b: number, n: number) =>
      Array.from({ length: n }, (_, i) =>
        logRecord(
          JSON.stringify({ level: ['info', 'debug', 'error'][i % 3], msg: `${tenant}-b${b} ${i}` }),
          { app: tenant },
        ),
      );
    for (let b = 0; b < 10; b++) {
      await publishLogBatch(bus, logBatch('acme', lines('acme', b, 30)));
      await publishLogBatch(bus, logBatch('globex', lines('globex', b, 30)));
    }
    // 10 batches x 30 lines, two thirds kept, for each of two tenants.
    await waitFor(() => sinks.loki.length >= 400);
    await waitFor(async () => (await backlog('acme', 'app')) === 0);
    await waitFor(async () => (await backlog('globex', 'app')) === 0);
    expect(sinks.malformed).toEqual([]);
    expect(sinks.loki).toHaveLength(400);
    const acme = sinks.loki.filter((e) => e.labels.includes('app="acme"'));
    expect(acme).toHaveLength(200);
    expect(acme.every((e) => e.line.includes('"acme-b'))).toBe(true);
    expect(sinks.loki.some((e) => e.line.includes('"level":"debug"'))).toBe(false);
    const errors = (tenant: string) =>
      readFileSync(join(dir, 'files', tenant, 'errors.log'), 'utf8')
        .trimEnd()
        .split('\n');
    expect(errors('acme')).toHaveLength(100);
    expect(errors('acme').every((l) => l.includes('"level":"error","msg":"acme-b'))).toBe(true);
    expect(errors('globex').every((l) => l.includes('"msg":"globex-b'))).toBe(true);
  });

  it('merges Java, Python and Go stack traces of a pod into one record each', async () => {
    await configure('globex', {
      name: 'traces',
      transforms: {
        java: { type: 'multiline', inputs: ['source'], preset: 'java' },
        python: { type: 'multiline', inputs: ['java'], preset: 'python' },
        go: { type: 'multiline', inputs: ['python'], preset: 'go' },
      },
      sinks: { out: { type: 'http', inputs: ['go'], url: `${sinks.url}/traces` } },
    });
    const java = [
      'java.lang.IllegalStateException: boom',
      '\tat com.example.App.run(App.java:42)',
      'Caused by: java.io.IOException: disk full',
      '\t... 2 more',
    ];
    const python = [
      'Traceback (most recent call last):',
      '  File "/app/main.py", line 3, in <module>',
      '    main()',
      'ValueError: bad input',
    ];
    const go = [
      'panic: boom',
      '',
      'goroutine 1 [running]:',
      'main.main()',
      '\t/app/main.go:8 +0x1d',
    ];
    const before = sinks.http.length;
    await publishLogBatch(
      bus,
      logBatch(
        'globex',
        ['start', ...java, 'between', ...python, 'again', ...go, 'end'].map((l) =>
          logRecord(l, { pod: 'api-1' }),
        ),
      ),
    );
    await waitFor(() => sinks.http.length - before >= 7);
    await waitFor(async () => (await backlog('globex', 'traces')) === 0);
    expect(sinks.http.slice(before).map((r) => r.line)).toEqual([
      'start',
      java.join('\n'),
      'between',
      python.join('\n'),
      'again',
      go.join('\n'),
      'end',
    ]);
    await command({ type: 'DeletePipeline', tenantId: 'globex', name: 'traces' });
  });

  it('carries an open trace across two batches, keeping it in KV while both are acknowledged, and sends a held one at its timeout', async () => {
    await configure('globex', {
      name: 'carry',
      transforms: {
        java: { type: 'multiline', inputs: ['source'], preset: 'java', timeout_ms: 2_000 },
      },
      sinks: { out: { type: 'http', inputs: ['java'], url: `${sinks.url}/carry` } },
    });
    const state = await bus.openKv(KvBuckets.logflowState);
    const held = async () => {
      const entry = await state.get(logCounterKey('globex', 'carry'));
      const stored = entry ? LogCounterState.parse(entry.json()).held : undefined;
      const groups = stored ? Object.values(stored.held) : [];
      return groups.flatMap((g) => Object.values(g).map((e) => e.record.line));
    };
    const send = (lines: string[]) =>
      publishLogBatch(
        bus,
        logBatch(
          'globex',
          lines.map((l) => logRecord(l, { pod: 'api-2' })),
        ),
      );
    const before = sinks.http.length;
    const delivered = () => sinks.http.slice(before).map((r) => r.line);

    await send(['first', 'java.lang.IllegalStateException: boom', '\tat A.run(A.java:1)']);
    // Acknowledged although its trace is unfinished: the open trace is stored in KV instead.
    await waitFor(async () => (await backlog('globex', 'carry')) === 0);
    expect(await held()).toEqual(['java.lang.IllegalStateException: boom\n\tat A.run(A.java:1)']);
    expect(delivered()).toEqual(['first']);

    await send(['\tat A.main(A.java:2)', 'second']);
    await waitFor(() => delivered().length >= 3);
    expect(delivered()).toEqual([
      'first',
      'java.lang.IllegalStateException: boom\n\tat A.run(A.java:1)\n\tat A.main(A.java:2)',
      'second',
    ]);
    expect(await held()).toEqual([]);

    // No next batch: the held trace goes on once its 2 s pass, and KV no longer holds it.
    const sent = Date.now();
    await send(['java.lang.Error: late', '\tat B.f(B.java:3)']);
    await waitFor(async () => (await backlog('globex', 'carry')) === 0);
    expect(await held()).toEqual(['java.lang.Error: late\n\tat B.f(B.java:3)']);
    await waitFor(() => delivered().length >= 4, 20_000);
    expect(Date.now() - sent).toBeGreaterThanOrEqual(2_000);
    expect(delivered()[3]).toBe('java.lang.Error: late\n\tat B.f(B.java:3)');
    await waitFor(async () => (await held()).length === 0);
    await command({ type: 'DeletePipeline', tenantId: 'globex', name: 'carry' });
  });

  it('gathers stored batches into one sink request (batch.max_events, timeout_secs) and acknowledges each once its request is delivered', async () => {
    let requests = 0;
    let hold = true;
    sinks.behaviour = (path) => {
      if (path !== '/grouped') return null;
      requests++;
      // The first group waits, so the batches in it are seen unacknowledged meanwhile.
      return hold ? { delayMs: 1_500 } : null;
    };
    await configure('globex', {
      name: 'grouped',
      transforms: {},
      sinks: {
        out: {
          type: 'http',
          inputs: ['source'],
          url: `${sinks.url}/grouped`,
          batch: { max_events: 50, timeout_secs: 5 },
        },
      },
    });
    const before = sinks.http.length;
    for (let b = 0; b < 10; b++)
      await publishLogBatch(
        bus,
        logBatch(
          'globex',
          Array.from({ length: 10 }, (_, i) => logRecord(`grouped ${b}/${i}`)),
        ),
      );
    // 100 lines in 10 stored batches: two requests of 50, none acknowledged before its request.
    await waitFor(() => requests >= 1);
    expect(await backlog('globex', 'grouped')).toBeGreaterThanOrEqual(5);
    hold = false;
    await waitFor(async () => (await backlog('globex', 'grouped')) === 0);
    expect(requests).toBe(2);
    expect(new Set(sinks.http.slice(before).map((r) => r.line)).size).toBe(100);

    // Below max_events, the timeout sends what was gathered.
    const sent = Date.now();
    await publishLogBatch(bus, logBatch('globex', [logRecord('alone')]));
    await waitFor(async () => (await backlog('globex', 'grouped')) === 0, 20_000);
    expect(Date.now() - sent).toBeGreaterThanOrEqual(4_900);
    expect(requests).toBe(3);
    sinks.behaviour = () => null;
    await command({ type: 'DeletePipeline', tenantId: 'globex', name: 'grouped' });
  });

  it('a slow sink of one tenant does not slow another tenant', async () => {
    sinks.behaviour = (path) => (path === '/slow' ? { delayMs: 2_000 } : null);
    await configure('acme', {
      name: 'slow',
      sinks: { out: { type: 'http', inputs: ['source'], url: `${sinks.url}/slow` } },
    });
    await configure('globex', {
      name: 'fast',
      sinks: { out: { type: 'http', inputs: ['source'], url: `${sinks.url}/fast` } },
    });
    const before = sinks.http.length;
    const started = Date.now();
    for (let b = 0; b < 12; b++) {
      await publishLogBatch(bus, logBatch('acme', [logRecord(`slow ${b}`)]));
      await publishLogBatch(bus, logBatch('globex', [logRecord(`fast ${b}`)]));
    }
    await waitFor(
      () => sinks.http.slice(before).filter((r) => String(r.line).startsWith('fast')).length === 12,
    );
    const fastDone = Date.now() - started;
    // 12 slow batches at 2 s each with 4 in flight need at least 6 s; tenant B's took far less.
    expect(fastDone).toBeLessThan(3_000);
    expect(await backlog('acme', 'slow')).toBeGreaterThan(0);
    await waitFor(async () => (await backlog('acme', 'slow')) === 0, 20_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(6_000);
    sinks.behaviour = () => null;
    await command({ type: 'DeletePipeline', tenantId: 'acme', name: 'slow' });
    await command({ type: 'DeletePipeline', tenantId: 'globex', name: 'fast' });
  });

  it('keeps S3 credentials as secrets: GET, GraphQL, audit and replay never show them; the mask written back keeps them', async () => {
    const s3 = await startS3Server({ dataDir: join(dir, 's3'), buckets: ['archive'] });
    try {
      const secret = `${s3.secretAccessKey}`;
      const path = '/api/v1/admin/tenants/acme/log-pipelines/archive';
      const spec = {
        transforms: {},
        sinks: {
          bucket: {
            type: 's3',
            inputs: ['source'],
            bucket: 'archive',
            endpoint: s3.endpoint,
            region: s3.region,
            access_key_id: s3.accessKeyId,
            secret_access_key: secret,
            force_path_style: true,
          },
        },
      };
      const put = await api(path, { method: 'PUT', body: JSON.stringify(spec) });
      expect(put.status).toBe(200);
      const shown = (await (await api(path)).json()) as {
        pipeline: typeof spec & { name: string };
      };
      expect(shown.pipeline.sinks.bucket).toMatchObject({
        access_key_id: SECRET_MASK,
        secret_access_key: SECRET_MASK,
        endpoint: s3.endpoint,
      });
      // Read, edit, write back: the masked credentials keep the stored ones.
      const { name: _name, ...edited } = shown.pipeline;
      (edited.sinks.bucket as Record<string, unknown>).prefix = 'kept';
      const again = await api(path, { method: 'PUT', body: JSON.stringify(edited) });
      expect(again.status).toBe(200);
      expect(((await again.json()) as { version: number }).version).toBe(2);
      await consumerReady('acme', 'archive');
      // s3rver checks each request's signature: objects appear only if the real secret signs them.
      const client = new S3Client({
        endpoint: s3.endpoint,
        region: s3.region,
        forcePathStyle: true,
        credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
      });
      // Version 2 takes over from version 1 shortly after the write: send until it has written.
      let sent = 0;
      await waitFor(async () => {
        if (sent++ % 10 === 0)
          await publishLogBatch(bus, logBatch('acme', [logRecord(`to the bucket ${sent}`)]));
        const listed = await client.send(new ListObjectsV2Command({ Bucket: 'archive' }));
        return (listed.Contents ?? []).some((o) => o.Key?.startsWith('kept/acme/'));
      });
      client.destroy();
      await waitFor(async () => (await backlog('acme', 'archive')) === 0);

      // The mask for a credential never stored is refused with its path.
      const fresh = await api('/api/v1/admin/tenants/acme/log-pipelines/fresh', {
        method: 'PUT',
        body: JSON.stringify(edited),
      });
      expect(fresh.status).toBe(400);
      expect(
        ((await fresh.json()) as { error: { fields: Array<{ path: string }> } }).error.fields.map(
          (f) => f.path,
        ),
      ).toEqual(['pipeline.sinks.bucket.access_key_id', 'pipeline.sinks.bucket.secret_access_key']);

      const gql = (await (
        await api('/graphql', {
          method: 'POST',
          body: JSON.stringify({
            query: 'query { logPipeline(tenantId: "acme", name: "archive") { pipeline } }',
          }),
        })
      ).json()) as { data: { logPipeline: { pipeline: typeof spec } } };
      expect(gql.data.logPipeline.pipeline.sinks.bucket.secret_access_key).toBe(SECRET_MASK);
      const list = await (await api('/api/v1/admin/tenants/acme/log-pipelines')).text();
      const audit = await (
        await api('/api/v1/admin/audit?tenant=acme&type=PipelineConfigured')
      ).text();
      const replay = await (await api('/api/v1/admin/audit/replay?position=1000000')).text();
      expect(audit).toContain(SECRET_MASK);
      expect(replay).toContain(SECRET_MASK);
      for (const text of [JSON.stringify(shown), JSON.stringify(gql), list, audit, replay])
        expect(text).not.toContain(secret);
      // At rest, the event log holds the credentials sealed (s3rver's key and secret are both
      // `S3RVER`), and only logflow, which signed the objects above, opens them.
      const pg = new Client({ connectionString: db.url });
      await pg.connect();
      try {
        const { rows } = await pg.query<{ data: { pipeline: typeof spec } }>(
          "SELECT data FROM events WHERE type = 'PipelineConfigured' AND stream_id LIKE '%archive' ORDER BY position",
        );
        expect(rows).toHaveLength(2);
        for (const { data } of rows) {
          expect(JSON.stringify(data)).not.toContain(secret);
          expect(data.pipeline.sinks.bucket.secret_access_key).toMatch(/^strata-sealed:v1:/);
          expect(data.pipeline.sinks.bucket.access_key_id).toMatch(/^strata-sealed:v1:/);
        }
        // The write-back kept the stored sealed values as they were.
        expect(rows[1].data.pipeline.sinks.bucket.secret_access_key).toBe(
          rows[0].data.pipeline.sinks.bucket.secret_access_key,
        );
      } finally {
        await pg.end();
      }
      expect((await api(path, { method: 'DELETE' })).status).toBe(204);
    } finally {
      await s3.process.stop();
    }
  });

  it('dead-letters what a sink refuses, then acknowledges the batch', async () => {
    await configure('acme', {
      name: 'refused',
      sinks: {
        out: {
          type: 'http',
          inputs: ['source'],
          url: `${sinks.url}/refuse`,
          delivery: { max_attempts: 2, backoff_ms: 10 },
        },
      },
    });
    sinks.behaviour = (path) => (path === '/refuse' ? { status: 503 } : null);
    const letters: LogDeadLetter[] = [];
    const feed = await bus.consume(
      { stream: LogflowStreams.deadLetters.name, durableName: 'spec-dead' },
      (m) => {
        letters.push(m.json<LogDeadLetter>());
        return Promise.resolve();
      },
    );
    const batch = logBatch('acme', [logRecord('never arrives')]);
    await publishLogBatch(bus, batch);
    await waitFor(() => letters.length === 1);
    await waitFor(async () => (await backlog('acme', 'refused')) === 0);
    expect(letters[0]).toMatchObject({
      tenantId: 'acme',
      pipeline: 'refused',
      sink: 'out',
      batchId: batch.batchId,
      attempts: 2,
      records: batch.records,
    });
    expect(letters[0].error).toContain('answered 503');
    await feed.stop();
    sinks.behaviour = () => null;
    await command({ type: 'DeletePipeline', tenantId: 'acme', name: 'refused' });
  });

  it('reloads a pipeline under load without losing a line', async () => {
    const spec = (version: string): PipelineSpecInput => ({
      name: 'reload',
      transforms: {
        tag: { type: 'remap', inputs: ['source'], set: { 'fields.version': version } },
      },
      sinks: { out: { type: 'http', inputs: ['tag'], url: `${sinks.url}/reload` } },
    });
    await configure('globex', spec('v1'));
    const before = sinks.http.length;
    let stop = false;
    let sent = 0;
    const load = (async () => {
      while (!stop) {
        const records = Array.from({ length: 20 }, (_, i) => logRecord(`reload ${sent}-${i}`));
        await publishLogBatch(bus, logBatch('globex', records));
        sent++;
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    for (const version of ['v2', 'v3', 'v4']) {
      await new Promise((r) => setTimeout(r, 400));
      await command({
        type: 'ConfigurePipeline',
        tenantId: 'globex',
        pipeline: spec(version) as never,
      });
    }
    await new Promise((r) => setTimeout(r, 400));
    stop = true;
    await load;
    await waitFor(async () => (await backlog('globex', 'reload')) === 0);
    const got = sinks.http.slice(before).filter((r) => String(r.line).startsWith('reload '));
    const unique = new Set(got.map((r) => r.line));
    expect(unique.size).toBe(sent * 20);
    const versions = got.map((r) => (r.fields as { version: string }).version);
    expect(new Set(versions)).toEqual(new Set(['v1', 'v2', 'v3', 'v4']));
    // The last batches ran with the last version.
    expect(versions[versions.length - 1]).toBe('v4');
    await command({ type: 'DeletePipeline', tenantId: 'globex', name: 'reload' });
  });

  it('reloads under load through versions that remove, change and add merging transforms, delivering every line', async () => {
    const java = (timeout: number) =>
      ({ type: 'multiline', preset: 'java', timeout_ms: timeout }) as const;
    const cri = { type: 'parse_cri' as const, inputs: ['source'], timeout_ms: 5_000 };
    const out = (input: string) => ({
      out: { type: 'http' as const, inputs: [input], url: `${sinks.url}/merge-reload` },
    });
    const versions: PipelineSpecInput[] = [
      // Held traces at each reload: v2 removes the merging transform, v3 brings two back (in order
      // again), v4 changes one of them, v5 removes the one upstream of the other.
      {
        name: 'merge-reload',
        transforms: { ml: { ...java(5_000), inputs: ['source'] } },
        sinks: out('ml'),
      },
      {
        name: 'merge-reload',
        transforms: { tag: { type: 'remap', inputs: ['source'], set: { 'fields.v': '2' } } },
        sinks: out('tag'),
      },
      {
        name: 'merge-reload',
        transforms: { cri, ml: { ...java(5_000), inputs: ['cri'] } },
        sinks: out('ml'),
      },
      {
        name: 'merge-reload',
        transforms: { cri, ml: { ...java(4_000), inputs: ['cri'] } },
        sinks: out('ml'),
      },
      {
        name: 'merge-reload',
        transforms: { ml: { ...java(4_000), inputs: ['source'] } },
        sinks: out('ml'),
      },
    ];
    await configure('globex', versions[0]);
    const before = sinks.http.length;
    const time = '2026-01-01T00:00:00.000000000Z';
    // Every line carries a token; a batch ends with a partial CRI line and an open Java trace,
    // which the next batch completes, so something is held whenever a reload comes.
    const batchLines = (i: number) => [
      `\tat A.cont(A.java:1) u${i}-1`,
      `${time} stdout F u${i}-2 end`,
      `plain u${i}-3`,
      `${time} stdout P u${i}-4 part`,
      `java.lang.IllegalStateException: u${i}-5`,
    ];
    let stop = false;
    let sent = 0;
    const load = (async () => {
      while (!stop) {
        const records = batchLines(sent).map((l) => logRecord(l, { pod: 'merge-1' }));
        await publishLogBatch(bus, logBatch('globex', records));
        sent++;
        await new Promise((r) => setTimeout(r, 15));
      }
    })();
    for (const next of versions.slice(1)) {
      await new Promise((r) => setTimeout(r, 600));
      await command({ type: 'ConfigurePipeline', tenantId: 'globex', pipeline: next as never });
    }
    await new Promise((r) => setTimeout(r, 600));
    stop = true;
    await load;
    // Only this pipeline's records: another pipeline of the tenant tags its own with a version.
    const mine = () =>
      sinks.http
        .slice(before)
        .filter((r) => (r.fields as { version?: string }).version === undefined);
    const tokens = () => mine().flatMap((r) => String(r.line).match(/u\d+-\d+/g) ?? []);
    // The last trace and partial line wait for their 4–5 s timeouts.
    await waitFor(() => new Set(tokens()).size >= sent * 5, 60_000);
    const delivered = tokens();
    const unique = new Set(delivered);
    console.log(
      `merge reload: ${sent * 5} lines sent in ${sent} batches, ${unique.size} delivered, ${delivered.length - unique.size} duplicates`,
    );
    expect(unique).toEqual(
      new Set(
        Array.from({ length: sent }, (_, i) =>
          batchLines(i).map((_l, k) => `u${i}-${k + 1}`),
        ).flat(),
      ),
    );
    // Traces merged across batches join the next batch's frame, never another's.
    for (const r of mine()) {
      const m = /IllegalStateException: u(\d+)-5\n\tat A\.cont\(A\.java:1\) u(\d+)-1/.exec(
        String(r.line),
      );
      if (m) expect(Number(m[2])).toBe(Number(m[1]) + 1);
    }
    // v2 consumed several batches at once, holding nothing; the versions after it take batches in
    // order again, so the last batches' traces are merged across batches.
    const last = `IllegalStateException: u${sent - 2}-5\n\tat A.cont(A.java:1) u${sent - 1}-1`;
    expect(mine().some((r) => String(r.line).includes(last))).toBe(true);
    const state = await bus.openKv(KvBuckets.logflowState);
    await waitFor(async () => {
      const entry = await state.get(logCounterKey('globex', 'merge-reload'));
      const held = entry ? LogCounterState.parse(entry.json()).held : undefined;
      return held !== undefined && Object.keys(held.held).length === 0;
    });
    await command({ type: 'DeletePipeline', tenantId: 'globex', name: 'merge-reload' });
  });

  it('reloads under a backlog back and forth between taking batches in order and several at once, each consumer starting at once rather than after the ack wait', async () => {
    // A merging version takes batches one at a time in order, a plain one several at once: each
    // reload between them stops the pipeline's consumer and starts it again in the other mode.
    const version = (i: number): PipelineSpecInput => ({
      name: 'toggle',
      transforms: {
        ...(i % 2 === 0
          ? { ml: { type: 'multiline', inputs: ['source'], preset: 'java', timeout_ms: 1_000 } }
          : {}),
        tag: {
          type: 'remap',
          inputs: [i % 2 === 0 ? 'ml' : 'source'],
          set: { 'fields.pipe': 'toggle', 'fields.v': String(i) },
        },
      },
      sinks: { out: { type: 'http', inputs: ['tag'], url: `${sinks.url}/toggle` } },
    });
    const reloads = 12;
    await configure('globex', version(0));
    const before = sinks.http.length;
    const mine = () =>
      sinks.http.slice(before).filter((r) => (r.fields as { pipe?: string }).pipe === 'toggle');
    const lines = () => mine().flatMap((r) => String(r.line).match(/t\d+-\d/g) ?? []);
    const tokens = () => new Set(lines());
    // Each batch ends with an open trace, held until the next batch (or handed over at a reload).
    let stop = false;
    let sent = 0;
    const load = (async () => {
      while (!stop) {
        const batch = [`plain t${sent}-1`, `java.lang.IllegalStateException: t${sent}-2`];
        await publishLogBatch(
          bus,
          logBatch(
            'globex',
            batch.map((l) => logRecord(l, { pod: 'toggle-1' })),
          ),
        );
        sent++;
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    for (let i = 1; i <= reloads; i++) {
      await new Promise((r) => setTimeout(r, 250));
      await command({
        type: 'ConfigurePipeline',
        tenantId: 'globex',
        pipeline: version(i) as never,
      });
    }
    await new Promise((r) => setTimeout(r, 250));
    stop = true;
    await load;
    // A batch the server sent a consumer as it stopped, left pending, would come back only after
    // the 60 s ack wait, and the consumer taking batches in order would get nothing until then.
    const loadEnd = Date.now();
    await waitFor(() => tokens().size >= sent * 2, 40_000).catch(() => undefined);
    const got = tokens();
    const missing = Array.from({ length: sent }, (_, i) => [`t${i}-1`, `t${i}-2`])
      .flat()
      .filter((t) => !got.has(t));
    console.log(
      `toggle reload: ${sent} batches through ${reloads} reloads, ${missing.length} lines missing ${Date.now() - loadEnd} ms after the load, ${lines().length - got.size} duplicates`,
    );
    expect(missing).toEqual([]);
    // The last version ran the last batches.
    const last = mine().filter((r) => String(r.line).includes(`t${sent - 1}-1`));
    expect(last.map((r) => (r.fields as { v: string }).v)).toContain(String(reloads));
    await command({ type: 'DeletePipeline', tenantId: 'globex', name: 'toggle' });
  });
});
