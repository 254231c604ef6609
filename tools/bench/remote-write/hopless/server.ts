// The hop-less ingest prototype as a process of its own: Prometheus remote write at
// `/api/v1/push`, decoded and validated by the router's decoder, the body stored as sent in
// JetStream, the decoded series applied to the partitions' heads after the ack, then 204. At
// start-up it replays whatever the stream holds into fresh heads, as a restart would. Started by
// `main.ts` when STRATA_BENCH_HOPLESS is set (see the README, stop 28).
import Fastify from 'fastify';
import { connectBus } from '@strata/bus';
import { Subjects, ingestStreamSpec } from '@strata/contracts';
import { LabelInjection, RemoteWriteError, decodeHttpWrite } from '@strata/remote-write';
import { type Applier, inlineApplier, workerApplier } from './appliers';
import { threadId } from './thread-id';

/** The prototype's settings, read once from its environment. */
interface PrototypeConfig {
  variant: 'A' | 'B';
  natsUrl: string;
  natsLogin: { user: string; password: string; inboxPrefix: string };
  port: number;
  partitions: number;
}

function readConfig(env: NodeJS.ProcessEnv): PrototypeConfig {
  const variant = env.HOPLESS_VARIANT;
  if (variant !== 'A' && variant !== 'B') throw new Error(`HOPLESS_VARIANT must be A or B`);
  return {
    variant,
    natsUrl: String(env.NATS_URL),
    natsLogin: JSON.parse(String(env.HOPLESS_NATS_LOGIN)) as PrototypeConfig['natsLogin'],
    port: Number(env.HTTP_PORT),
    partitions: Number(env.STRATA_INGEST_PARTITIONS ?? 8),
  };
}

// The body as sent goes to one subject of the ingest stream; a real build would give it a subject
// and headers of its own in contracts (the tenant and protocol version it was decoded with).
const SUBJECT = Subjects.ingestSamples(0);
const STREAM = ingestStreamSpec({ maxAgeSeconds: 3600, maxBytes: 4 * 1024 ** 3 });
const TENANT_HEADER = 'Strata-Tenant';
const VERSION_HEADER = 'Strata-Content-Type';
const OPTIONS = { maxSeriesPerRequest: 100_000 };

async function main(): Promise<void> {
  const config = readConfig(process.env);
  const bus = await connectBus({ url: config.natsUrl, name: 'hopless', ...config.natsLogin });
  await bus.ensureStream(STREAM);
  const applier: Applier =
    config.variant === 'A' ? inlineApplier(config.partitions) : workerApplier(config.partitions);
  const injections = new Map<string, LabelInjection>();
  const injection = (tenant: string) => {
    let i = injections.get(tenant);
    if (!i)
      injections.set(
        tenant,
        (i = new LabelInjection([{ name: '__tenant__', value: tenant, override: true }])),
      );
    return i;
  };
  const replay = await replayStream(bus, applier, injection);
  const bootId = `${process.pid}-${Date.now()}`;
  let writes = 0;

  const app = Fastify({ bodyLimit: 64 * 1024 * 1024 });
  app.addContentTypeParser('application/x-protobuf', { parseAs: 'buffer' }, (_r, body, done) =>
    done(null, body),
  );
  app.post('/api/v1/push', async (request, reply) => {
    const tenant = request.headers['x-scope-orgid'];
    if (typeof tenant !== 'string' || !Buffer.isBuffer(request.body))
      return reply.code(400).send('a tenant header and a protobuf body are needed');
    const contentType = request.headers['content-type'] ?? null;
    let batch;
    try {
      batch = decodeHttpWrite(
        request.body,
        { contentType, contentEncoding: request.headers['content-encoding'] ?? null },
        OPTIONS,
        injection(tenant),
      ).batch;
    } catch (error) {
      if (error instanceof RemoteWriteError) return reply.code(400).send(error.message);
      throw error;
    }
    const ack = await bus.publish(SUBJECT, request.body, {
      msgId: `${bootId}-${writes++}`,
      headers: { [TENANT_HEADER]: tenant, [VERSION_HEADER]: contentType ?? '' },
    });
    await applier.apply(ack.seq, batch);
    return reply.code(204).send();
  });
  app.get('/bench/state', async () => ({
    counts: await applier.counts(),
    mainTid: threadId(),
    workerTid: await applier.workerTid,
    replay,
  }));
  await app.listen({ host: '127.0.0.1', port: config.port });
  const stop = () => {
    void app
      .close()
      .then(() => applier.close())
      .then(() => bus.drain())
      .then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
}

/** Applies every write the stream holds, in order, before the prototype takes new ones. */
async function replayStream(
  bus: Awaited<ReturnType<typeof connectBus>>,
  applier: Applier,
  injection: (tenant: string) => LabelInjection,
): Promise<{ writes: number; seconds: number }> {
  const last = await bus.lastSequence(STREAM.name, SUBJECT);
  if (last === 0) return { writes: 0, seconds: 0 };
  const started = process.hrtime.bigint();
  let writes = 0;
  let finished: () => void = () => undefined;
  const done = new Promise<void>((r) => (finished = r));
  const consumer = await bus.consume(
    { stream: STREAM.name, durableName: `replay-${process.pid}`, filterSubjects: [SUBJECT] },
    async (m) => {
      const { batch } = decodeHttpWrite(
        m.data,
        { contentType: m.headers[VERSION_HEADER] || null, contentEncoding: 'snappy' },
        OPTIONS,
        injection(m.headers[TENANT_HEADER]),
      );
      await applier.apply(m.seq, batch);
      writes++;
      m.ack();
      if (m.seq >= last) finished();
    },
    { ordered: true },
  );
  await done;
  await consumer.stop();
  return { writes, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
