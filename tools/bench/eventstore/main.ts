// Event store benchmark on a durable local Postgres (fsync on): appends/s on one stream and on
// 100 concurrent streams with the hash chain on, and outbox delivery lag to a NATS subscriber.
// Run: node -r @swc-node/register tools/bench/eventstore/main.ts [--seconds 5] [--pool 10] [--max-batch 500]
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { connectBus } from '@strata/bus';
import { Streams, Subjects } from '@strata/contracts';
import { NATS_DEV_ADMIN, createDatabaseIfMissing, startLocalStack } from '@strata/devstack';
import {
  CONTROL_PLANE_MIGRATIONS,
  ControlPlaneService,
  controlPlaneProjection,
} from '@strata/control-plane';
import {
  EventNotifier,
  EventStore,
  OutboxRelay,
  ProjectionRunner,
  createEventStoreDataSource,
  runMigrations,
  type EventMetadata,
} from '@strata/eventstore';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    pool: { type: 'string', default: '10' },
    'max-batch': { type: 'string', default: '500' },
  },
});
const seconds = Number(values.seconds);
const meta: EventMetadata = {
  actor: 'bench',
  actorKind: 'system',
  tenant: 'bench',
  requestId: 'bench',
  sourceAddress: '127.0.0.1',
};
const data = {
  tenantId: 'bench',
  quota: { maxActiveSeries: 150000, ingestionRateSamplesPerSecond: 10000 },
  changed: ['maxActiveSeries'],
};

