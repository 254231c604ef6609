import { type ChildProcess, execFile } from 'node:child_process';
import { join } from 'node:path';
import { startWebhookSink, type WebhookSink } from '@strata/alertmanager/testing';
import { type PipelineStats } from '@strata/contracts';
import { controlPlaneService } from '@strata/control-plane';
import { freePort, type RunningNatsServer } from '@strata/devstack';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the CLI is tested against the real gateway
import { gatewayService } from '@strata/gateway';
// eslint-disable-next-line @nx/enforce-module-boundaries -- ... and the logflow replicas it sums
import { logflowService } from '@strata/logflow';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the platform's own test harness
import {
  eventually,
  removeTestDirs,
  spawnStrata,
  startInProcess,
  startTestNats,
  stopChild,
  strataEnv,
} from '@strata/platform/testing';
import { type RunningServices } from '@strata/service-kit';
import { freshDatabase, type FreshDatabase } from '@strata/testing';

jest.setTimeout(180_000);

const ROOT = join(__dirname, '../../..');
const ADMIN = 'cli-pipeline-stats-admin-token-0123';
const TENANT = 'acme-flow';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `strata pipelines stats` and `GET /api/v1/logs/pipelines/{name}/stats` against a real gateway
 * and two logflow replicas (one in this process, one a child process): the counters are those of
 * the records sent, delivered and dead-lettered, summed over both replicas.
 */
