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

/**
 * A 200 from `POST /api/v2/alerts` is a promise: the notification process killed with SIGKILL
 * right after the answers loses none of the alerts it acknowledged, whether they were already in
 * its last snapshot or only in the stream after it; and the process started again (a new owner,
 * which takes the tenant's delivery lease once the dead one's lapsed) sends what was due without
 * sending again what the dead one had sent.
 */
describe('acknowledged alerts survive kill -9 of the notification process', () => {
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
  const startNotification = async (): Promise<void> => {
    notification = await spawnStrata(
      'notification',
      // Snapshots more often than the 30 s default, so the older alerts are in one before the kill.
      strataEnv(nats, join(dir, 'data'), { STRATA_NOTIFICATION_SNAPSHOT_SECONDS: '2' }),
      join(dir, 'notification.log'),
    );
    for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
      if ((await api('/alertmanager/api/v2/status')).status === 200) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error('notification did not answer');
  };
  /** Posts `count` alerts named `name` in batches of 50, four requests at a time; all must be 200. */
  const post = async (name: string, count: number): Promise<void> => {
    const batches: string[] = [];
    for (let i = 0; i < count; i += 50)
      batches.push(
        JSON.stringify(
          Array.from({ length: Math.min(50, count - i) }, (_, j) => ({
            labels: { alertname: name, instance: `i${i + j}` },
            annotations: { summary: `${name} ${i + j}` },
          })),
        ),
      );
    let next = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < batches.length) {
          const res = await api('/alertmanager/api/v2/alerts', {
            method: 'POST',
            body: batches[next++],
          });
          expect(res.status).toBe(200);
        }
      }),
    );
  };
  const listed = async (): Promise<Set<string>> => {
    const res = await api('/alertmanager/api/v2/alerts');
    expect(res.status).toBe(200);
    const alerts = (await res.json()) as { labels: Record<string, string> }[];
    return new Set(alerts.map((a) => `${a.labels.alertname}/${a.labels.instance}`));
  };

  beforeAll(async () => {
    ({ server: nats, dir } = await startTestNats());
    bus = await clientBus(nats);
    db = await freshDatabase('notification_durability');
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
    // Groups wait long enough that nothing is sent before the kill: after it, every group must be.
    const config = `route:
  receiver: hook
  group_by: [alertname]
  group_wait: 20s
  group_interval: 1m
  repeat_interval: 1h
receivers:
  - name: hook
    webhook_configs: [{ url: '${sink.url}/acme' }]
`;
    const put = await api('/api/v1/admin/tenants/acme/alertmanager/config', {
      method: 'PUT',
      body: JSON.stringify({ alertmanagerConfig: config }),
    });
    expect(put.status).toBe(200);
    await startNotification();
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

  it('finds every acknowledged alert after a restart, and notifies each group once', async () => {
    // A group notified before the kill: its notification is in the log the restart reads.
    await post('SentBefore', 10);
    for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
      if (sink.requests.length >= 1) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(sink.requests).toHaveLength(1);
    // Older alerts: held long enough to be in a snapshot (every 2 s here) before the kill.
    await post('Snapshotted', 300);
    await new Promise((r) => setTimeout(r, 7_000));
    // Newer alerts: the process dies the moment the last of them is answered.
    await post('JustAcknowledged', 700);
    await killHard(notification!);
    notification = null;
    expect(sink.requests).toHaveLength(1);

    await startNotification();
    const seen = await listed();
    const missing = [
      ...Array.from({ length: 300 }, (_, i) => `Snapshotted/i${i}`),
      ...Array.from({ length: 700 }, (_, i) => `JustAcknowledged/i${i}`),
    ].filter((k) => !seen.has(k));
    expect(missing).toEqual([]);
    expect(seen.size).toBe(1010);

    // The restarted process flushes both groups with every alert, once each. The group sent
    // before flushes alongside (its alerts are as old as the snapshotted ones), so a second
    // notification of it would come with theirs; a few seconds more for a straggler.
    for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
      if (sink.requests.length >= 3) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await new Promise((r) => setTimeout(r, 5_000));
    const bodies = sink.requests.map(
      (r) => r.body as { groupLabels: { alertname: string }; alerts: unknown[] },
    );
    expect(bodies.map((b) => [b.groupLabels.alertname, b.alerts.length]).sort()).toEqual([
      ['JustAcknowledged', 700],
      ['SentBefore', 10],
      ['Snapshotted', 300],
    ]);
  });
});
