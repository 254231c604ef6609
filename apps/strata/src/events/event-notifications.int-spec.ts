import { join } from 'node:path';
import { startWebhookSink, type WebhookSink } from '@strata/alertmanager/testing';
import { type NatsBus } from '@strata/bus';
import { type RuleSetSpec } from '@strata/contracts';
import { controlPlaneService } from '@strata/control-plane';
import {
  type AlertmanagerWithWebhook,
  freePort,
  type RunningNatsServer,
  startAlertmanagerWithWebhook,
} from '@strata/devstack';
import { eventsService } from '@strata/events';
import { gatewayService } from '@strata/gateway';
import { notificationService } from '@strata/notification';
import {
  clientBus,
  removeTestDirs,
  startInProcess,
  startTestNats,
  strataEnv,
} from '@strata/platform/testing';
import { type RunningServices, StrataMetrics } from '@strata/service-kit';
import { freshDatabase, type FreshDatabase } from '@strata/testing';

jest.setTimeout(180_000);

const TOKEN = 'events-notify-spec-admin-token-0123';

/** A tenant's kube-events rule of type `notification`, as a kube-events Rule CRD's spec holds it. */
const NOTIFY_RULES: RuleSetSpec = {
  kind: 'events',
  rules: [
    {
      name: 'PodVolumeAttachFailed',
      condition: 'type="Warning" and involvedObject.kind="Pod" and reason="FailedAttachVolume"',
      enable: true,
      type: 'notification',
      labels: { team: 'storage' },
    },
  ],
};

interface WebhookBody {
  receiver: string;
  alerts: Array<{ labels: Record<string, string>; annotations: Record<string, string> }>;
}

/**
 * kube-events sends a notification rule's matches to its notification sinks; Strata sends them
 * through its own notification service (the tenant's Alertmanager configuration, a webhook
 * receiver here) and to the configured Alertmanager (Debian's), with the real control plane,
 * gateway, events and notification services.
 */
