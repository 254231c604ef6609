// What declaring handlers on controllers costs per request: the same echo handler served with
// `Bus.serve` directly and as a `@MessagePattern` on the bus transport (Nest's pipeline, a zod
// payload pipe, the exception filter), asked over a real nats-server. Run:
//   node -r @swc-node/register tools/bench/bus-transport/main.ts [requests=20000] [concurrency=32]
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { connectBus, requestRoute, serveOnBus, ValidatePayload, type NatsBus } from '@strata/bus';
import { NATS_DEV_ADMIN, startNatsServer } from '@strata/devstack';
import { z } from 'zod';

const [requests, concurrency] = [20_000, 32].map((d, i) => Number(process.argv[2 + i] ?? d));
const Echo = z.object({ tenantId: z.string(), query: z.string(), timeMs: z.number() }).strict();
type Echo = z.infer<typeof Echo>;

@Controller()
class EchoController {
  @MessagePattern('bench.transport.echo', requestRoute({ queueGroup: 'bench' }))
  echo(@Payload(new ValidatePayload(Echo, 'echo')) payload: Echo): Echo {
    return payload;
  }
}

async function measure(
  client: NatsBus,
  subject: string,
  parallel: number,
): Promise<{ perSecond: number; p50: number; p99: number }> {
  const latencies: number[] = [];
  let next = 0;
  const payload = {
    tenantId: 'bench',
    query: 'sum(rate(http_requests_total[5m]))',
    timeMs: Date.now(),
  };
  const started = performance.now();
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next++ < requests) {
        const t = performance.now();
        await client.request(subject, payload);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { perSecond: requests / seconds, p50: at(0.5), p99: at(0.99) };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'strata-bench-transport-'));
  const nats = await startNatsServer({ dataDir: join(dir, 'nats') });
  const login = nats.login(NATS_DEV_ADMIN);
  const server = await connectBus({ url: nats.url, name: 'bench-server', ...login });
  const client = await connectBus({ url: nats.url, name: 'bench-client', ...login });
  server.serve('bench.direct.echo', 'bench', (payload: unknown) =>
    Promise.resolve(Echo.parse(payload)),
  );
  const served = await serveOnBus(server, { controllers: [EchoController] }, { logger: false });
  await server.flush();
  console.log(
    `${requests} requests per run, small JSON payload validated with zod, one nats-server on loopback`,
  );
  console.log('parallel\tway\treq/s\tp50 ms\tp99 ms');
  for (const parallel of [1, concurrency]) {
    // Warm-up, then the two ways alternately, twice each.
    await measure(client, 'bench.direct.echo', parallel);
    await measure(client, 'bench.transport.echo', parallel);
    for (let round = 0; round < 2; round++) {
      for (const [way, subject] of [
        ['Bus.serve', 'bench.direct.echo'],
        ['@MessagePattern', 'bench.transport.echo'],
      ] as const) {
        const r = await measure(client, subject, parallel);
        console.log(
          `${parallel}\t${way}\t${r.perSecond.toFixed(0)}\t${r.p50.toFixed(3)}\t${r.p99.toFixed(3)}`,
        );
      }
    }
  }
  await served.app.close();
  await client.drain();
  await server.drain();
  await nats.process.stop();
  rmSync(dir, { recursive: true, force: true });
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
