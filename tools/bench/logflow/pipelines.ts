// Logflow pipelines end to end with JetStream as the durable buffer: batches shaped like HTTP
// NDJSON requests are stored in STRATA_LOGS (file storage) while a logflow process (its own
// process, as deployed) runs the tenant's pipeline over them. Run:
//   node -r @swc-node/register tools/bench/logflow/pipelines.ts [batches=400] [lines=1000]
// Scenarios: `blackhole` (source → blackhole) and `parse` (parse_json + parse_regex + route →
// two file sinks). Throughput: all batches published at once (8 publishers) until the pipeline's
// consumer has acknowledged the last; latency: a paced run at half that rate, publish-ack to
// consumer-ack, observed by polling the consumer every 10 ms.
import { type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectBus, type NatsBus } from '@strata/bus';
import {
  type ControlQueryRequest,
  LogsStreams,
  type LogBatch,
  type PipelineSpec,
  type PipelineView,
  Subjects,
} from '@strata/contracts';
import { NATS_DEV_ADMIN, startNatsServer } from '@strata/devstack';
import { logBatch, logRecord, publishLogBatch } from '@strata/logflow/testing';
import { killHard, spawnStrata, strataEnv } from '@strata/platform/testing';

const [batches, lines] = [400, 1000].map((d, i) => Number(process.argv[2 + i] ?? d));
const TENANT = 'bench';
const MiB = 1024 * 1024;

const PIPELINES: Record<string, PipelineSpec> = {
  blackhole: {
    name: 'blackhole',
    transforms: {},
    sinks: { out: { type: 'blackhole', inputs: ['source'] } },
  },
  parse: {
    name: 'parse',
    transforms: {
      json: { type: 'parse_json', inputs: ['source'] },
      access: {
        type: 'parse_regex',
        inputs: ['json'],
        field: 'fields.msg',
        target: 'fields.http',
        pattern:
          '^(?P<ip>\\S+) \\S+ (?P<user>\\S+) \\[(?P<time>[^\\]]+)\\] "(?P<method>\\S+) (?P<path>\\S+) (?P<proto>[^"]+)" (?P<status>\\d{3}) (?P<bytes>\\d+)',
      },
      by_status: {
        type: 'route',
        inputs: ['access'],
        routes: { errors: 'fields.http.status regex "^5"' },
      },
    },
    sinks: {
      errors: { type: 'file', inputs: ['by_status.errors'], path: 'errors.ndjson' },
      all: { type: 'file', inputs: ['access'], path: 'all.ndjson' },
    },
  },
};

/** An NDJSON-shaped line: a JSON object with a level, a service and an nginx access line. */
function line(b: number, i: number): string {
  const status = (b * 7 + i) % 50 === 0 ? 503 : 200;
  return JSON.stringify({
    ts: '2026-12-05T02:00:00.000Z',
    level: i % 10 === 0 ? 'warn' : 'info',
    service: 'checkout',
    msg: `10.1.${b % 256}.${i % 256} - alice [05/Dec/2026:02:00:00 +0000] "GET /api/v1/orders/${b}-${i}?expand=items HTTP/1.1" ${status} ${1000 + i}`,
  });
}

function makeBatches(n: number, salt: string): { batches: LogBatch[]; bytes: number } {
  let bytes = 0;
  const out: LogBatch[] = [];
  for (let b = 0; b < n; b++) {
    const records = Array.from({ length: lines }, (_, i) => {
      const l = line(b, i);
      bytes += l.length;
      return logRecord(l, { app: 'checkout', salt });
    });
    out.push(logBatch(TENANT, records));
  }
  return { batches: out, bytes };
}

async function drained(bus: NatsBus, durable: string): Promise<void> {
  while ((await bus.consumerBacklog(LogsStreams.batches.name, durable)) > 0)
    await new Promise((r) => setTimeout(r, 10));
}

async function throughput(bus: NatsBus, durable: string, salt: string) {
  const { batches: all, bytes } = makeBatches(batches, salt);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < all.length) await publishLogBatch(bus, all[next++]);
    }),
  );
  const published = performance.now();
  await drained(bus, durable);
  const seconds = (performance.now() - started) / 1000;
  return {
    mibPerSecond: bytes / MiB / seconds,
    linesPerSecond: (batches * lines) / seconds,
    publishMiBPerSecond: bytes / MiB / ((published - started) / 1000),
    seconds,
  };
}

/**
 * The rate at which a pipeline drains the buffer alone: logflow is stopped, the batches are
 * stored, logflow starts again, and the clock runs from its first acknowledgement to the last.
 */
