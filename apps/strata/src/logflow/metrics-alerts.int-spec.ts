import { join } from 'node:path';
import { BusClient, type NatsBus, type Stoppable } from '@strata/bus';
import {
  type CommandAccepted,
  type ControlCommand,
  type LogAlerts,
  LogflowStreams,
  LogsStreams,
  type PipelineSpecInput,
  type PromQueryData,
  QuerySubjects,
  Subjects,
} from '@strata/contracts';
import { controlPlaneService } from '@strata/control-plane';
import { type RunningNatsServer } from '@strata/devstack';
import { ingesterService } from '@strata/ingester';
import { logflowService } from '@strata/logflow';
import { logBatch, logRecord, publishLogBatch } from '@strata/logflow/testing';
import {
  clientBus,
  removeTestDirs,
  startInProcess,
  startTestNats,
  strataEnv,
} from '@strata/platform/testing';
import { queryService } from '@strata/query';
import { routerService } from '@strata/router';
import { type RunningServices } from '@strata/service-kit';
import { freshDatabase, type FreshDatabase } from '@strata/testing';

jest.setTimeout(120_000);

async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('logflow: log_to_metric series in PromQL through the router, log alerts for notification', () => {
  let nats: RunningNatsServer;
  let dir: string;
  let bus: NatsBus;
  let client: BusClient;
  let db: FreshDatabase;
  let platform: RunningServices;
  let alertsFeed: Stoppable;
  const alerts: LogAlerts[] = [];
  let requests = 0;

  const command = (c: ControlCommand) =>
    bus.request<object, CommandAccepted>(Subjects.controlCommand, {
      command: c,
      context: {
        actor: 'spec',
        actorKind: 'platform-admin',
        sourceAddress: '127.0.0.1',
        requestId: `req-${++requests}`,
      },
    });
  const configure = async (tenantId: string, pipeline: PipelineSpecInput) => {
    await command({ type: 'ConfigurePipeline', tenantId, pipeline: pipeline as never });
    await waitFor(() =>
      bus.consumerBacklog(LogsStreams.batches.name, `logflow-${tenantId}-${pipeline.name}`).then(
        () => true,
        () => false,
      ),
    );
  };

  beforeAll(async () => {
    ({ server: nats, dir } = await startTestNats());
    bus = await clientBus(nats);
    client = new BusClient(bus);
    db = await freshDatabase('logflow_metrics');
    platform = await startInProcess(
      strataEnv(nats, join(dir, 'data'), {
        DATABASE_URL: db.url,
        STRATA_LOGFLOW_METRICS_INTERVAL_SECONDS: '0.5',
      }),
      [controlPlaneService, routerService, ingesterService, queryService, logflowService],
    );
    await command({ type: 'CreateTenant', tenantId: 'kube', displayName: 'kube' });
    alertsFeed = await bus.consume(
      { stream: LogflowStreams.alerts.name, durableName: 'spec-log-alerts' },
      (m) => {
        alerts.push(m.json<LogAlerts>());
        return Promise.resolve();
      },
    );
  });

  afterAll(async () => {
    await alertsFeed?.stop();
    await platform?.stop();
    await bus?.drain();
    await nats?.process.stop();
    await db?.drop();
    removeTestDirs();
  });

  it('counts lines by namespace, pod and container as logging_entry_count, queryable in PromQL', async () => {
    await configure('kube', {
      name: 'count',
      transforms: {
        entries: {
          type: 'log_to_metric',
          inputs: ['source'],
          metrics: [
            {
              name: 'logging_entry_count',
              labels: {
                namespace: 'labels.namespace',
                pod: 'labels.pod',
                container: 'labels.container',
              },
            },
          ],
        },
      },
      sinks: { drop: { type: 'blackhole', inputs: ['entries'] } },
    });
    const pod = (name: string, n: number) =>
      Array.from({ length: n }, (_, i) =>
        logRecord(`${name} line ${i}`, { namespace: 'shop', pod: name, container: 'app' }),
      );
    await publishLogBatch(bus, logBatch('kube', [...pod('api-1', 30), ...pod('api-2', 12)]));
    await publishLogBatch(bus, logBatch('kube', pod('api-1', 8)));

    const query = async () => {
      const reply = await client.ask(QuerySubjects.instant, {
        tenantId: 'kube',
        query: 'sum by (pod) (logging_entry_count{namespace="shop", container="app"})',
        timeMs: Date.now(),
        // No store gateway runs here: the ingesters hold every sample of this spec.
        partialResponse: true,
      });
      if (reply.status !== 'success') return {};
      const data = reply.data as PromQueryData;
      if (data.resultType !== 'vector') return {};
      return Object.fromEntries(data.result.map((s) => [s.metric.pod, s.value[1]]));
    };
    let last: Record<string, string> = {};
    await waitFor(async () => {
      last = await query();
      return last['api-1'] === '38' && last['api-2'] === '12';
    });
    expect(last).toEqual({ 'api-1': '38', 'api-2': '12' });
  });

  it('fires a log alert rule (json field filter) and resolves it, published for notification', async () => {
    await configure('kube', {
      name: 'alerting',
      transforms: {
        json: { type: 'parse_json', inputs: ['source'] },
        errors: {
          type: 'log_alert',
          inputs: ['json'],
          alert: 'ShopErrorBurst',
          selector: { namespace: 'shop' },
          condition: 'fields.level = "error"',
          window_ms: 3_000,
          threshold: 5,
          labels: { severity: 'critical' },
          annotations: { summary: 'more than 5 errors in 3s' },
        },
      },
      sinks: { drop: { type: 'blackhole', inputs: ['errors'] } },
    });
    const line = (level: string, i: number) =>
      logRecord(JSON.stringify({ level, msg: `m${i}` }), { namespace: 'shop' });
    await publishLogBatch(
      bus,
      logBatch('kube', [
        ...Array.from({ length: 6 }, (_, i) => line('error', i)),
        ...Array.from({ length: 20 }, (_, i) => line('info', i)),
      ]),
    );
    await waitFor(() =>
      alerts.some((a) => a.alerts.some((x) => x.labels.alertname === 'ShopErrorBurst')),
    );
    const firing = alerts
      .flatMap((a) => a.alerts)
      .find((x) => x.labels.alertname === 'ShopErrorBurst');
    expect(firing).toMatchObject({
      labels: {
        alertname: 'ShopErrorBurst',
        alerttype: 'log',
        log_pipeline: 'alerting',
        severity: 'critical',
      },
      annotations: { summary: 'more than 5 errors in 3s', count: '6' },
    });
    expect(alerts.every((a) => a.tenantId === 'kube')).toBe(true);
    expect(Date.parse(firing!.endsAt!)).toBeGreaterThan(Date.now());
    // Three seconds later the window holds nothing: the alert is sent once more, resolved.
    await waitFor(() =>
      alerts
        .flatMap((a) => a.alerts)
        .some(
          (x) => x.labels.alertname === 'ShopErrorBurst' && Date.parse(x.endsAt!) <= Date.now(),
        ),
    );
  });
});
