// Throughput of the log sources into the durable buffer (STRATA_LOGS on a file-backed JetStream):
// HTTP NDJSON (`POST /api/v1/logs`) and syslog over TCP (octet-counted RFC 5424). Run:
//   node -r @swc-node/register tools/bench/logflow/sources.ts [lines=200000] [lineBytes=200] [linesPerRequest=1000] [senders=4]
// The gateway runs in this process with its own nats-server; a stand-in control plane answers on
// the bus. A 2xx means JetStream stored the request; syslog is done when the listener counted every
// line stored. Senders run in the same process, so their CPU counts against the source.
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectBus } from '@strata/bus';
import { type ControlQueryRequest, DEFAULT_QUOTA, Subjects } from '@strata/contracts';
import { NATS_DEV_ADMIN, freePort, startNatsServer } from '@strata/devstack';
import { startGateway, SyslogListeners } from '@strata/gateway';

const [total, lineBytes, perRequest, senders] = [200_000, 200, 1_000, 4].map((d, i) =>
  Number(process.argv[2 + i] ?? d),
);
const TENANT = 'bench';
const ADMIN_TOKEN = 'bench-admin-token-0123456789';
const MiB = 1024 * 1024;

function line(i: number): string {
  const head = `ts=2024-01-01T00:00:00Z level=info msg="request served" i=${i} path=/api/v1/items `;
  return head + 'x'.repeat(Math.max(0, lineBytes - head.length));
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'strata-bench-logs-'));
  const nats = await startNatsServer({ dataDir: join(dir, 'nats') });
  const bus = await connectBus({ url: nats.url, name: 'bench', ...nats.login(NATS_DEV_ADMIN) });
  const quota = {
    ...DEFAULT_QUOTA,
    logBytesPerDay: 0,
    logIngestionRateBytesPerSecond: 1e12,
    logIngestionBurstBytes: 1e12,
  };
  bus.serve<ControlQueryRequest, unknown>(Subjects.controlQuery, 'cp', ({ query }) => {
    const now = new Date().toISOString();
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
  });
  const syslogPort = await freePort();
  const edge = await startGateway({
    config: {
      adminToken: ADMIN_TOKEN,
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
  const report = (name: string, lines: number, bytes: number, ms: number) =>
    console.log(
      `${name}: ${lines} lines, ${(bytes / MiB).toFixed(1)} MiB of lines in ${(ms / 1000).toFixed(2)} s → ` +
        `${(bytes / MiB / (ms / 1000)).toFixed(1)} MiB/s, ${Math.round(lines / (ms / 1000))} lines/s`,
    );
  try {
    // HTTP NDJSON: bodies built up front so building them does not count.
    const bodies: string[] = [];
    for (let i = 0; i < total; i += perRequest) {
      const n = Math.min(perRequest, total - i);
      bodies.push(
        Array.from({ length: n }, (_, k) =>
          JSON.stringify({ line: line(i + k), labels: { app: 'bench' } }),
        ).join('\n') + '\n',
      );
    }
    let next = 0;
    const t0 = Date.now();
    await Promise.all(
      Array.from({ length: senders }, async () => {
        while (next < bodies.length) {
          const body = bodies[next++];
          const res = await fetch(`${edge.url}/api/v1/logs`, {
            method: 'POST',
            body,
            headers: {
              Authorization: `Bearer ${ADMIN_TOKEN}`,
              'X-Scope-OrgID': TENANT,
              'Content-Type': 'application/x-ndjson',
            },
          });
          if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
        }
      }),
    );
    report('HTTP NDJSON → STRATA_LOGS', total, total * lineBytes, Date.now() - t0);

    // Syslog TCP: octet-counted RFC 5424 frames over `senders` connections.
    const listener = edge.app.get(SyslogListeners).listeners[0];
    const frames: Buffer[] = [];
    for (let s = 0; s < senders; s++) {
      const parts: string[] = [];
      for (let i = s; i < total; i += senders) {
        const msg = `<134>1 2024-01-01T00:00:00.000Z host app 1 - - ${line(i)}`;
        parts.push(`${Buffer.byteLength(msg)} ${msg}`);
      }
      frames.push(Buffer.from(parts.join('')));
    }
    const t1 = Date.now();
    await Promise.all(
      frames.map(
        (data) =>
          new Promise<void>((resolve, reject) => {
            const socket = connect(syslogPort, '127.0.0.1', () => socket.end(data));
            socket.on('close', () => resolve());
            socket.on('error', reject);
          }),
      ),
    );
    while (listener.stats.stored < total) await new Promise((r) => setTimeout(r, 5));
    report('syslog TCP → STRATA_LOGS', total, total * lineBytes, Date.now() - t1);
  } finally {
    await edge.close();
    await bus.drain();
    await nats.process.stop();
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
