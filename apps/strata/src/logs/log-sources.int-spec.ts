import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Client } from '@elastic/elasticsearch';
import { type NatsBus } from '@strata/bus';
import { type LogBatch, LogsStreams, type QuotaSpec } from '@strata/contracts';
import { freePort, type RunningNatsServer } from '@strata/devstack';
import { startGateway, type RunningGateway } from '@strata/gateway';
import { Registry } from 'prom-client';
import { encodeLokiPush, readLogBatches } from '@strata/log-sources/testing';
import {
  ADMIN_TOKEN,
  OPEN_QUOTA,
  clientBus,
  fakeControlPlane,
  removeTestDirs,
  startTestNats,
  type TestKeys,
} from '@strata/platform/testing';

jest.setTimeout(120_000);

const ROOT = join(__dirname, '../../../..');
const TENANTS = [
  'syslog-a',
  'syslog-b',
  'syslog-slow',
  'otlp-json',
  'otlp-proto',
  'es',
  'loki',
  'http',
  'tight',
];
const MAX_LINE = 2048;

describe('log sources: real shippers into STRATA_LOGS through the gateway', () => {
  let nats: RunningNatsServer;
  let dir: string;
  let bus: NatsBus;
  let edge: RunningGateway;
  let tcpPort: number;
  let udpPort: number;
  let slowPort: number;
  const registry = new Registry();
  const tight: QuotaSpec = {
    ...OPEN_QUOTA,
    logIngestionRateBytesPerSecond: 1,
    logIngestionBurstBytes: 2_000,
  };
  const slow: QuotaSpec = {
    ...OPEN_QUOTA,
    logIngestionRateBytesPerSecond: 20_000,
    logIngestionBurstBytes: 8_000,
  };
  const tenants = new Map<string, QuotaSpec>(
    TENANTS.map((t) => [t, t === 'tight' ? tight : t === 'syslog-slow' ? slow : OPEN_QUOTA]),
  );
  const keys: TestKeys = new Map(
    TENANTS.map((t) => [`key-${t}`, { tenantId: t, scopes: ['write', 'read'] }]),
  );

  const post = (
    path: string,
    body: string | Buffer,
    tenant: string,
    headers: Record<string, string> = {},
  ) =>
    fetch(`${edge.url}${path}`, {
      method: 'POST',
      body,
      headers: {
        Authorization: `Bearer key-${tenant}`,
        'Content-Type': 'application/json',
        ...headers,
      },
    });
  /** Batches stored for the tenant so far. */
  const stored = async (tenantId: string) =>
    (
      await readLogBatches(bus, {
        tenantId,
        records: Number.MAX_SAFE_INTEGER,
        untilLastStored: true,
        settleMs: 0,
      })
    ).length;
  const lines = (batches: LogBatch[]) => batches.flatMap((b) => b.records.map((r) => r.line));

  beforeAll(async () => {
    const started = await startTestNats();
    nats = started.server;
    dir = started.dir;
    bus = await clientBus(nats);
    fakeControlPlane(bus, tenants, keys);
    await bus.ensureStream({ ...LogsStreams.batches, subjects: [...LogsStreams.batches.subjects] });
    tcpPort = await freePort();
    udpPort = await freePort();
    slowPort = await freePort();
    edge = await startGateway({
      config: {
        adminToken: ADMIN_TOKEN,
        tenantHeader: 'x-scope-orgid',
        maxBodyBytes: 1024 * 1024,
        logs: {
          maxBodyBytes: 8 * 1024 * 1024,
          maxLineBytes: MAX_LINE,
          syslog: [
            { protocol: 'tcp', port: tcpPort, tenantId: 'syslog-a' },
            { protocol: 'udp', port: udpPort, tenantId: 'syslog-b' },
            { protocol: 'tcp', port: slowPort, tenantId: 'syslog-slow' },
          ],
          syslogHost: '127.0.0.1',
          syslogFlushLines: 100,
          syslogFlushMs: 50,
        },
        host: '127.0.0.1',
        port: await freePort(),
        tls: null,
      },
      bus,
      registry,
    });
  });

  afterAll(async () => {
    await edge?.close();
    await bus?.drain();
    await nats?.process.stop();
    removeTestDirs();
  });

  it("stores every line Debian's rsyslog forwards as octet-counted RFC 5424 over TCP, for the port's tenant", async () => {
    const n = 500;
    const work = join(dir, 'rsyslog');
    mkdirSync(join(work, 'spool'), { recursive: true });
    const sent = Array.from(
      { length: n },
      (_, i) => `rsyslog line ${i} with "quotes" and [brackets] ü`,
    );
    writeFileSync(join(work, 'app.log'), sent.map((l) => `${l}\n`).join(''));
    writeFileSync(
      join(work, 'rsyslog.conf'),
      [
        `global(workDirectory="${join(work, 'spool')}")`,
        'module(load="imfile")',
        `input(type="imfile" file="${join(work, 'app.log')}" tag="specapp" facility="local3" severity="info")`,
        'if $programname == "specapp" then {',
        `  action(type="omfwd" target="127.0.0.1" port="${tcpPort}" protocol="tcp" tcp_framing="octet-counted" template="RSYSLOG_SyslogProtocol23Format")`,
        '}',
      ].join('\n'),
    );
    const rsyslog: ChildProcess = spawn(
      '/usr/sbin/rsyslogd',
      ['-n', '-f', join(work, 'rsyslog.conf'), '-i', join(work, 'pid')],
      {
        stdio: 'ignore',
      },
    );
    try {
      const batches = await readLogBatches(bus, {
        tenantId: 'syslog-a',
        records: n,
        timeoutMs: 60_000,
      });
      expect(lines(batches).sort()).toEqual([...sent].sort());
      expect(batches.every((b) => b.source === 'syslog' && b.tenantId === 'syslog-a')).toBe(true);
      expect(batches[0].records[0].labels).toMatchObject({
        facility: 'local3',
        severity: 'info',
        app_name: 'specapp',
      });
    } finally {
      rsyslog.kill('SIGTERM');
    }
  });

  it('takes newline-framed RFC 3164 over TCP and RFC 5424 over UDP, dropping invalid UTF-8 and too long lines', async () => {
    const socket = connect(tcpPort, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    socket.write('<34>Oct 11 22:14:15 mymachine su[42]: su root failed for lonvick\r\n');
    socket.write(
      Buffer.concat([
        Buffer.from('<13>Oct 11 22:14:16 host app: bad '),
        Buffer.from([0xff, 0xfe]),
        Buffer.from('\n'),
      ]),
    );
    socket.write(`<13>Oct 11 22:14:17 host app: ${'x'.repeat(MAX_LINE + 10)}\n`);
    socket.end('<13>Oct 11 22:14:18 host app: last one without a newline');
    const udp = createSocket('udp4');
    const datagram =
      '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application"] An application event';
    await new Promise<void>((r) => udp.send(datagram, udpPort, '127.0.0.1', () => r()));
    udp.close();

    const tcp = await readLogBatches(bus, {
      tenantId: 'syslog-a',
      records: 502,
      timeoutMs: 10_000,
    });
    const mine = tcp
      .flatMap((b) => b.records)
      .filter((r) => r.labels.hostname !== undefined && !r.line.startsWith('rsyslog line'));
    expect(mine.map((r) => r.line)).toEqual([
      'su root failed for lonvick',
      'last one without a newline',
    ]);
    expect(mine[0]).toMatchObject({
      labels: { facility: 'auth', severity: 'crit', hostname: 'mymachine', app_name: 'su' },
      fields: { procid: '42' },
    });
    const [b] = await readLogBatches(bus, { tenantId: 'syslog-b', records: 1 });
    expect(b.records).toEqual([
      {
        timestampNs: '1065910455003000000',
        line: 'An application event',
        labels: {
          facility: 'local4',
          severity: 'notice',
          hostname: 'mymachine.example.com',
          app_name: 'evntslog',
        },
        fields: {
          msgid: 'ID47',
          sd: { 'exampleSDID@32473': { iut: '3', eventSource: 'Application' } },
        },
      },
    ]);
  });

  it('holds a syslog sender back while its tenant is over the log rate, then stores every line once', async () => {
    const n = 400;
    const sent = Array.from({ length: n }, (_, i) => `slow line ${i} ${'s'.repeat(80)}`);
    const socket = connect(slowPort, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    const started = Date.now();
    socket.end(
      sent
        .map((l) => {
          const msg = `<14>1 2024-01-01T00:00:00Z h app - - - ${l}`;
          return `${Buffer.byteLength(msg)} ${msg}`;
        })
        .join(''),
    );
    const batches = await readLogBatches(bus, {
      tenantId: 'syslog-slow',
      records: n,
      settleMs: 1_000,
    });
    // ~36 KB of lines at 20 KB/s after an 8 KB burst: the rate, not the sender, set the pace.
    expect(Date.now() - started).toBeGreaterThan(1_000);
    expect(lines(batches).sort()).toEqual([...sent].sort());
    expect(await registry.metrics()).toContain(
      `strata_logs_source_lines_total{source="syslog",tenant="syslog-slow",outcome="stored"} ${n}`,
    );
  });

  it.each([
    ['JSON', 'otlp-json', 'json', 'none'],
    ['protobuf, gzip', 'otlp-proto', 'protobuf', 'gzip'],
  ] as const)(
    'stores every record the OpenTelemetry JS SDK exports over OTLP/HTTP %s',
    async (_name, tenant, encoding, compression) => {
      const n = 300;
      const sender = spawn(
        process.execPath,
        ['-r', '@swc-node/register', join(ROOT, 'libs/log-sources/testing/otel-log-sender.ts')],
        {
          cwd: ROOT,
          env: {
            ...process.env,
            SWC_NODE_PROJECT: 'tsconfig.spec.json',
            OTLP_URL: `${edge.url}/v1/logs`,
            OTLP_KEY: `key-${tenant}`,
            OTLP_ENCODING: encoding,
            OTEL_EXPORTER_OTLP_LOGS_COMPRESSION: compression,
            LINES: String(n),
            LINE_PREFIX: 'otel record ✓',
          },
          stdio: ['ignore', 'inherit', 'inherit'],
        },
      );
      expect(await new Promise((r) => sender.once('exit', r))).toBe(0);
      const sent = Array.from({ length: n }, (_, i) => `otel record ✓ ${i}`);
      const batches = await readLogBatches(bus, { tenantId: tenant, records: n });
      expect(lines(batches).sort()).toEqual([...sent].sort());
      expect(batches[0].records[0]).toMatchObject({
        labels: { service_name: 'checkout', deployment_environment: 'prod' },
        fields: {
          user: 'u1',
          severity_text: 'INFO',
          severity_number: 9,
          scope_name: 'spec-scope',
          scope_version: '1.2.3',
        },
      });
    },
  );

  it('counts a too long OTLP record in partial_success and stores the others; malformed protobuf is a 400', async () => {
    const before = await stored('otlp-json');
    const body = {
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'p' } }] },
          scopeLogs: [
            {
              logRecords: [
                { body: { stringValue: 'fits' } },
                { body: { stringValue: 'y'.repeat(MAX_LINE + 1) } },
              ],
            },
          ],
        },
      ],
    };
    const res = await post('/v1/logs', JSON.stringify(body), 'otlp-json');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ partialSuccess: { rejectedLogRecords: '1' } });
    expect(await stored('otlp-json')).toBe(before + 1);
    const bad = await post('/v1/logs', Buffer.from([0x0a, 0xff, 0xff, 0x01]), 'otlp-proto', {
      'Content-Type': 'application/x-protobuf',
    });
    expect(bad.status).toBe(400);
  });

  it("stores every document the official Elasticsearch client's bulk helper sends, and answers ES's per-item shape", async () => {
    const n = 1000;
    const client = new Client({ node: edge.url, auth: { bearer: 'key-es' } });
    // The client's product check: it refuses to talk to anything that does not answer as Elasticsearch.
    expect((await client.info()).version.number).toMatch(/^8\./);
    const docs = Array.from({ length: n }, (_, i) => ({
      '@timestamp': new Date(1_700_000_000_000 + i).toISOString(),
      message: `es doc ${i}`,
      level: 'info',
    }));
    const result = await client.helpers.bulk({
      datasource: docs,
      onDocument: () => ({ index: { _index: 'app-logs' } }),
      flushBytes: 20_000,
    });
    expect(result).toMatchObject({ total: n, successful: n, failed: 0 });
    const batches = await readLogBatches(bus, { tenantId: 'es', records: n });
    expect(lines(batches).sort()).toEqual(docs.map((d) => d.message).sort());
    expect(batches[0].records[0]).toMatchObject({
      labels: { index: 'app-logs' },
      fields: { level: 'info' },
    });
    await client.close();

    const before = await stored('es');
    const res = await post(
      '/logs-x/_bulk',
      '{"index":{}}\n{"message":"good"}\n{"create":{"_id":"c1"}}\n{not json\n{"delete":{"_id":"d"}}\n',
      'es',
      { 'Content-Type': 'application/x-ndjson' },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('x-elastic-product')).toBe('Elasticsearch');
    const answer = (await res.json()) as {
      errors: boolean;
      items: Array<Record<string, { status: number; _index: string }>>;
    };
    expect(answer.errors).toBe(true);
    expect(answer.items.map((i) => Object.values(i)[0].status)).toEqual([201, 400, 400]);
    expect(answer.items[0].index._index).toBe('logs-x');
    expect(await stored('es')).toBe(before + 1);
    const unterminated = await post('/_bulk', '{"index":{"_index":"a"}}\n{"message":"x"}', 'es', {
      'Content-Type': 'application/x-ndjson',
    });
    expect(unterminated.status).toBe(400);
    expect(await unterminated.json()).toMatchObject({
      error: { type: 'illegal_argument_exception' },
      status: 400,
    });
    expect(await stored('es')).toBe(before + 1);
  });

  it("stores a Loki push built from Loki's published protobuf (snappy) and its JSON form (gzip), 204 each", async () => {
    const t = 1_700_000_000_123_456_789n;
    const proto = encodeLokiPush([
      {
        labels: '{job="api", env="prod"}',
        entries: [
          { tsNs: t, line: 'proto one', metadata: { trace_id: 'abc' } },
          { tsNs: t + 1n, line: 'proto two' },
        ],
      },
      { labels: '{job="worker"}', entries: [{ tsNs: t + 2n, line: 'proto three' }] },
    ]);
    const res = await post('/loki/api/v1/push', proto, 'loki', {
      'Content-Type': 'application/x-protobuf',
    });
    expect(res.status).toBe(204);
    const json = {
      streams: [
        {
          stream: { job: 'json' },
          values: [
            [String(t), 'json one'],
            [String(t + 5n), 'json two', { user: 'u' }],
          ],
        },
      ],
    };
    const res2 = await post('/loki/api/v1/push', gzipSync(JSON.stringify(json)), 'loki', {
      'Content-Encoding': 'gzip',
    });
    expect(res2.status).toBe(204);
    const batches = await readLogBatches(bus, { tenantId: 'loki', records: 5 });
    const records = batches.flatMap((b) => b.records);
    expect(records).toEqual([
      {
        timestampNs: String(t),
        line: 'proto one',
        labels: { job: 'api', env: 'prod' },
        fields: { trace_id: 'abc' },
      },
      {
        timestampNs: String(t + 1n),
        line: 'proto two',
        labels: { job: 'api', env: 'prod' },
        fields: {},
      },
      { timestampNs: String(t + 2n), line: 'proto three', labels: { job: 'worker' }, fields: {} },
      { timestampNs: String(t), line: 'json one', labels: { job: 'json' }, fields: {} },
      {
        timestampNs: String(t + 5n),
        line: 'json two',
        labels: { job: 'json' },
        fields: { user: 'u' },
      },
    ]);
    // A retried push (same bytes) is stored once.
    expect(
      (await post('/loki/api/v1/push', proto, 'loki', { 'Content-Type': 'application/x-protobuf' }))
        .status,
    ).toBe(204);
    expect(await stored('loki')).toBe(2);
  });

  it('refuses malformed protobuf, bad JSON, too long lines and invalid UTF-8 with a 4xx and stores nothing of them', async () => {
    const before = await stored('loki');
    const cases: Array<[string, string | Buffer, Record<string, string>]> = [
      [
        '/loki/api/v1/push',
        Buffer.from([0x00, 0x01, 0x02]),
        { 'Content-Type': 'application/x-protobuf' },
      ],
      ['/loki/api/v1/push', '{"streams":[{"stream":{"a":"b"},"values":[["1","ok"],["2"]]}]}', {}],
      [
        '/loki/api/v1/push',
        JSON.stringify({
          streams: [
            {
              stream: { a: 'b' },
              values: [
                ['1', 'ok'],
                ['2', 'z'.repeat(MAX_LINE + 1)],
              ],
            },
          ],
        }),
        {},
      ],
      [
        '/loki/api/v1/push',
        Buffer.concat([
          Buffer.from('{"streams":[{"stream":{"a":"b"},"values":[["1","'),
          Buffer.from([0xc3, 0x28]),
          Buffer.from('"]]}]}'),
        ]),
        {},
      ],
    ];
    for (const [path, body, headers] of cases) {
      const res = await post(path, body, 'loki', headers);
      expect(res.status).toBe(400);
    }
    expect(await stored('loki')).toBe(before);
    const http = await post('/api/v1/logs', '{"line":"fine"}\n{"line": 3}\n', 'http', {
      'Content-Type': 'application/x-ndjson',
    });
    expect(http.status).toBe(400);
    expect(await stored('http')).toBe(0);
    const ok = await post(
      '/api/v1/logs',
      '{"line":"fine","labels":{"app":"x"},"timestamp":"2024-01-01T00:00:00Z","k":1}\n{"message":"two"}\n',
      'http',
      { 'Content-Type': 'application/x-ndjson' },
    );
    expect(await ok.json()).toEqual({ accepted: 2, duplicate: false });
    const [batch] = await readLogBatches(bus, { tenantId: 'http', records: 2 });
    expect(batch.records[0]).toEqual({
      timestampNs: '1704067200000000000',
      line: 'fine',
      labels: { app: 'x' },
      fields: { k: 1 },
    });
  });

  it("answers 429 past the tenant's log rate (per item for _bulk) and stores nothing of the refused request", async () => {
    const line = 'r'.repeat(1500);
    const first = await post('/api/v1/logs', JSON.stringify({ line }), 'tight');
    expect(first.status).toBe(200);
    const second = await post('/api/v1/logs', JSON.stringify({ line: `${line}2` }), 'tight');
    expect(second.status).toBe(429);
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await second.json()).toMatchObject({
      error: { code: 'rate_limited', reason: 'log_rate_limited' },
    });
    const loki = await post(
      '/loki/api/v1/push',
      JSON.stringify({ streams: [{ stream: { a: 'b' }, values: [['1', line]] }] }),
      'tight',
    );
    expect(loki.status).toBe(429);
    const bulk = await post(
      '/_bulk',
      `{"index":{"_index":"i"}}\n{"message":"${line}"}\n`,
      'tight',
      { 'Content-Type': 'application/x-ndjson' },
    );
    expect(bulk.status).toBe(200);
    expect(await bulk.json()).toMatchObject({
      errors: true,
      items: [{ index: { status: 429, error: { type: 'es_rejected_execution_exception' } } }],
    });
    expect(await stored('tight')).toBe(1);
    const metrics = await registry.metrics();
    expect(metrics).toContain(
      'strata_logs_source_lines_total{source="http",tenant="tight",outcome="log_rate_limited"} 1',
    );
    expect(metrics).toContain(
      'strata_logs_source_lines_total{source="elasticsearch",tenant="tight",outcome="log_rate_limited"} 1',
    );
  });

  it("writes only to the key's own tenant: naming another tenant is refused", async () => {
    const res = await post('/api/v1/logs', '{"line":"sneaky"}', 'http', {
      'X-Scope-OrgID': 'loki',
    });
    expect(res.status).toBe(403);
    const before = await stored('loki');
    const admin = await fetch(`${edge.url}/api/v1/logs`, {
      method: 'POST',
      body: '{"line":"by admin"}',
      headers: {
        Authorization: `Bearer ${ADMIN_TOKEN}`,
        'Content-Type': 'application/json',
        'X-Scope-OrgID': 'loki',
      },
    });
    expect(admin.status).toBe(200);
    expect(await stored('loki')).toBeGreaterThan(before);
    for (const tenant of TENANTS) {
      const batches = await readLogBatches(bus, {
        tenantId: tenant,
        records: Number.MAX_SAFE_INTEGER,
        timeoutMs: 500,
        settleMs: 0,
      });
      expect(batches.every((b) => b.tenantId === tenant)).toBe(true);
      expect(lines(batches)).not.toContain('sneaky');
    }
  });
});
