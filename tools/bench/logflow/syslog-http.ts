// Syslog over TCP to an HTTP sink, end to end, beside Debian's rsyslogd on the same input and the
// loopback limit measured in the same run. Run:
//   node -r @swc-node/register tools/bench/logflow/syslog-http.ts [lines=200000] [lineBytes=200] [senders=4] [batchEvents=10000]
// Strata: the gateway's syslog listener (this process) stores flushes in STRATA_LOGS (file-backed
// JetStream, the durable buffer); a logflow process runs a pipeline whose HTTP sink posts NDJSON
// to a counting server here (`batch.max_events` = batchEvents, 0 = one request per stored batch). Done when the
// server has every line. rsyslogd: imtcp → omfwd over TCP to a counting socket here (this Debian
// build has no omhttp), its queues in memory. Loopback: the same senders straight into a counting
// socket. The same octet-counted RFC 5424 frames are sent to all three; MiB/s count message bytes.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectBus } from '@strata/bus';
import {
  type ControlQueryRequest,
  DEFAULT_QUOTA,
  LogsStreams,
  type PipelineSpec,
  type PipelineView,
  Subjects,
} from '@strata/contracts';
import { NATS_DEV_ADMIN, freePort, startNatsServer } from '@strata/devstack';
import { startGateway, SyslogListeners } from '@strata/gateway';
import { killHard, spawnStrata, strataEnv } from '@strata/platform/testing';

const [total, lineBytes, senders, batchEvents] = [200_000, 200, 4, 10_000].map((d, i) =>
  Number(process.argv[2 + i] ?? d),
);
const TENANT = 'bench';
const MiB = 1024 * 1024;
const RSYSLOGD = '/usr/sbin/rsyslogd';
const DURABLE = `logflow-${TENANT}-ship`;

function message(i: number): string {
  const head = `ts=2024-01-01T00:00:00Z level=info msg="request served" i=${i} path=/api/v1/items `;
  return head + 'x'.repeat(Math.max(0, lineBytes - head.length));
}

/** One buffer of octet-counted RFC 5424 frames per sender connection. */
function frames(): Buffer[] {
  return Array.from({ length: senders }, (_, s) => {
    const parts: string[] = [];
    for (let i = s; i < total; i += senders) {
      const msg = `<134>1 2024-01-01T00:00:00.000Z host app 1 - - ${message(i)}`;
      parts.push(`${Buffer.byteLength(msg)} ${msg}`);
    }
    return Buffer.from(parts.join(''));
  });
}

async function send(port: number, data: Buffer[]): Promise<void> {
  await Promise.all(
    data.map(
      (chunk) =>
        new Promise<void>((resolve, reject) => {
          const socket = connect(port, '127.0.0.1', () => socket.end(chunk));
          socket.on('close', () => resolve());
          socket.on('error', reject);
        }),
    ),
  );
}

/** A TCP server counting bytes and newlines, resolving `done` once `until` says so. */
function countingSocket(until: (bytes: number, newlines: number) => boolean) {
  let bytes = 0;
  let newlines = 0;
  let finish: () => void = () => undefined;
  const done = new Promise<void>((r) => (finish = r));
  const server: Server = createServer((socket) => {
    socket.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) newlines++;
      if (until(bytes, newlines)) finish();
    });
    socket.on('error', () => undefined);
  });
  return { server, done };
}

async function listen(server: Server | ReturnType<typeof createHttpServer>): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function report(name: string, ms: number, extra = ''): number {
  const mibs = (total * lineBytes) / MiB / (ms / 1000);
  console.log(
    `${name}: ${total} lines of ${lineBytes} B in ${(ms / 1000).toFixed(2)} s → ${mibs.toFixed(1)} MiB/s, ` +
      `${Math.round(total / (ms / 1000))} lines/s${extra}`,
  );
  return mibs;
}

async function loopback(data: Buffer[]): Promise<number> {
  const size = data.reduce((n, b) => n + b.length, 0);
  const { server, done } = countingSocket((bytes) => bytes >= size);
  const port = await listen(server);
  const t0 = performance.now();
  await send(port, data);
  await done;
  const mibs = report('loopback TCP (limit)', performance.now() - t0);
  server.close();
  return mibs;
}

