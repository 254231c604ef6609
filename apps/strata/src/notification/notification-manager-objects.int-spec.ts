import { type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { startWebhookSink, type WebhookSink } from '@strata/alertmanager/testing';
import { type NatsBus } from '@strata/bus';
import { controlPlaneService } from '@strata/control-plane';
import { type RunningNatsServer } from '@strata/devstack';
import {
  ADMIN_TOKEN,
  clientBus,
  killHard,
  removeTestDirs,
  spawnStrata,
  startInProcess,
  startTestGateway,
  startTestNats,
  strataEnv,
} from '@strata/platform/testing';
import { type RunningServices } from '@strata/service-kit';
import { freshDatabase, type FreshDatabase } from '@strata/testing';

jest.setTimeout(240_000);

const AM = (sink: string): string => `route:
  receiver: hook
  group_by: [alertname]
  group_wait: 1s
  group_interval: 2s
  repeat_interval: 1h
receivers:
  - name: hook
    webhook_configs: [{ url: '${sink}/hook' }]
`;

/**
 * notification-manager's objects as KubeSphere documents them: user alice owns namespace shop; a
 * tenant receiver for her, a global one for critical alerts, an on-call receiver only a Router
 * reaches (team=db), a global Silence and one of alice's.
 */
const NM = (sink: string): string => `
tenants:
  - { name: alice, namespaces: [shop] }
receivers:
  - name: alice-hook
    labels: { type: tenant, user: alice }
    webhook: { url: '${sink}/alice', httpConfig: { bearerToken: { value: ALICE-TOKEN } } }
  - name: global-hook
    labels: { type: global }
    webhook: { url: '${sink}/global', alertSelector: { matchLabels: { severity: critical } } }
  - name: oncall
    labels: { type: global, team: db }
    webhook: { url: '${sink}/oncall', alertSelector: { matchLabels: { never: matches } } }
routers:
  - name: db-team
    alertSelector: { matchLabels: { team: db } }
    receivers: { name: [oncall] }
silences:
  - name: maintenance
    labels: { type: global }
    matcher: { matchLabels: { alertname: Maintenance } }
  - name: alice-quiet
    labels: { type: tenant, user: alice }
    matcher: { matchLabels: { alertname: AliceQuiet } }
`;

/**
 * Routers and Silences of notification-manager through the whole platform: the configuration
 * goes through the gateway to the control plane, the notification process (its own OS process)
 * applies it from the control events, alerts come in through Alertmanager's API v2, and webhook
 * receivers on a local server see what each receiver was sent.
 */
describe('notification-manager Routers and Silences end to end', () => {
  let nats: RunningNatsServer;
  let dir: string;
  let bus: NatsBus;
  let db: FreshDatabase;
  let controlPlane: RunningServices;
  let edge: { url: string; close(): Promise<void> };
  let sink: WebhookSink;
  let notification: ChildProcess | null = null;
  let key = '';

  const api = (path: string, init: RequestInit = {}): Promise<Response> =>
    fetch(`${edge.url}${path}`, {
      ...init,
      headers: {
        Authorization: `Bearer ${key || ADMIN_TOKEN}`,
        'Content-Type': 'application/json',
        ...(init.headers ?? {}),
      },
    });

  /** The alert names each receiver path was sent, firing only, sorted. */
  const sent = (): Record<string, string[]> => {
    const out: Record<string, string[]> = {};
    for (const r of sink.requests) {
      const body = r.body as { alerts: { status: string; labels: Record<string, string> }[] };
      for (const a of body.alerts)
        if (a.status === 'firing') (out[r.path] ??= []).push(a.labels.alertname);
    }
    for (const k of Object.keys(out)) out[k] = [...new Set(out[k])].sort();
    return out;
  };

  beforeAll(async () => {
    ({ server: nats, dir } = await startTestNats());
    bus = await clientBus(nats);
    db = await freshDatabase('notification_nm_objects');
    controlPlane = await startInProcess(
      strataEnv(nats, join(dir, 'cp'), { DATABASE_URL: db.url }),
      [controlPlaneService],
    );
    edge = await startTestGateway(bus);
    sink = await startWebhookSink();
    expect(
      (
        await api('/api/v1/admin/tenants', {
          method: 'POST',
          body: JSON.stringify({ tenantId: 'acme', displayName: 'Acme' }),
        })
      ).status,
    ).toBe(201);
    const issued = await api('/api/v1/admin/tenants/acme/api-keys', {
      method: 'POST',
      body: JSON.stringify({ name: 'spec', scopes: ['read', 'write', 'admin'] }),
    });
    key = ((await issued.json()) as { secret: string }).secret;
    const put = await api('/api/v1/admin/tenants/acme/alertmanager/config', {
      method: 'PUT',
      body: JSON.stringify({ alertmanagerConfig: AM(sink.url), notificationManager: NM(sink.url) }),
    });
    expect(put.status).toBe(200);
    notification = await spawnStrata(
      'notification',
      strataEnv(nats, join(dir, 'data')),
      join(dir, 'notification.log'),
    );
    for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
      if ((await api('/alertmanager/api/v2/status')).status === 200) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error('notification did not answer');
  });

  afterAll(async () => {
    if (notification) await killHard(notification);
    await edge?.close();
    await controlPlane?.stop();
    await db?.drop();
    await sink?.close();
    await bus?.drain();
    await nats?.process.stop();
    removeTestDirs();
  });

  it('routes by tenant namespace, selector and Router, and mutes by global and tenant Silence', async () => {
    const alert = (labels: Record<string, string>) => ({ labels });
    const res = await api('/alertmanager/api/v2/alerts', {
      method: 'POST',
      body: JSON.stringify([
        // alice's namespace, critical: alice, the global receiver and the tenant's own tree.
        alert({ alertname: 'ShopDown', namespace: 'shop', severity: 'critical' }),
        // Not alice's namespace, not critical: only the tenant's own tree.
        alert({ alertname: 'BillingSlow', namespace: 'billing', severity: 'warning' }),
        // The Router takes team=db to on-call, whose own selector matches nothing.
        alert({ alertname: 'DbSlow', namespace: 'other', team: 'db' }),
        // The global Silence mutes it everywhere.
        alert({ alertname: 'Maintenance', namespace: 'shop', severity: 'critical' }),
        // alice's Silence mutes only her receiver.
        alert({ alertname: 'AliceQuiet', namespace: 'shop', severity: 'critical' }),
      ]),
    });
    expect(res.status).toBe(200);
    const expected = {
      '/alice': ['ShopDown'],
      '/global': ['AliceQuiet', 'ShopDown'],
      '/hook': ['AliceQuiet', 'BillingSlow', 'DbSlow', 'ShopDown'],
      '/oncall': ['DbSlow'],
    };
    for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
      if (JSON.stringify(sent()) === JSON.stringify(expected)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(sent()).toEqual(expected);
    // Several group_interval ticks later nothing muted or unrouted has been sent after all.
    await new Promise((r) => setTimeout(r, 5_000));
    expect(sent()).toEqual(expected);
    // The receiver's bearer token went on the wire, and reads of the configuration mask it.
    const alice = sink.requests.find((r) => r.path === '/alice');
    expect(alice?.headers.authorization).toBe('Bearer ALICE-TOKEN');
    const view = await (await api('/api/v1/admin/tenants/acme/alertmanager/config')).text();
    expect(view).toContain('alice-hook');
    expect(view).not.toContain('ALICE-TOKEN');
  });
});