function pct(sorted: number[], p: number): number {
  return sorted.length === 0
    ? NaN
    : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function writers(
  store: EventStore,
  streams: number,
  prefix: string,
  forMs: number,
): Promise<number> {
  let n = 0;
  const end = Date.now() + forMs;
  await Promise.all(
    Array.from({ length: streams }, async (_, s) => {
      let version = 0;
      while (Date.now() < end) {
        version = (
          await store.append(
            `${prefix}-s${s}`,
            version === 0 ? 'no_stream' : version,
            [{ type: 'QuotaSet', data }],
            meta,
          )
        ).version;
        n++;
      }
    }),
  );
  return n / (forMs / 1000);
}

async function main(): Promise<void> {
  const dataDir = join(__dirname, '../../../.strata/bench-eventstore');
  const stack = await startLocalStack({ dataDir, ephemeral: false, database: 'strata_bench' });
  const database = `bench_${Date.now()}`;
  const adminUrl = stack.postgresAdminUrl;
  if (!adminUrl) throw new Error('the benchmark needs the Postgres it starts itself');
  await createDatabaseIfMissing(adminUrl, database);
  const databaseUrl = adminUrl.replace(/\/[^/]+$/, `/${database}`);
  const ds = createEventStoreDataSource({
    databaseUrl,
    poolSize: Number(values.pool),
    migrations: CONTROL_PLANE_MIGRATIONS,
  });
  await ds.initialize();
  await runMigrations(ds);
  const [{ fsync, sc }]: Array<{ fsync: string; sc: string }> = await ds.query(
    "SELECT current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS sc",
  );
  console.log(
    `postgres fsync=${fsync} synchronous_commit=${sc}; ${seconds}s per run; pool ${values.pool}; max batch ${values['max-batch']}`,
  );
  const store = new EventStore(ds, {
    outboxSubject: (_s, a) => Subjects.controlEvents(a),
    maxBatch: Number(values['max-batch']),
  });
  const unbatched = new EventStore(ds, {
    outboxSubject: (_s, a) => Subjects.controlEvents(a),
    maxBatch: 1,
  });
  const ms = seconds * 1000;

  console.log(
    `one stream, sequential appends:            ${(await writers(store, 1, 'one', ms)).toFixed(0)} appends/s`,
  );
  console.log(
    `100 streams, concurrent (group commit):     ${(await writers(store, 100, 'many', ms)).toFixed(0)} appends/s`,
  );
  console.log(
    `100 streams, concurrent (one tx per append): ${(await writers(unbatched, 100, 'solo', ms)).toFixed(0)} appends/s`,
  );
  await ds.query('UPDATE outbox SET sent_at = now() WHERE sent_at IS NULL');

  const publisher = await connectBus({
    url: stack.natsUrl,
    name: 'eventstore-bench',
    ...stack.natsLogin(NATS_DEV_ADMIN),
  });
  await publisher.ensureStream({
    name: Streams.controlEvents.name,
    subjects: [...Streams.controlEvents.subjects],
    duplicateWindowMs: 120_000,
  });
  const notifier = new EventNotifier(databaseUrl);
  await notifier.start();
  const relay = new OutboxRelay(ds, { publisher, notifier, batchSize: 1000 });
  relay.start();
  // A message can arrive before the append's promise settles, so arrivals and commits are matched afterwards.
  const committed = new Map<number, number>();
  const arrived = new Map<number, number>();
  const sub = publisher.connection.subscribe(Subjects.controlEvents('lag'), {
    callback: (_e, msg) =>
      void arrived.set(msg.json<{ position: number }>().position, performance.now()),
  });
  for (const rate of [500, 2000]) {
    committed.clear();
    arrived.clear();
    const perTick = rate / 100;
    const end = Date.now() + ms;
    const pending: Array<Promise<void>> = [];
    let i = 0;
    while (Date.now() < end) {
      for (let k = 0; k < perTick; k++, i++) {
        pending.push(
          store
            .append(`lag-r${rate}s${i % 100}`, 'any', [{ type: 'QuotaSet', data }], meta)
            .then((r) => void committed.set(r.positions[0], performance.now())),
        );
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    await Promise.all(pending);
    const deadline = Date.now() + 30_000;
    while ((await relay.pending()) > 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 200));
    const lags = [...committed].flatMap(([position, at]) =>
      arrived.has(position) ? [Math.max(0, (arrived.get(position) ?? at) - at)] : [],
    );
    const sorted = lags.sort((a, b) => a - b);
    console.log(
      `outbox lag at ~${(i / seconds).toFixed(0)} appends/s over 100 streams: p50 ${pct(sorted, 50).toFixed(1)} ms, p99 ${pct(sorted, 99).toFixed(1)} ms (${sorted.length}/${i} received)`,
    );
  }
  sub.unsubscribe();
  await relay.stop();
  await notifier.stop();
  await publisher.drain();
  const runner = new ProjectionRunner(ds, [controlPlaneProjection]);
  const service = new ControlPlaneService(ds, store, { projections: runner });
  const context = {
    actor: 'bench',
    actorKind: 'system' as const,
    sourceAddress: '127.0.0.1',
    requestId: 'bench',
  };
  await Promise.all(
    Array.from({ length: 100 }, (_, t) =>
      service.execute({
        command: { type: 'CreateTenant', tenantId: `bench-${t}`, displayName: 'B' },
        context: { ...context, requestId: `create-${t}` },
      }),
    ),
  );
  let commands = 0;
  const commandsEnd = Date.now() + ms;
  await Promise.all(
    Array.from({ length: 100 }, async (_, t) => {
      for (let i = 1; Date.now() < commandsEnd; i++) {
        await service.execute({
          command: { type: 'SetQuota', tenantId: `bench-${t}`, quota: { maxActiveSeries: i } },
          context: { ...context, requestId: `quota-${t}-${i}` },
        });
        commands++;
      }
    }),
  );
  console.log(
    `control-plane SetQuota commands over 100 tenants (load, decide, append, project): ${(commands / seconds).toFixed(0)} commands/s`,
  );
  const verify = Date.now();
  const chain = await store.verifyChain();
  console.log(
    `verifyChain: ${chain.ok ? 'ok' : `broken at ${chain.brokenAt}`} over ${chain.checkedEvents} events in ${Date.now() - verify} ms`,
  );
  await ds.destroy();
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE ${database} WITH (FORCE)`);
  await admin.end();
  await stack.stop();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