describe('kube-events notification rules deliver their matches', () => {
  let nats: RunningNatsServer;
  let db: FreshDatabase;
  let bus: NatsBus;
  let platform: RunningServices;
  let sink: WebhookSink;
  let am: AlertmanagerWithWebhook;
  let gateway = '';

  const api = (tenant: string | null, path: string, init: RequestInit = {}) =>
    fetch(`${gateway}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${TOKEN}`,
        ...(tenant ? { 'x-scope-orgid': tenant } : {}),
        ...(init.body ? { 'content-type': 'application/json' } : {}),
      },
    });

  beforeAll(async () => {
    db = await freshDatabase('event_notifications');
    const started = await startTestNats();
    nats = started.server;
    bus = await clientBus(nats);
    sink = await startWebhookSink();
    am = await startAlertmanagerWithWebhook();
    const port = await freePort();
    gateway = `http://127.0.0.1:${port}`;
    platform = await startInProcess(
      strataEnv(nats, join(started.dir, 'data'), {
        DATABASE_URL: db.url,
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: String(port),
        STRATA_ADMIN_TOKEN: TOKEN,
        STRATA_EVENTS_ALERTMANAGER_URLS: am.url,
      }),
      [gatewayService, controlPlaneService, eventsService, notificationService],
    );
    const created = await api(null, '/api/v1/admin/tenants', {
      method: 'POST',
      body: JSON.stringify({ tenantId: 'acme', displayName: 'Acme' }),
    });
    expect(created.status).toBe(201);
    const config = `route:
  receiver: hook
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1m
receivers:
  - name: hook
    webhook_configs: [{ url: '${sink.url}/acme' }]
`;
    const put = await api(null, '/api/v1/admin/tenants/acme/alertmanager/config', {
      method: 'PUT',
      body: JSON.stringify({ alertmanagerConfig: config }),
    });
    expect(put.status).toBe(200);
    const rules = await api(null, '/api/v1/admin/tenants/acme/event-rule-sets/notify', {
      method: 'PUT',
      body: JSON.stringify({ spec: NOTIFY_RULES }),
    });
    expect(rules.status).toBe(200);
  });

  afterAll(async () => {
    await platform?.stop();
    await sink?.close();
    await am?.stop();
    await bus?.drain();
    await nats?.process.stop();
    await db?.drop();
    removeTestDirs();
  });

  it("sends a Warning event matching a notification rule to the tenant's webhook receiver and to Alertmanager, with the event's fields", async () => {
    const notified = () =>
      sink.requests
        .map((r) => r.body as WebhookBody)
        .flatMap((b) => b.alerts)
        .filter((a) => a.labels.alertname === 'PodVolumeAttachFailed');
    // The rule set reaches the events service over the control-plane stream: post until it applies.
    // Each round also posts a Warning event of a Node, which the rule's condition leaves out.
    let round = 0;
    await waitFor(async () => {
      round++;
      const body = [
        kubeEvent(`db-${round}`, 'Pod', 'FailedAttachVolume', 'AttachVolume.Attach failed'),
        kubeEvent(`node-${round}`, 'Node', 'FailedAttachVolume', 'not a pod'),
      ]
        .map((e) => JSON.stringify(e))
        .join('\n');
      expect((await api('acme', '/api/v1/events', { method: 'POST', body })).status).toBe(200);
      return waitUntil(() => notified().length > 0, 3_000);
    }, 90_000);

    const [alert] = notified();
    expect(sink.requests[0].path).toBe('/acme');
    expect(alert.labels).toEqual({
      alertname: 'PodVolumeAttachFailed',
      alerttype: 'event',
      ruletype: 'notification',
      pod: alert.labels.pod,
      namespace: 'shop',
      container: 'db',
      cluster: 'edge-1',
      team: 'storage',
    });
    expect(alert.labels.pod).toMatch(/^db-\d+$/);
    expect(alert.annotations).toMatchObject({
      message: 'AttachVolume.Attach failed',
      reason: 'FailedAttachVolume',
      type: 'Warning',
      count: '2',
      source: 'attachdetach-controller',
    });
    // Only the Pod's event matched: no notification names the Node.
    const everything = sink.requests.map((r) => r.body as WebhookBody).flatMap((b) => b.alerts);
    expect(everything.filter((a) => a.labels.node !== undefined)).toEqual([]);

    // The configured Alertmanager got it too, labelled the same.
    await waitFor(() =>
      Promise.resolve(
        am.received.some((m) =>
          m.alerts.some((a) => a.labels.alertname === 'PodVolumeAttachFailed'),
        ),
      ),
    );
    const viaAm = am.received
      .flatMap((m) => m.alerts)
      .find((a) => a.labels.alertname === 'PodVolumeAttachFailed');
    expect(viaAm?.labels).toMatchObject({ ruletype: 'notification', team: 'storage' });
    expect(viaAm?.annotations.reason).toBe('FailedAttachVolume');

    // Counted as notifications, not as alerts: no alert rule matched these events.
    const metrics = await platform.app.get(StrataMetrics).registry.metrics();
    const sample = (name: string) =>
      Number(
        new RegExp(`^strata_${name}\\{[^}]*tenant="acme"[^}]*\\} (\\d+)$`, 'm').exec(
          metrics,
        )?.[1] ?? 0,
      );
    expect(sample('events_notifications_sent_total')).toBeGreaterThanOrEqual(
      new Set(notified().map((a) => a.labels.pod)).size,
    );
    expect(sample('events_alerts_sent_total')).toBe(0);
  });
});

function kubeEvent(
  name: string,
  kind: 'Pod' | 'Node',
  reason: string,
  message: string,
): Record<string, unknown> {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  return {
    kind: 'Event',
    apiVersion: 'v1',
    metadata: { name: `${name}.17c2b`, namespace: 'shop', uid: `uid-${name}` },
    involvedObject: {
      kind,
      ...(kind === 'Pod' ? { namespace: 'shop', fieldPath: 'spec.containers{db}' } : {}),
      name,
      apiVersion: 'v1',
    },
    reason,
    message,
    source: { component: 'attachdetach-controller' },
    firstTimestamp: now,
    lastTimestamp: now,
    count: 2,
    type: 'Warning',
    cluster: 'edge-1',
  };
}

async function waitUntil(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}