async function drain(
  bus: NatsBus,
  durable: string,
  salt: string,
  restart: () => Promise<void>,
  stop: () => Promise<void>,
) {
  await stop();
  const { batches: all, bytes } = makeBatches(batches, salt);
  for (const b of all) await publishLogBatch(bus, b);
  await restart();
  let backlog = batches;
  while ((backlog = await bus.consumerBacklog(LogsStreams.batches.name, durable)) >= batches)
    await new Promise((r) => setTimeout(r, 5));
  const started = performance.now();
  await drained(bus, durable);
  const seconds = (performance.now() - started) / 1000;
  return {
    mibPerSecond: ((bytes / batches) * backlog) / MiB / seconds,
    linesPerSecond: (backlog * lines) / seconds,
  };
}

async function latency(bus: NatsBus, durable: string, salt: string, batchesPerSecond: number) {
  const n = Math.max(20, Math.round(batchesPerSecond * 10));
  const { batches: all } = makeBatches(n, salt);
  const publishedAt: number[] = [];
  const doneAt: number[] = [];
  let published = 0;
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const backlog = await bus.consumerBacklog(LogsStreams.batches.name, durable);
      const done = published - backlog;
      const now = performance.now();
      while (doneAt.length < done) doneAt.push(now);
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  const interval = 1000 / batchesPerSecond;
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    await publishLogBatch(bus, all[i]);
    publishedAt.push(performance.now());
    published++;
  }
  while (doneAt.length < n) await new Promise((r) => setTimeout(r, 10));
  polling = false;
  await poller;
  const latencies = publishedAt.map((t, i) => doneAt[i] - t).sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))];
  return { p50: pct(0.5), p99: pct(0.99), batchesPerSecond };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-logflow-'));
  const nats = await startNatsServer({ dataDir: join(dir, 'nats') });
  const bus = await connectBus({ url: nats.url, name: 'bench', ...nats.login(NATS_DEV_ADMIN) });
  let logflow: ChildProcess | null = null;
  try {
    await bus.ensureStream({
      ...LogsStreams.batches,
      subjects: [...LogsStreams.batches.subjects],
      storage: 'file',
      duplicateWindowMs: 120_000,
    });
    for (const [name, spec] of Object.entries(PIPELINES)) {
      // Stands in for the control plane: this one pipeline of the tenant.
      const view: PipelineView = {
        tenantId: TENANT,
        pipeline: spec,
        version: 1,
        createdAt: new Date().toISOString(),
        updatedAt: new Date().toISOString(),
      };
      const serving = bus.serve<ControlQueryRequest, unknown>(
        Subjects.controlQuery,
        'control-plane',
        () => Promise.resolve({ items: [view], nextCursor: null }),
      );
      const files = join(dir, `files-${name}`);
      logflow = await spawnStrata(
        'logflow',
        strataEnv(nats, join(dir, `data-${name}`), {
          LOG_LEVEL: 'warn',
          STRATA_LOGFLOW_FILE_ROOT: files,
          STRATA_LOGFLOW_CONCURRENCY: '4',
        }),
        join(dir, `logflow-${name}.log`),
      );
      const durable = `logflow-${TENANT}-${name}`;
      for (;;) {
        const ok = await bus.consumerBacklog(LogsStreams.batches.name, durable).then(
          () => true,
          () => false,
        );
        if (ok) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      // Warm-up: JIT, file handles, regex compilation.
      await throughput(bus, durable, `warm-${name}`).catch(() => undefined);
      const t = await throughput(bus, durable, `run-${name}`);
      const spawn = async () => {
        logflow = await spawnStrata(
          'logflow',
          strataEnv(nats, join(dir, `data-${name}`), {
            LOG_LEVEL: 'warn',
            STRATA_LOGFLOW_FILE_ROOT: files,
            STRATA_LOGFLOW_CONCURRENCY: '4',
          }),
          join(dir, `logflow-${name}.log`),
        );
      };
      const d = await drain(bus, durable, `drain-${name}`, spawn, async () => {
        if (logflow) await killHard(logflow);
      });
      const l = await latency(
        bus,
        durable,
        `lat-${name}`,
        Math.max(1, (t.linesPerSecond / lines) * 0.5),
      );
      const written =
        name === 'parse'
          ? `, file output ${(statSync(join(files, TENANT, 'all.ndjson')).size / MiB).toFixed(0)} MiB`
          : '';
      process.stdout.write(
        `${name}: ${batches} batches x ${lines} lines: ${t.mibPerSecond.toFixed(1)} MiB/s, ` +
          `${Math.round(t.linesPerSecond)} lines/s while publishing (publish alone ${t.publishMiBPerSecond.toFixed(1)} MiB/s); ` +
          `draining the buffer ${d.mibPerSecond.toFixed(1)} MiB/s, ${Math.round(d.linesPerSecond)} lines/s${written}; ` +
          `at ${l.batchesPerSecond.toFixed(1)} batches/s: p50 ${l.p50.toFixed(0)} ms, p99 ${l.p99.toFixed(0)} ms\n`,
      );
      await killHard(logflow);
      logflow = null;
      await serving.stop();
    }
  } finally {
    if (logflow) await killHard(logflow);
    await bus.drain();
    await nats.process.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
