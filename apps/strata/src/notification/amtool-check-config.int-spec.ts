import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type NatsBus } from '@strata/bus';
import { controlPlaneService } from '@strata/control-plane';
import { type RunningNatsServer } from '@strata/devstack';
import {
  ADMIN_TOKEN,
  clientBus,
  removeTestDirs,
  startInProcess,
  startTestGateway,
  startTestNats,
  strataEnv,
} from '@strata/platform/testing';
import { type RunningServices } from '@strata/service-kit';
import { freshDatabase, type FreshDatabase } from '@strata/testing';
import { parse, stringify } from 'yaml';

jest.setTimeout(120_000);
const run = promisify(execFile);

/** Every Alertmanager channel Strata sends, in Alertmanager's own YAML. */
const ALERTMANAGER = `
global:
  smtp_smarthost: 127.0.0.1:2525
  smtp_from: am@example.com
  smtp_require_tls: false
route:
  receiver: ops
  group_by: [alertname]
  routes:
    - matchers: ['severity="page"']
      receiver: chat
receivers:
  - name: ops
    webhook_configs: [{ url: 'http://127.0.0.1:9000/hook' }]
    email_configs: [{ to: ops@example.com, auth_password: hunter2 }]
  - name: chat
    slack_configs: [{ api_url: 'http://127.0.0.1:9000/slack', channel: '#ops' }]
    discord_configs: [{ webhook_url: 'http://127.0.0.1:9000/discord' }]
    telegram_configs: [{ api_url: 'http://127.0.0.1:9000', bot_token: tg-token, chat_id: 42 }]
    wechat_configs:
      - { api_url: 'http://127.0.0.1:9000/', api_secret: wx-secret, corp_id: corp, to_user: '@all' }
    pushover_configs: [{ user_key: u, token: t, url: 'http://127.0.0.1:9000/pushover' }]
`;

/** Every Strata extension: notification-manager's objects and the channels Alertmanager lacks. */
const EXTENSIONS = `
tenants:
  - { name: alice, namespaces: [shop] }
receivers:
  - name: alice-mail
    labels: { type: tenant, user: alice }
    email: { to: [alice@example.com], emailConfigSelector: { matchLabels: { type: global } } }
  - name: global-receiver
    labels: { type: global }
    email:
      to: [admin@example.com]
      alertSelector: { matchExpressions: [{ key: namespace, operator: DoesNotExist }] }
      emailConfigSelector: { matchLabels: { type: global } }
      template: nm.default.html
      subjectTemplate: nm.default.subject
configs:
  - name: smtp
    labels: { type: global }
    email: { from: nm@example.com, smartHost: { host: 127.0.0.1, port: 2525 }, authPassword: nm-pass }
routers:
  - name: cpu
    alertSelector: { matchLabels: { alertname: CPUThrottlingHigh } }
    receivers: { name: [global-receiver], type: email }
silences:
  - name: nightly
    labels: { type: global }
    matcher: { matchLabels: { namespace: test } }
    schedule: '0 22 * * *'
    duration: 8h
alertmanager_receivers:
  - name: chat
    dingtalk_configs: [{ webhook_url: 'http://127.0.0.1:9000/robot/send?access_token=T', secret: ding-secret }]
    feishu_configs: [{ webhook_url: 'http://127.0.0.1:9000/feishu', secret: fs-secret }]
    sms_configs: [{ url: 'http://127.0.0.1:9000/sms', phone_numbers: ['+8613800000000'] }]
`;

