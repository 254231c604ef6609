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

jest.setTimeout(180_000);

/**
 * Two notification processes serve one tenant: both hold every alert (shared through KV, so either
 * can flush a group), yet each notification reaches the webhook once, as an Alertmanager cluster's
 * gossiped notification log ensures.
 */
describe('two notification replicas of one tenant', () => {
  let nats: RunningNatsServer;
  let dir: string;
  let bus: NatsBus;
  let db: FreshDatabase;
  let controlPlane: RunningServices;
  let edge: { url: string; close(): Promise<void> };
  let sink: WebhookSink;
  const replicas: ChildProcess[] = [];
  let key = '';

  const api = (token: string, path: string, init: RequestInit = {}): Promise<Response> =>
    fetch(`${edge.url}${path}`, {
      ...init,
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/json',
        ...(init.headers ?? {}),
      },
    });
  const waitFor = async (what: () => boolean, ms: number): Promise<void> => {
    for (const deadline = Date.now() + ms; Date.now() < deadline;) {
      if (what()) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('timed out');
  };
  const bodies = () =>
    sink.requests.map((r) => r.body as { groupKey: string; status: string; alerts: unknown[] });

  beforeAll(async () => {
    ({ server: nats, dir } = await startTestNats());
    bus = await clientBus(nats);
    db = await freshDatabase('notification_replicas');
    controlPlane = await startInProcess(
      strataEnv(nats, join(dir, 'cp'), { DATABASE_URL: db.url }),
      [controlPlaneService],
    );
    edge = await startTestGateway(bus);
    sink = await startWebhookSink();
    for (const i of [1, 2])
      replicas.push(
        await spawnStrata(
          'notification',
          strataEnv(nats, join(dir, `data${i}`)),
          join(dir, `notification${i}.log`),
        ),
      );
    expect(
      (
        await api(ADMIN_TOKEN, '/api/v1/admin/tenants', {
          method: 'POST',
          body: JSON.stringify({ tenantId: 'acme', displayName: 'Acme' }),
        })
      ).status,
    ).toBe(201);
    const issued = await api(ADMIN_TOKEN, '/api/v1/admin/tenants/acme/api-keys', {
      method: 'POST',
      body: JSON.stringify({ name: 'spec', scopes: ['read', 'write', 'admin'] }),
    });
    key = ((await issued.json()) as { secret: string }).secret;
    const config = `route:
  receiver: hook
  group_by: [alertname]
  group_wait: 1s
  group_interval: 2s
  repeat_interval: 1h
receivers:
  - name: hook
    webhook_configs: [{ url: '${sink.url}/acme' }]
`;
    const put = await api(key, '/api/v1/admin/tenants/acme/alertmanager/config', {
      method: 'PUT',
      body: JSON.stringify({ alertmanagerConfig: config }),
    });
    expect(put.status).toBe(200);
    for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
      if ((await api(key, '/alertmanager/api/v2/status')).status === 200) break;
      await new Promise((r) => setTimeout(r, 200));
    }
  });

  afterAll(async () => {
    for (const r of replicas) await killHard(r);
    await edge?.close();
    await controlPlane?.stop();
    await db?.drop();
    await sink?.close();
    await bus?.drain();
    await nats?.process.stop();
    removeTestDirs();
  });

  it('sends each firing and each resolved notification once', async () => {
    const names = Array.from({ length: 20 }, (_, i) => `Replicated${i}`);
    // Posts spread over both replicas (one queue group); each alert is posted twice, once to each at best.
    for (let round = 0; round < 2; round++)
      for (const alertname of names) {
        const res = await api(key, '/alertmanager/api/v2/alerts', {
          method: 'POST',
          body: JSON.stringify([{ labels: { alertname, round: 'x' } }]),
        });
        expect(res.status).toBe(200);
      }
    await waitFor(() => new Set(bodies().map((b) => b.groupKey)).size === names.length, 20_000);
    // Several group intervals pass: a second sender would have shown up by now.
    await new Promise((r) => setTimeout(r, 6000));
    const firing = bodies().filter((b) => b.status === 'firing');
    expect(firing.map((b) => b.groupKey).sort()).toEqual(
      names.map((n) => `{}:{alertname="${n}"}`).sort(),
    );

    const ended = new Date(Date.now() - 1000).toISOString();
    for (const alertname of names)
      await api(key, '/alertmanager/api/v2/alerts', {
        method: 'POST',
        body: JSON.stringify([{ labels: { alertname, round: 'x' }, endsAt: ended }]),
      });
    await waitFor(
      () => bodies().filter((b) => b.status === 'resolved').length >= names.length,
      20_000,
    );
    await new Promise((r) => setTimeout(r, 6000));
    const resolved = bodies().filter((b) => b.status === 'resolved');
    expect(resolved.map((b) => b.groupKey).sort()).toEqual(
      names.map((n) => `{}:{alertname="${n}"}`).sort(),
    );
  });
});