describe('pipeline throughput through the API and the CLI', () => {
  let db: FreshDatabase;
  let nats: RunningNatsServer;
  let platform: RunningServices;
  let replica: ChildProcess | undefined;
  let sink: WebhookSink;
  let base = '';

  const strata = (args: string[], token = ADMIN): Promise<Run> =>
    new Promise((resolve) => {
      const clean = { ...process.env };
      delete clean.STRATA_CONFIG;
      execFile(
        process.execPath,
        ['-r', '@swc-node/register', join(ROOT, 'apps/cli/src/main.ts'), ...args],
        {
          cwd: ROOT,
          env: {
            ...clean,
            STRATA_URL: base,
            STRATA_TOKEN: token,
            STRATA_CONFIG: join(ROOT, '.strata/no-such-cli-config.yaml'),
            SWC_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
          },
        },
        (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });
  const api = async <T>(path: string, init: RequestInit = {}) => {
    const res = await fetch(`${base}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${ADMIN}`,
        'x-scope-orgid': TENANT,
        'content-type': 'application/json',
        ...(init.headers as Record<string, string>),
      },
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
  const stats = async () => (await api<PipelineStats>('/api/v1/logs/pipelines/flow/stats')).body;
  /** Posts `n` distinct lines as NDJSON, one request each (one stored batch each). */
  const sendLines = async (prefix: string, n: number): Promise<string[]> => {
    const lines = Array.from({ length: n }, (_, i) => `${prefix} line ${i} ✓`);
    for (const line of lines) {
      const res = await api('/api/v1/logs', {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson' },
        body: `${JSON.stringify({ line })}\n`,
      });
      expect(res.status).toBe(200);
    }
    return lines;
  };

  beforeAll(async () => {
    sink = await startWebhookSink();
    db = await freshDatabase('cli_pipeline_stats');
    const started = await startTestNats();
    nats = started.server;
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const env = strataEnv(nats, join(started.dir, 'data'), {
      DATABASE_URL: db.url,
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(port),
      STRATA_ADMIN_TOKEN: ADMIN,
    });
    platform = await startInProcess(env, [gatewayService, controlPlaneService, logflowService]);
    replica = await spawnStrata(
      'logflow',
      strataEnv(nats, join(started.dir, 'data-replica'), { DATABASE_URL: db.url }),
      join(started.dir, 'logflow-replica.log'),
    );
    expect(
      (
        await api('/api/v1/admin/tenants', {
          method: 'POST',
          body: JSON.stringify({ tenantId: TENANT, displayName: 'Flow' }),
        })
      ).status,
    ).toBe(201);
  });

  afterAll(async () => {
    if (replica) await stopChild(replica);
    await platform?.stop();
    await sink?.close();
    await nats?.process.stop();
    removeTestDirs();
    await db?.drop();
  });

  it('counts records in, delivered and dead-lettered per sink, summed over both replicas', async () => {
    const put = await api(`/api/v1/admin/tenants/${TENANT}/log-pipelines/flow`, {
      method: 'PUT',
      body: JSON.stringify({
        name: 'flow',
        sinks: {
          good: { type: 'http', inputs: ['source'], url: `${sink.url}/logs`, encoding: 'json' },
          // Nothing listens on port 9: every send fails, twice, then the records are dead-lettered.
          bad: {
            type: 'http',
            inputs: ['source'],
            url: 'http://127.0.0.1:9/logs',
            delivery: { max_attempts: 2, backoff_ms: 20 },
          },
        },
      }),
    });
    expect(put.status).toBeLessThan(300);
    await eventually(
      async () => ((await stats()).replicas.length === 2 ? true : undefined),
      60_000,
      'both logflow replicas answering',
    );
    // The pipeline reads batches stored after its consumer exists: probe until one is counted.
    let probes = 0;
    await eventually(
      async () => {
        await sendLines(`probe ${probes++}`, 1);
        return (await stats()).totals.receivedEvents > 0 ? true : undefined;
      },
      60_000,
      'a probe line counted',
    );
    await eventually(
      async () => {
        const t = (await stats()).totals;
        return t.sinks.bad.deadEvents === t.receivedEvents ? true : undefined;
      },
      60_000,
      'the probes dead-lettered',
    );
    // A last probe may still be in flight: let it finish before the baseline is read.
    await new Promise((r) => setTimeout(r, 3_000));
    await eventually(
      async () => {
        const t = (await stats()).totals;
        return t.sinks.bad.deadEvents === t.receivedEvents ? true : undefined;
      },
      60_000,
      'the probes dead-lettered',
    );
    const before = (await stats()).totals;
    sink.requests.length = 0;

    const lines = await sendLines('first', 30);
    const bytes = lines.reduce((n, l) => n + Buffer.byteLength(l), 0);
    await eventually(
      async () => {
        const t = (await stats()).totals;
        expect(t.receivedEvents - before.receivedEvents).toBe(30);
        expect(t.sinks.bad.deadEvents - before.sinks.bad.deadEvents).toBe(30);
        expect(t.sinks.good.sentEvents - before.sinks.good.sentEvents).toBe(30);
        return true;
      },
      60_000,
      '30 lines counted',
    );
    const s = await stats();
    expect(s.tenantId).toBe(TENANT);
    const diff = (
      key:
        | 'receivedEvents'
        | 'receivedBytes'
        | 'sentEvents'
        | 'deadEvents'
        | 'failedSends'
        | 'batches',
    ) => s.totals[key] - before[key];
    const sinkDiff = (id: 'good' | 'bad') => ({
      receivedEvents: s.totals.sinks[id].receivedEvents - before.sinks[id].receivedEvents,
      sentEvents: s.totals.sinks[id].sentEvents - before.sinks[id].sentEvents,
      deadEvents: s.totals.sinks[id].deadEvents - before.sinks[id].deadEvents,
      failedSends: s.totals.sinks[id].failedSends - before.sinks[id].failedSends,
    });
    expect({
      receivedEvents: diff('receivedEvents'),
      receivedBytes: diff('receivedBytes'),
      sentEvents: diff('sentEvents'),
      deadEvents: diff('deadEvents'),
      failedSends: diff('failedSends'),
      batches: diff('batches'),
      good: sinkDiff('good'),
      bad: sinkDiff('bad'),
    }).toEqual({
      receivedEvents: 30,
      receivedBytes: bytes,
      sentEvents: 30,
      deadEvents: 30,
      // Two failed attempts per batch on the bad sink, none on the good one.
      failedSends: 60,
      batches: 30,
      good: { receivedEvents: 30, sentEvents: 30, deadEvents: 0, failedSends: 0 },
      bad: { receivedEvents: 30, sentEvents: 0, deadEvents: 30, failedSends: 60 },
    });
    // What the good sink's server received is what the counters say it delivered.
    const delivered = sink.requests
      .flatMap((r) => r.body as Array<{ line: string }>)
      .map((r) => r.line);
    expect(delivered.sort()).toEqual([...lines].sort());

    // The CLI's reading once (`--interval 0s`) is the API's.
    const once = await strata([
      'pipelines',
      'stats',
      'flow',
      '--tenant',
      TENANT,
      '--interval',
      '0s',
      '-o',
      'json',
    ]);
    expect(once.code).toBe(0);
    const parsed = JSON.parse(once.stdout) as PipelineStats & { rates: unknown };
    expect(parsed.totals).toEqual(s.totals);
    expect(parsed.replicas).toHaveLength(2);
    expect(parsed.rates).toBeNull();

    // Over an interval, the rates are the records taken in during it.
    const reading = strata([
      'pipelines',
      'stats',
      'flow',
      '--tenant',
      TENANT,
      '--interval',
      '4s',
      '-o',
      'json',
    ]);
    // Lines keep coming while the CLI starts and reads twice.
    let done = false;
    let sent = 0;
    void reading.finally(() => (done = true));
    while (!done) {
      await sendLines(`second ${sent++}`, 1);
      await new Promise((r) => setTimeout(r, 200));
    }
    const rated = await reading;
    expect(rated.code).toBe(0);
    const rates = (
      JSON.parse(rated.stdout) as { rates: { inPerSecond: number; outPerSecond: number } }
    ).rates;
    // At least 4 s between the readings, and no more lines than were sent.
    expect(rates.inPerSecond).toBeGreaterThan(0);
    expect(rates.inPerSecond).toBeLessThanOrEqual(sent / 4);
    expect(rates.outPerSecond).toBeGreaterThan(0);

    const table = await strata([
      'pipelines',
      'stats',
      'flow',
      '--tenant',
      TENANT,
      '--interval',
      '0s',
    ]);
    expect(table.code).toBe(0);
    const rows = table.stdout.trim().split('\n');
    expect(rows[0].split(/\s+/)).toEqual([
      'COMPONENT',
      'IN',
      'BYTES_IN',
      'SENT',
      'DEAD',
      'FAILED_SENDS',
      'IN/S',
      'OUT/S',
      'ERRORS/S',
    ]);
    // The pipeline, then its sinks in the order the API lists them.
    expect(rows.slice(1).map((r) => r.split(/\s{2,}/)[0])).toEqual([
      'pipeline',
      ...Object.keys(s.totals.sinks).map((id) => `sink ${id}`),
    ]);
  });

  it('refuses an unknown pipeline (exit 1, not_found) and a missing name (exit 2)', async () => {
    expect((await api('/api/v1/logs/pipelines/nope/stats')).status).toBe(404);
    const unknown = await strata([
      'pipelines',
      'stats',
      'nope',
      '--tenant',
      TENANT,
      '--interval',
      '0s',
    ]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^not_found: /);
    expect((await strata(['pipelines', 'stats', '--tenant', TENANT])).code).toBe(2);
  });

  it("names a write-only key's tenant and the API's refusal of a read (exit 1)", async () => {
    const issued = await api<{ secret: string }>(`/api/v1/admin/tenants/${TENANT}/api-keys`, {
      method: 'POST',
      body: JSON.stringify({ name: 'shipper', scopes: ['write'] }),
    });
    const listed = await strata(['pipelines', 'list'], issued.body.secret);
    expect(listed.code).toBe(1);
    expect(listed.stderr).toMatch(/^forbidden: .*lacks the read scope/);
  });
});
