// The hop-less ingest prototype as a process of its own: Prometheus remote write at
// `/api/v1/push`, decoded and validated by the router's decoder, stored in JetStream, applied to
// the partitions' heads after the ack, then 204. Variants: A the body stored as sent and the heads
// on the main thread, B the same with the heads on a worker thread, C the router's per-partition
// messages applied in-process. At start-up it replays whatever the stream holds into fresh heads,
// as a restart would. Started by `main.ts` when STRATA_BENCH_HOPLESS is set (README, stop 28).
import Fastify from 'fastify';
import { connectBus } from '@strata/bus';
import { LabelInjection, RemoteWriteError } from '@strata/remote-write';
import { inlineApplier, workerApplier } from './appliers';
import { bodyPath } from './body-path';
import { partitionPath } from './partition-path';
import { threadId } from './thread-id';
import { STREAM, type WritePath } from './write-path';

/** The prototype's settings, read once from its environment. */
interface PrototypeConfig {
  variant: 'A' | 'B' | 'C';
  natsUrl: string;
  natsLogin: { user: string; password: string; inboxPrefix: string };
  port: number;
  partitions: number;
}

function readConfig(env: NodeJS.ProcessEnv): PrototypeConfig {
  const variant = env.HOPLESS_VARIANT;
  if (variant !== 'A' && variant !== 'B' && variant !== 'C')
    throw new Error(`HOPLESS_VARIANT must be A, B or C, not ${variant}`);
  return {
    variant,
    natsUrl: String(env.NATS_URL),
    natsLogin: JSON.parse(String(env.HOPLESS_NATS_LOGIN)) as PrototypeConfig['natsLogin'],
    port: Number(env.HTTP_PORT),
    partitions: Number(env.STRATA_INGEST_PARTITIONS ?? 8),
  };
}

async function main(): Promise<void> {
  const config = readConfig(process.env);
  const bus = await connectBus({ url: config.natsUrl, name: 'hopless', ...config.natsLogin });
  await bus.ensureStream(STREAM);
  const injections = new Map<string, LabelInjection>();
  const injection = (tenant: string) => {
    let i = injections.get(tenant);
    if (!i) {
      i = new LabelInjection([{ name: '__tenant__', value: tenant, override: true }]);
      injections.set(tenant, i);
    }
    return i;
  };
  const { variant, partitions } = config;
  const path: WritePath =
    variant === 'C'
      ? partitionPath(bus, partitions, injection)
      : bodyPath(
          bus,
          variant === 'A' ? inlineApplier(partitions) : workerApplier(partitions),
          injection,
        );
  const replay = await path.replay();

  const app = Fastify({ bodyLimit: 64 * 1024 * 1024 });
  app.addContentTypeParser('application/x-protobuf', { parseAs: 'buffer' }, (_r, body, done) =>
    done(null, body),
  );
  app.post('/api/v1/push', async (request, reply) => {
    const tenant = request.headers['x-scope-orgid'];
    if (typeof tenant !== 'string' || !Buffer.isBuffer(request.body))
      return reply.code(400).send('a tenant header and a protobuf body are needed');
    try {
      await path.write({
        tenant,
        body: request.body,
        contentType: request.headers['content-type'] ?? null,
        contentEncoding: request.headers['content-encoding'] ?? null,
      });
    } catch (error) {
      if (error instanceof RemoteWriteError) return reply.code(400).send(error.message);
      throw error;
    }
    return reply.code(204).send();
  });
  app.get('/bench/state', async () => ({
    counts: await path.counts(),
    mainTid: threadId(),
    workerTid: await path.workerTid,
    replay,
  }));
  await app.listen({ host: '127.0.0.1', port: config.port });
  process.once('SIGTERM', () => {
    void app
      .close()
      .then(() => path.close())
      .then(() => bus.drain())
      .then(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
