import { type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { BusClient, type NatsBus } from '@strata/bus';
import {
  type CommandAccepted,
  type ControlCommand,
  LogsStreams,
  type PromQueryData,
  QuerySubjects,
  Subjects,
} from '@strata/contracts';
import { controlPlaneService } from '@strata/control-plane';
import { type RunningNatsServer } from '@strata/devstack';
import { ingesterService } from '@strata/ingester';
import { SinkServer, logBatch, logRecord, publishLogBatch } from '@strata/logflow/testing';
import {
  clientBus,
  killHard,
  removeTestDirs,
  spawnStrata,
  startInProcess,
  startTestNats,
  strataEnv,
} from '@strata/platform/testing';
import { queryService } from '@strata/query';
import { routerService } from '@strata/router';
import { type RunningServices } from '@strata/service-kit';
import { freshDatabase, type FreshDatabase } from '@strata/testing';

jest.setTimeout(180_000);

const BATCHES = 300;
const LINES = 50;
const CONSUMER = 'logflow-crash-ship';

async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Vector's disk-buffer test, here with JetStream as the buffer: under a steady load, the logflow
 * process (its own process, its own NATS identity) is killed with SIGKILL twice and started again.
 * Every line the buffer acknowledged must reach the sink; lines delivered twice (sent before the
 * kill, acknowledged after) are counted and reported. The pipeline's `log_to_metric` counter,
 * read in PromQL, must count every line exactly once: no reset at a restart, no redelivered
 * batch counted twice.
 */
describe('logflow survives kill -9 under load: lines acknowledged = lines delivered', () => {
  let nats: RunningNatsServer;
  let dir: string;
  let bus: NatsBus;
  let db: FreshDatabase;
  let controlPlane: RunningServices;
  let sinks: SinkServer;
  let logflow: ChildProcess | null = null;

  const command = (c: ControlCommand) =>
    bus.request<object, CommandAccepted>(Subjects.controlCommand, {
      command: c,
      context: {
        actor: 'spec',
        actorKind: 'platform-admin',
        sourceAddress: '127.0.0.1',
        requestId: `req-${c.type}`,
      },
    });
  const env = () =>
    strataEnv(nats, join(dir, 'data'), {
      LOG_LEVEL: 'info',
      STRATA_LOGFLOW_FILE_ROOT: join(dir, 'files'),
      STRATA_LOGFLOW_METRICS_INTERVAL_SECONDS: '0.5',
    });
  const startLogflow = () => spawnStrata('logflow', env(), join(dir, 'logflow.log'));

  beforeAll(async () => {
    ({ server: nats, dir } = await startTestNats());
    bus = await clientBus(nats);
    db = await freshDatabase('logflow_crash');
    sinks = await SinkServer.start();
    controlPlane = await startInProcess(
      strataEnv(nats, join(dir, 'cp'), { DATABASE_URL: db.url }),
      [controlPlaneService, routerService, ingesterService, queryService],
    );
    await command({ type: 'CreateTenant', tenantId: 'crash', displayName: 'crash' });
  });

  afterAll(async () => {
    if (logflow) await killHard(logflow);
    await controlPlane?.stop();
    await sinks?.stop();
    await bus?.drain();
    await nats?.process.stop();
    await db?.drop();
    removeTestDirs();
  });

  it('loses no acknowledged line across two SIGKILLs and reports the duplicates', async () => {
    // A sink that takes a little time keeps deliveries in flight when the process dies.
    sinks.behaviour = () => ({ delayMs: 15 });
    logflow = await startLogflow();
    await command({
      type: 'ConfigurePipeline',
      tenantId: 'crash',
      pipeline: {
        name: 'ship',
        transforms: {
          json: { type: 'parse_json', inputs: ['source'] },
          count: {
            type: 'log_to_metric',
            inputs: ['json'],
            metrics: [{ name: 'crash_lines_total', labels: {} }],
          },
        },
        sinks: { out: { type: 'http', inputs: ['count'], url: `${sinks.url}/crash` } },
      },
    });
    await waitFor(() =>
      bus.consumerBacklog(LogsStreams.batches.name, CONSUMER).then(
        () => true,
        () => false,
      ),
    );

    let acknowledged = 0;
    const load = (async () => {
      for (let b = 0; b < BATCHES; b++) {
        const records = Array.from({ length: LINES }, (_, i) =>
          logRecord(JSON.stringify({ b, i, msg: 'x'.repeat(100) })),
        );
        await publishLogBatch(bus, logBatch('crash', records));
        acknowledged += LINES;
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const kills: number[] = [];
    for (const at of [BATCHES / 3, (2 * BATCHES) / 3]) {
      await waitFor(() => acknowledged >= at * LINES);
      // Kill while it delivers, not while it is still starting after the previous kill.
      const floor = (kills[kills.length - 1] ?? 0) + 20 * LINES;
      await waitFor(() => sinks.http.length >= floor);
      kills.push(sinks.http.length);
      await killHard(logflow);
      await new Promise((r) => setTimeout(r, 300));
      logflow = await startLogflow();
    }
    await load;
    await waitFor(
      async () => (await bus.consumerBacklog(LogsStreams.batches.name, CONSUMER)) === 0,
    );

    const keys = sinks.http.map((r) => {
      const f = r.fields as { b: number; i: number };
      return `${f.b}/${f.i}`;
    });
    const unique = new Set(keys);
    const duplicates = keys.length - unique.size;
    process.stdout.write(
      `logflow kill -9: acknowledged ${acknowledged} lines, delivered ${unique.size} distinct, ` +
        `${duplicates} duplicates (kills at ${kills.join(', ')} delivered lines)\n`,
    );
    expect(kills.every((k) => k > 0 && k < acknowledged)).toBe(true);
    expect(unique.size).toBe(acknowledged);
    expect(acknowledged).toBe(BATCHES * LINES);
    // Redelivered are at most the batches in flight at each kill (concurrency 4, pulls of 8).
    expect(duplicates).toBeLessThanOrEqual(2 * 16 * LINES);

    // The restarted process writes totals read back from KV: the counter goes on from where it
    // was (no reset) and ends at the lines sent, although `duplicates` lines were delivered twice.
    const client = new BusClient(bus);
    const instant = async (query: string) => {
      const reply = await client.ask(QuerySubjects.instant, {
        tenantId: 'crash',
        query,
        timeMs: Date.now(),
        partialResponse: true,
      });
      if (reply.status !== 'success') return [];
      const data = reply.data as PromQueryData;
      return data.resultType === 'vector' ? data.result.map((s) => s.value[1]) : [];
    };
    let counted: string[] = [];
    await waitFor(async () => {
      counted = await instant('sum(crash_lines_total{log_pipeline="ship"})');
      return counted[0] === String(acknowledged);
    }, 30_000).catch(() => undefined);
    process.stdout.write(`crash_lines_total in PromQL: ${counted.join(',')}\n`);
    expect(counted).toEqual([String(acknowledged)]);
    expect(await instant('resets(crash_lines_total[10m])')).toEqual(['0']);
  });
});
