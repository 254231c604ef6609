// The durable hop alone: what storing the bench's writes in JetStream and reading them back costs
// the NATS client and nats-server, per 1M samples, as the router stores them today (one ingest
// message per partition, group-committed) and as the body the sender sent (one message per write,
// already snappy). No decoding and no heads: only publish, store, deliver and ack. Run:
//   node -r @swc-node/register tools/bench/remote-write/hop.ts [series=10000] [rounds=30] [senders=4]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectBus } from '@strata/bus';
import { Subjects, ingestStreamSpec } from '@strata/contracts';
import { NATS_DEV_ADMIN, startNatsServer } from '@strata/devstack';
import { LabelInjection } from '@strata/remote-write';
import { encodeWriteRequestV1 } from '@strata/remote-write/testing';
import { PartitionBatcher, prepareWrite } from '@strata/router';
import { labelsFor } from './workload';

const [numSeries, rounds, senders] = [10_000, 30, 4].map((d, i) =>
  Number(process.argv[2 + i] ?? d),
);
const PER_REQUEST = 2_000;
const PARTITIONS = 8;
const MAX_MESSAGE_BYTES = 1024 * 1024 - 64 * 1024;

function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Each write's body and the ingest messages the router makes of it, built before timing. */
function writes(): Array<{ body: Buffer; parts: Array<{ partition: number; data: Uint8Array }> }> {
  const injection = new LabelInjection([{ name: '__tenant__', value: 'bench', override: true }]);
  const t0 = Date.now() - rounds * 15_000;
  const out = [];
  for (let r = 0; r < rounds; r++)
    for (let start = 0; start < numSeries; start += PER_REQUEST) {
      const body = encodeWriteRequestV1({
        metadata: [],
        series: Array.from({ length: PER_REQUEST }, (_, k) => ({
          labels: labelsFor(start + k),
          timestamps: Float64Array.of(t0 + r * 15_000),
          values: Float64Array.of(r * 10 + (k % 7)),
          exemplars: [],
        })),
      });
      const prepared = prepareWrite(
        {
          tenantId: 'bench',
          body,
          contentType: null,
          contentEncoding: 'snappy',
          options: {},
          partitions: PARTITIONS,
          maxMessageBytes: MAX_MESSAGE_BYTES,
          window: { from: -Infinity, until: Infinity },
          settings: { outOfOrderWindowMs: 0 },
        },
        injection,
      );
      out.push({ body, parts: [...prepared.messages] });
    }
  return out;
}

async function run(mode: 'partitions' | 'body'): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'strata-bench-hop-'));
  const nats = await startNatsServer({ dataDir: join(dir, 'nats') });
  const bus = await connectBus({ url: nats.url, name: 'bench-hop', ...nats.login(NATS_DEV_ADMIN) });
  const spec = ingestStreamSpec({ maxAgeSeconds: 3600, maxBytes: 4 * 1024 ** 3 });
  await bus.ensureStream(spec);
  const all = writes();
  const samples = all.length * PER_REQUEST;
  const batcher = new PartitionBatcher(bus, MAX_MESSAGE_BYTES, 64, () => stored++);
  let stored = 0;
  let received = 0;
  let bytes = 0;
  const consumer = await bus.consume(
    { stream: spec.name, durableName: `hop-${mode}`, ackPolicy: 'cumulative' },
    (m) => {
      received++;
      bytes += m.data.length;
      m.ack();
      return Promise.resolve();
    },
  );
  let next = 0;
  const cpu0 = process.cpuUsage();
  const nats0 = cpuSeconds(nats.process.pid);
  const started = process.hrtime.bigint();
  let sequence = 0;
  await Promise.all(
    Array.from({ length: senders }, async () => {
      while (next < all.length) {
        const w = all[next++];
        const id = `w${sequence++}`;
        if (mode === 'body') {
          await bus.publish(Subjects.ingestSamples(0), w.body, { msgId: id });
          stored++;
        } else {
          await Promise.all(
            w.parts.map((p, i) => batcher.publish(p.partition, p.data, `${id}.${i}`)),
          );
        }
      }
    }),
  );
  while (received < stored) await new Promise((r) => setTimeout(r, 2));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const natsCpu = cpuSeconds(nats.process.pid) - nats0;
  const perM = 1e6 / samples;
  console.log(
    `${mode.padEnd(10)} ${stored} messages (${(bytes / samples).toFixed(1)} B/sample): ` +
      `${(samples / seconds / 1000).toFixed(0)}k samples/s; CPU s per 1M samples: ` +
      `client ${(((cpu.user + cpu.system) / 1e6) * perM).toFixed(2)}, nats-server ${(natsCpu * perM).toFixed(2)}`,
  );
  await consumer.stop();
  await bus.drain();
  await nats.process.stop();
  rmSync(dir, { recursive: true, force: true });
}

async function main(): Promise<void> {
  console.log(
    `${numSeries} series × ${rounds} rounds, ${PER_REQUEST} per write, ${senders} senders`,
  );
  for (const mode of ['partitions', 'body', 'partitions', 'body'] as const) await run(mode);
}

void main();