async function rsyslog(dir: string, data: Buffer[]): Promise<number | null> {
  if (!existsSync(RSYSLOGD)) {
    console.log('rsyslogd: not installed');
    return null;
  }
  const { server, done } = countingSocket((_, newlines) => newlines >= total);
  const out = await listen(server);
  const inPort = await freePort();
  const work = join(dir, 'rsyslog');
  mkdirSync(join(work, 'spool'), { recursive: true });
  writeFileSync(
    join(work, 'rsyslog.conf'),
    [
      `global(workDirectory="${join(work, 'spool')}" maxMessageSize="64k")`,
      'module(load="imtcp")',
      `input(type="imtcp" port="${inPort}" address="127.0.0.1" ruleset="fwd")`,
      'ruleset(name="fwd") {',
      `  action(type="omfwd" target="127.0.0.1" port="${out}" protocol="tcp" template="RSYSLOG_SyslogProtocol23Format")`,
      '}',
    ].join('\n'),
  );
  const proc: ChildProcess = spawn(
    RSYSLOGD,
    ['-n', '-f', join(work, 'rsyslog.conf'), '-i', join(work, 'pid')],
    { stdio: 'ignore' },
  );
  try {
    for (let i = 0; i < 100; i++) {
      const up = await new Promise<boolean>((resolve) => {
        const s = connect(inPort, '127.0.0.1', () => {
          s.destroy();
          resolve(true);
        });
        s.on('error', () => resolve(false));
      });
      if (up) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const t0 = performance.now();
    await send(inPort, data);
    await done;
    return report('rsyslogd imtcp → omfwd TCP (memory queues)', performance.now() - t0);
  } finally {
    proc.kill('SIGTERM');
    server.close();
  }
}

async function strata(dir: string, data: Buffer[]): Promise<number> {
  let lines = 0;
  let requests = 0;
  let finish: () => void = () => undefined;
  const done = new Promise<void>((r) => (finish = r));
  const sink = createHttpServer((req, res) => {
    let n = 0;
    req.on('data', (chunk: Buffer) => {
      for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) n++;
    });
    req.on('end', () => {
      lines += n;
      requests++;
      res.writeHead(200).end();
      if (lines >= total) finish();
    });
  });
  const sinkPort = await listen(sink);
  const nats = await startNatsServer({ dataDir: join(dir, 'nats') });
  const bus = await connectBus({ url: nats.url, name: 'bench', ...nats.login(NATS_DEV_ADMIN) });
  const pipeline: PipelineSpec = {
    name: 'ship',
    transforms: {},
    sinks: {
      out: {
        type: 'http',
        inputs: ['source'],
        url: `http://127.0.0.1:${sinkPort}/ingest`,
        encoding: 'ndjson',
        ...(batchEvents > 0 ? { batch: { max_events: batchEvents, timeout_secs: 0.2 } } : {}),
      },
    },
  };
  const now = new Date().toISOString();
  const view: PipelineView = {
    tenantId: TENANT,
    pipeline,
    version: 1,
    createdAt: now,
    updatedAt: now,
  };
  const quota = {
    ...DEFAULT_QUOTA,
    logBytesPerDay: 0,
    logIngestionRateBytesPerSecond: 1e12,
    logIngestionBurstBytes: 1e12,
  };
  // Stands in for the control plane: the tenant, its quota and its one pipeline.
  const serving = bus.serve<ControlQueryRequest, unknown>(
    Subjects.controlQuery,
    'control-plane',
    ({ query }) => {
      if (query.type === 'ListPipelines')
        return Promise.resolve({ items: [view], nextCursor: null });
      if (query.type === 'GetQuota')
        return Promise.resolve({ tenantId: TENANT, quota, version: 1, updatedAt: now });
      return Promise.resolve({
        tenantId: TENANT,
        displayName: TENANT,
        status: 'active',
        suspendedReason: null,
        version: 1,
        createdAt: now,
        updatedAt: now,
      });
    },
  );
  const syslogPort = await freePort();
  const edge = await startGateway({
    config: {
      adminToken: 'bench-admin-token-0123456789',
      tenantHeader: 'x-scope-orgid',
      maxBodyBytes: 1024 * 1024,
      logs: {
        maxBodyBytes: 64 * MiB,
        maxLineBytes: 256 * 1024,
        syslog: [{ protocol: 'tcp', port: syslogPort, tenantId: TENANT }],
        syslogHost: '127.0.0.1',
        syslogFlushLines: 1000,
        syslogFlushMs: 100,
      },
      host: '127.0.0.1',
      port: await freePort(),
      tls: null,
    },
    bus,
  });
  let logflow: ChildProcess | null = null;
  try {
    logflow = await spawnStrata(
      'logflow',
      strataEnv(nats, join(dir, 'data'), { LOG_LEVEL: 'warn' }),
      join(dir, 'logflow.log'),
    );
    // A new pipeline reads what is stored after its consumer exists; one line shows the path works.
    const ready = () =>
      bus.consumerBacklog(LogsStreams.batches.name, DURABLE).then(
        () => true,
        () => false,
      );
    while (!(await ready())) await new Promise((r) => setTimeout(r, 100));
    await send(syslogPort, [Buffer.from('<134>1 - host app 1 - - warm-up\n')]);
    while (lines < 1) await new Promise((r) => setTimeout(r, 50));
    lines = 0;
    requests = 0;
    // When the source has stored every line, to tell the source's share from logflow's.
    const listener = edge.app.get(SyslogListeners).listeners[0];
    const storedBefore = listener.stats.stored;
    const t0 = performance.now();
    let storedMs = 0;
    const watching = (async () => {
      while (listener.stats.stored - storedBefore < total)
        await new Promise((r) => setTimeout(r, 5));
      storedMs = performance.now() - t0;
    })();
    await send(syslogPort, data);
    await done;
    await watching;
    const ms = performance.now() - t0;
    return report(
      'Strata syslog TCP → STRATA_LOGS → logflow → HTTP sink',
      ms,
      ` (${requests} HTTP requests; the source had stored every line after ${(storedMs / 1000).toFixed(2)} s)`,
    );
  } finally {
    if (logflow) await killHard(logflow);
    await edge.close();
    await serving.stop();
    await bus.drain();
    await nats.process.stop();
    sink.close();
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-syslog-http-'));
  try {
    const data = frames();
    const limit = await loopback(data);
    const peer = await rsyslog(dir, data);
    const ours = await strata(dir, data);
    console.log(
      `ratios: Strata / loopback ${(ours / limit).toFixed(3)}` +
        (peer === null ? '' : `, Strata / rsyslogd ${(ours / peer).toFixed(2)}`),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
