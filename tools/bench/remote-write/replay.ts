// How fast an ingester applies its partitions' stream: publishes N small ingest messages, then
// starts an ingester and times until its Store API answers (replay done). Run:
//   node -r @swc-node/register tools/bench/remote-write/replay.ts [messages=40000] [seriesPerMessage=5]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectBus } from '@strata/bus';
import { Subjects, ingestStreamSpec } from '@strata/contracts';
import { NATS_DEV_ADMIN, startNatsServer } from '@strata/devstack';
import { ingesterService } from '@strata/ingester';
import { encodeIngestMessage } from '@strata/remote-write';
import { parsePlatformConfig, startServices } from '@strata/service-kit';
import { createStoreClient } from '@strata/store-client';
import { labelsFrom } from '@strata/tsdb';

const [messages, perMessage] = [40_000, 5].map((d, i) => Number(process.argv[2 + i] ?? d));
const PARTITIONS = 4;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'strata-bench-replay-'));
  const nats = await startNatsServer({ dataDir: join(dir, 'nats') });
  const bus = await connectBus({
    url: nats.url,
    name: 'bench-replay',
    ...nats.login(NATS_DEV_ADMIN),
  });
  await bus.ensureStream(ingestStreamSpec({ maxAgeSeconds: 3600, maxBytes: 4 * 1024 ** 3 }));
  const t0 = Date.now() - 3_600_000 / 2;
  let inFlight: Array<Promise<unknown>> = [];
  for (let m = 0; m < messages; m++) {
    const p = m % PARTITIONS;
    const round = Math.floor(m / PARTITIONS);
    const series = Array.from({ length: perMessage }, (_, k) => ({
      labels: labelsFrom({ __name__: 'replay', p: String(p), s: String(k), tenant_id: 'bench' }),
      timestamps: new Float64Array([t0 + round * 10]),
      values: new Float64Array([round]),
      exemplars: [],
    }));
    inFlight.push(bus.publish(Subjects.ingestSamples(p), encodeIngestMessage('bench', series)));
    if (inFlight.length >= 256) {
      await Promise.all(inFlight);
      inFlight = [];
    }
  }
  await Promise.all(inFlight);
  const started = Date.now();
  const running = await startServices({
    config: parsePlatformConfig({
      NATS_URL: nats.url,
      NATS_CREDENTIALS_DIR: nats.credentialsDir,
      STRATA_DATA_DIR: join(dir, 'data'),
      STRATA_INGEST_PARTITIONS: String(PARTITIONS),
      LOG_LEVEL: 'warn',
    }),
    services: [ingesterService],
    handleSignals: false,
    healthHttp: false,
  });
  const store = createStoreClient(bus, { partitions: PARTITIONS });
  for (;;) {
    try {
      await store.labelNames({ tenantId: 'bench', matchers: [], start: 0, end: Date.now() });
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  const seconds = (Date.now() - started) / 1000;
  console.log(
    `${messages} messages × ${perMessage} series replayed in ${seconds.toFixed(2)} s (start-up included): ` +
      `${(messages / seconds).toFixed(0)} messages/s, ${((messages * perMessage) / seconds).toFixed(0)} samples/s`,
  );
  await running.stop();
  await bus.drain();
  await nats.process.stop();
  rmSync(dir, { recursive: true, force: true });
}

void main();
