// Alerts through routing and grouping to a webhook: Strata's notification service (behind its
// gateway, over NATS, configuration from the control plane) against Debian's Alertmanager, same
// configuration, same load.
// Run:
//   node -r @swc-node/register tools/bench/notification/main.ts [alerts=10000] [groups=1000] [batch=100] [concurrency=4]
// Each side gets `alerts` alerts in `groups` groups (group_by [group]), posted through
// `POST /api/v2/alerts` in batches with a few requests in flight, then the same alerts again (a
// re-post, as Prometheus does every evaluation). Measured: alerts/s accepted (both posts), the
// time from the first post until the webhook sink holds a notification of every group (end to
// end, group_wait included), and notifications/s over that span. Numbers: tools/bench/notification/README.md.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { startWebhookSink, type WebhookSink } from '@strata/alertmanager/testing';
import { controlPlaneService } from '@strata/control-plane';
import { freePort, startLocalStack } from '@strata/devstack';
import { gatewayService } from '@strata/gateway';
import { notificationService } from '@strata/notification';
import { startAlertmanager, startInProcess, strataEnv } from '@strata/platform/testing';

const ALERTS = Number(process.argv[2] ?? 10_000);
const GROUPS = Number(process.argv[3] ?? 1_000);
const BATCH = Number(process.argv[4] ?? 100);
const CONCURRENCY = Number(process.argv[5] ?? 4);
const TOKEN = 'bench-admin-token-0123456789abc';
const GROUP_WAIT_S = 1;

const config = (sinkUrl: string, path: string): string => `route:
  receiver: hook
  group_by: [group]
  group_wait: ${GROUP_WAIT_S}s
  group_interval: 5m
  repeat_interval: 4h
receivers:
  - name: hook
    webhook_configs: [{ url: '${sinkUrl}/${path}', send_resolved: false }]
`;

function alerts(): Array<
  Array<{ labels: Record<string, string>; annotations: Record<string, string> }>
> {
  const all = Array.from({ length: ALERTS }, (_, i) => ({
    labels: {
      alertname: 'BenchAlert',
      group: `g${i % GROUPS}`,
      instance: `i${Math.floor(i / GROUPS)}`,
      severity: i % 3 === 0 ? 'critical' : 'warning',
    },
    annotations: { summary: `alert ${i}` },
  }));
  const batches = [];
  for (let i = 0; i < all.length; i += BATCH) batches.push(all.slice(i, i + BATCH));
  return batches;
}

interface Result {
  acceptedPerSecond: number;
  endToEndSeconds: number;
  notifications: number;
  notificationsPerSecond: number;
}

async function drive(
  name: string,
  post: (body: string) => Promise<Response>,
  sink: WebhookSink,
  path: string,
): Promise<Result> {
  const batches = alerts().map((b) => JSON.stringify(b));
  const start = performance.now();
  let posted = 0;
  for (const round of [0, 1]) {
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < batches.length) {
          const body = batches[next++];
          const res = await post(body);
          if (res.status !== 200)
            throw new Error(`${name}: status ${res.status}: ${await res.text()}`);
          posted += BATCH;
        }
      }),
    );
    void round;
  }
  const acceptedSeconds = (performance.now() - start) / 1000;
  const seen = new Set<string>();
  const count = () => {
    for (const r of sink.requests)
      if (r.path === `/${path}`) seen.add((r.body as { groupKey: string }).groupKey);
    return seen.size;
  };
  while (count() < GROUPS) {
    if (performance.now() - start > 300_000) throw new Error(`${name}: only ${seen.size} groups`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const endToEndSeconds = (performance.now() - start) / 1000;
  const notifications = sink.requests.filter((r) => r.path === `/${path}`).length;
  const result = {
    acceptedPerSecond: Math.round(posted / acceptedSeconds),
    endToEndSeconds: Number(endToEndSeconds.toFixed(2)),
    notifications,
    notificationsPerSecond: Math.round(notifications / (endToEndSeconds - GROUP_WAIT_S)),
  };
  console.log(name, JSON.stringify(result));
  return result;
}

async function main(): Promise<void> {
  const sink = await startWebhookSink();
  // Under the project (Postgres runs as its own user and must reach the folder).
  const dir = join(__dirname, '../../../.strata/bench-notification');
  rmSync(dir, { recursive: true, force: true });
  const stack = await startLocalStack({ dataDir: join(dir, 'stack'), ephemeral: true });
  const nats = { url: stack.natsUrl, credentialsDir: stack.natsCredentialsDir ?? '' };
  const port = await freePort();
  const gateway = `http://127.0.0.1:${port}`;
  const platform = await startInProcess(
    strataEnv(nats, join(dir, 'data'), {
      DATABASE_URL: stack.databaseUrl,
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(port),
      STRATA_ADMIN_TOKEN: TOKEN,
    }),
    [controlPlaneService, gatewayService, notificationService],
  );
  const am = await startAlertmanager(join(dir, 'alertmanager'), config(sink.url, 'am'));
  try {
    const admin = (path: string, method: string, body: unknown) =>
      fetch(`${gateway}${path}`, {
        method,
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    await admin('/api/v1/admin/tenants', 'POST', { tenantId: 'bench', displayName: 'Bench' });
    const put = await admin('/api/v1/admin/tenants/bench/alertmanager/config', 'PUT', {
      alertmanagerConfig: config(sink.url, 'strata'),
    });
    if (put.status !== 200) throw new Error(`config: ${put.status} ${await put.text()}`);
    const strata = await drive(
      'strata',
      (body) =>
        fetch(`${gateway}/alertmanager/api/v2/alerts`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${TOKEN}`,
            'x-scope-orgid': 'bench',
            'content-type': 'application/json',
          },
          body,
        }),
      sink,
      'strata',
    );
    const alertmanager = await drive(
      'alertmanager',
      (body) =>
        fetch(`${am.url}/api/v2/alerts`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        }),
      sink,
      'am',
    );
    console.log(
      'ratio strata/alertmanager',
      JSON.stringify({
        accepted: Number((strata.acceptedPerSecond / alertmanager.acceptedPerSecond).toFixed(2)),
        endToEnd: Number((alertmanager.endToEndSeconds / strata.endToEndSeconds).toFixed(2)),
      }),
    );
  } finally {
    await am.stop();
    await platform.stop();
    await sink.close();
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