/** Debian's amtool must accept the Alertmanager part of any configuration Strata accepts. */
describe('amtool check-config on a configuration Strata accepts', () => {
  let nats: RunningNatsServer;
  let dir: string;
  let bus: NatsBus;
  let edge: { url: string; close(): Promise<void> };
  let db: FreshDatabase;
  let controlPlane: RunningServices;
  let token = '';
  let tenantToken = '';

  const api = (path: string, init: RequestInit = {}): Promise<Response> =>
    fetch(`${edge.url}${path}`, {
      ...init,
      headers: { Authorization: `Bearer ${token}`, ...(init.headers ?? {}) },
    });
  const upload = (doc: object): Promise<Response> =>
    api('/alertmanager/api/v1/alerts', {
      method: 'POST',
      body: stringify(doc),
      headers: { 'Content-Type': 'application/yaml' },
    });
  const checkConfig = async (yaml: string): Promise<string> => {
    const file = join(dir, 'served.yml');
    writeFileSync(file, yaml);
    const { stdout } = await run('amtool', ['check-config', file]).catch(
      (e: { stdout: string; stderr: string }) => ({ stdout: `${e.stdout}${e.stderr}` }),
    );
    return stdout;
  };

  beforeAll(async () => {
    ({ server: nats, dir } = await startTestNats());
    bus = await clientBus(nats);
    db = await freshDatabase('amtool_check');
    controlPlane = await startInProcess(
      strataEnv(nats, join(dir, 'cp'), { DATABASE_URL: db.url }),
      [controlPlaneService],
    );
    edge = await startTestGateway(bus);
    token = ADMIN_TOKEN;
    expect(
      (
        await api('/api/v1/admin/tenants', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ tenantId: 'acme', displayName: 'acme' }),
        })
      ).status,
    ).toBe(201);
    const issued = await api('/api/v1/admin/tenants/acme/api-keys', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'spec', scopes: ['read', 'write', 'admin'] }),
    });
    tenantToken = ((await issued.json()) as { secret: string }).secret;
    token = tenantToken;
  });

  afterAll(async () => {
    await edge?.close();
    await controlPlane?.stop();
    await db?.drop();
    await bus?.drain();
    await nats?.process.stop();
    removeTestDirs();
  });

  it('accepts every extension beside the Alertmanager YAML, and serves back YAML amtool accepts', async () => {
    const res = await upload({
      alertmanager_config: ALERTMANAGER,
      template_files: {},
      notification_manager: EXTENSIONS,
    });
    expect(res.status).toBe(201);
    const served = parse(await (await api('/alertmanager/api/v1/alerts')).text()) as {
      alertmanager_config: string;
      notification_manager: string;
    };
    const out = await checkConfig(served.alertmanager_config);
    expect(out).toContain('SUCCESS');
    expect(out).toMatch(/ - \d+ receivers/);
    // The extensions come back beside it, credentials masked as Alertmanager masks its own.
    const extensions = parse(served.notification_manager) as Record<string, unknown>;
    expect(Object.keys(extensions).sort()).toEqual([
      'alertmanager_receivers',
      'configs',
      'receivers',
      'routers',
      'silences',
      'tenants',
    ]);
    for (const secret of ['hunter2', 'nm-pass', 'ding-secret', 'fs-secret', 'tg-token'])
      expect(JSON.stringify(served)).not.toContain(secret);
  });

  it('refuses the extensions inside the Alertmanager YAML, naming where they belong, and keeps the last', async () => {
    const legacy = `${ALERTMANAGER}notification_manager:\n  receivers: []\n`.replace(
      '    pushover_configs:',
      "    sms_configs: [{ url: 'http://127.0.0.1:9000/sms', phone_numbers: ['1'] }]\n    pushover_configs:",
    );
    // amtool refuses it too: that is why Strata does.
    expect(await checkConfig(legacy)).toContain('field notification_manager not found');
    const res = await upload({ alertmanager_config: legacy });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { fields: { path: string; message: string }[] } };
    expect(body.error.fields.map((f) => f.path)).toEqual([
      'notification_manager',
      'receivers[1].sms_configs',
    ]);
    expect(body.error.fields[0].message).toContain('belongs in the notification_manager document');
    const view = (await (await api('/api/v1/admin/tenants/acme/alertmanager/config')).json()) as {
      version: number;
      notificationManager?: string;
    };
    expect(view.version).toBe(1);
    expect(view.notificationManager).toContain('alertmanager_receivers');
  });
  it('refuses bad notification-manager objects with their paths, stores nothing, and audits and replays them masked', async () => {
    const bad = EXTENSIONS.replace('name: [global-receiver]', 'name: [nobody]').replace(
      "schedule: '0 22 * * *'",
      "schedule: '0 25 * * *'",
    );
    const res = await upload({ alertmanager_config: ALERTMANAGER, notification_manager: bad });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { fields: { path: string; message: string }[] } };
    expect(body.error.fields).toEqual([
      {
        path: 'notification_manager.routers[0].receivers.name[0]',
        message: 'receiver "nobody" is not defined',
      },
      {
        path: 'notification_manager.silences[0].schedule',
        message: 'hour "25" is not between 0 and 23',
      },
    ]);
    const view = (await (await api('/api/v1/admin/tenants/acme/alertmanager/config')).json()) as {
      version: number;
    };
    expect(view.version).toBe(1);
    token = ADMIN_TOKEN;
    try {
      const audit = (await (
        await api('/api/v1/admin/audit?tenant=acme&type=AlertmanagerConfigured')
      ).json()) as { items: { data: { notificationManager?: string } }[] };
      expect(audit.items).toHaveLength(1);
      expect(audit.items[0].data.notificationManager).toContain('routers');
      const replay = (await (await api('/api/v1/admin/audit/replay?position=1000000')).json()) as {
        alertmanagerConfigs?: { notificationManager?: string }[];
      };
      expect(replay.alertmanagerConfigs?.[0].notificationManager).toContain('silences');
      for (const secret of ['nm-pass', 'ding-secret', 'fs-secret']) {
        expect(JSON.stringify(audit)).not.toContain(secret);
        expect(JSON.stringify(replay)).not.toContain(secret);
      }
    } finally {
      token = tenantToken;
    }
  });
});
