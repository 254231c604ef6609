import { execFile } from 'node:child_process';
import { mkdtemp, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { startWebhookSink, type WebhookSink } from '@strata/alertmanager/testing';
import { controlPlaneService } from '@strata/control-plane';
import { freePort, type RunningNatsServer } from '@strata/devstack';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the CLI is tested against the real gateway
import { gatewayService } from '@strata/gateway';
// eslint-disable-next-line @nx/enforce-module-boundaries -- ... and the real services behind it
import { notificationService } from '@strata/notification';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the platform's own test harness
import {
  eventually,
  removeTestDirs,
  startInProcess,
  startTestNats,
  strataEnv,
} from '@strata/platform/testing';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the write path recorded series go through
import { ingesterService } from '@strata/ingester';
// eslint-disable-next-line @nx/enforce-module-boundaries -- ... and the router in front of it
import { routerService } from '@strata/router';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the ruler the rules commands read
import { rulerService } from '@strata/ruler';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the query service the ruler evaluates with
import { queryService } from '@strata/query';
import { type RunningServices } from '@strata/service-kit';
import { freshDatabase, type FreshDatabase } from '@strata/testing';

jest.setTimeout(240_000);

const ROOT = join(__dirname, '../../..');
const ADMIN = 'cli-platform-spec-admin-token-0123';
const TENANT = 'acme-cli';

/** A tenant Alertmanager configuration that sends every group to `url` within a second. */
const webhookConfig = (url: string): string =>
  `alertmanager_config: |\n${[
    'route:',
    '  receiver: hook',
    '  group_by: [alertname]',
    '  group_wait: 1s',
    '  group_interval: 1s',
    'receivers:',
    '  - name: hook',
    `    webhook_configs: [{ url: '${url}' }]`,
  ]
    .map((l) => `  ${l}`)
    .join('\n')}\n`;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The `strata` CLI as a child process against the real gateway, control plane, ruler and
 * notification service: every HTTP command group, `-o json`/`yaml` parsed back, profiles in a
 * 0600 config file, completion through real bash, and the documented exit codes.
 */
describe('strata CLI against the platform', () => {
  let db: FreshDatabase;
  let nats: RunningNatsServer;
  let platform: RunningServices;
  let base = '';
  let home = '';
  let configFile = '';
  let sink: WebhookSink;

  /** Runs the CLI with only the config file for credentials (no STRATA_URL/STRATA_TOKEN). */
  const strata = (args: string[], env: Record<string, string> = {}): Promise<Run> =>
    new Promise((resolve) => {
      const clean = { ...process.env };
      delete clean.STRATA_URL;
      delete clean.STRATA_TOKEN;
      delete clean.STRATA_CONFIG;
      execFile(
        process.execPath,
        ['-r', '@swc-node/register', join(ROOT, 'apps/cli/src/main.ts'), ...args],
        {
          cwd: ROOT,
          env: {
            ...clean,
            HOME: home,
            XDG_CONFIG_HOME: join(home, 'xdg'),
            SWC_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
            ...env,
          },
        },
        (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });
  /** Runs a read command with `-o json` and parses what it printed. */
  const json = async <T>(args: string[]): Promise<T> => {
    const run = await strata([...args, '-o', 'json']);
    if (run.code !== 0) throw new Error(`strata ${args.join(' ')}: ${run.code} ${run.stderr}`);
    return JSON.parse(run.stdout) as T;
  };
  const api = async <T>(path: string, init: RequestInit = {}): Promise<T> => {
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
    if (!res.ok) throw new Error(`${path}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'strata-cli-home-'));
    configFile = join(home, 'xdg', 'strata', 'config.yaml');
    sink = await startWebhookSink();
    db = await freshDatabase('cli_platform');
    const started = await startTestNats();
    nats = started.server;
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    platform = await startInProcess(
      strataEnv(nats, join(started.dir, 'data'), {
        DATABASE_URL: db.url,
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: String(port),
        STRATA_ADMIN_TOKEN: ADMIN,
        STRATA_RULER_POLL_INTERVAL_SECONDS: '1',
      }),
      [
        gatewayService,
        controlPlaneService,
        routerService,
        ingesterService,
        queryService,
        rulerService,
        notificationService,
      ],
    );
  });

  afterAll(async () => {
    await platform?.stop();
    await sink?.close();
    await nats?.process.stop();
    removeTestDirs();
    await db?.drop();
  });

  it('logs in to a profile kept with mode 0600, and switches profiles as kubectl contexts', async () => {
    const refused = await strata(['login', '--url', base, '--token', 'wrong-token-0123456789']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^unauthorized: /);
    await expect(stat(configFile)).rejects.toThrow(/ENOENT/);

    const login = await strata(['login', '--url', base, '--token', ADMIN, '--profile', 'local']);
    expect(login).toMatchObject({ code: 0 });
    expect(login.stdout).toMatch(/as the platform admin; profile local is current/);
    expect((await stat(configFile)).mode & 0o777).toBe(0o600);
    const other = await strata([
      'login',
      '--url',
      base,
      '--token',
      ADMIN,
      '--profile',
      'other',
      '--tenant',
      TENANT,
    ]);
    expect(other.code).toBe(0);

    const profiles = await json<{
      currentProfile: string;
      profiles: Array<{ name: string; url: string }>;
    }>(['config', 'get-profiles']);
    expect(profiles.currentProfile).toBe('other');
    expect(profiles.profiles.map((p) => p.name)).toEqual(['local', 'other']);
    // The token stays in the file only.
    expect(JSON.stringify(profiles)).not.toContain(ADMIN);
    expect((await strata(['config', 'use-profile', 'local'])).code).toBe(0);
    expect((await strata(['config', 'current-profile'])).stdout.trim()).toBe('local');
    expect((await strata(['config', 'use-profile', 'nope'])).code).toBe(2);
    expect((await strata(['tenants', 'list', '--profile', 'nope'])).code).toBe(2);
  });

  it('creates and reads tenants, sets a quota, issues and revokes a key, as the API shows them', async () => {
    const created = await json<{ tenantId: string }>([
      'tenants',
      'create',
      TENANT,
      '--name',
      'Acme CLI',
    ]);
    expect(created.tenantId).toBe(TENANT);
    const page = await json<{ items: Array<{ tenantId: string; displayName: string }> }>([
      'tenants',
      'list',
    ]);
    expect(page.items).toContainEqual(
      expect.objectContaining({ tenantId: TENANT, displayName: 'Acme CLI' }),
    );
    const table = await strata(['tenants', 'list']);
    expect(table.stdout).toMatch(
      new RegExp(`^TENANT\\s+NAME\\s+STATUS[^\\n]*\\n${TENANT}\\s+Acme CLI\\s+active`, 'm'),
    );
    const again = await strata(['tenants', 'create', TENANT]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^already_exists: /);

    const quota = await json<{ quota: { maxActiveSeries: number } }>([
      'quotas',
      'set',
      TENANT,
      'maxActiveSeries=4321',
    ]);
    expect(quota.quota.maxActiveSeries).toBe(4321);
    const fromApi = await api<{ quota: { maxActiveSeries: number } }>(
      `/api/v1/admin/tenants/${TENANT}/quota`,
    );
    expect(fromApi.quota.maxActiveSeries).toBe(4321);
    const yaml = parse((await strata(['quotas', 'get', TENANT, '-o', 'yaml'])).stdout) as {
      quota: { maxActiveSeries: number };
    };
    expect(yaml.quota.maxActiveSeries).toBe(4321);
    const bad = await strata(['quotas', 'set', TENANT, 'maxActiveSeries=-5']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^validation_failed: /);

    const issued = await json<{ key: { keyId: string }; secret: string }>([
      'keys',
      'issue',
      TENANT,
      '--name',
      'ci',
      '--scopes',
      'read',
    ]);
    expect(issued.secret).toMatch(/^strata_/);
    const keys = await json<{ items: Array<{ keyId: string; status: string }> }>([
      'keys',
      'list',
      TENANT,
    ]);
    expect(keys.items).toEqual([
      expect.objectContaining({ keyId: issued.key.keyId, status: 'active' }),
    ]);
    // The key itself works as a credential: --url and --token override the profile.
    const asKey = await json<{ items: Array<{ tenantId: string }> }>([
      'tenants',
      'list',
      '--url',
      base,
      '--token',
      issued.secret,
    ]);
    expect(asKey.items.map((t) => t.tenantId)).toEqual([TENANT]);
    const revoked = await json<{ status: string }>(['keys', 'revoke', issued.key.keyId]);
    expect(revoked.status).toBe('revoked');
    const after = await strata(['tenants', 'list', '--token', issued.secret]);
    expect(after.code).toBe(1);
    expect(after.stderr).toMatch(/^unauthorized: /);
  });

  it('lists the audit trail through the API', async () => {
    const trail = await json<{ items: Array<{ type: string; tenantId: string }> }>([
      'audit',
      'list',
      '--tenant',
      TENANT,
      '--type',
      'QuotaSet',
    ]);
    expect(trail.items).toEqual([expect.objectContaining({ type: 'QuotaSet', tenantId: TENANT })]);
  });

  it("syncs a rule file, then shows each rule's health and last evaluation", async () => {
    const file = join(home, 'cli-rules.yml');
    await writeFile(
      file,
      'groups:\n  - name: cli\n    interval: 1s\n    rules:\n      - record: cli:one\n        expr: vector(1)\n',
    );
    const sync = await strata(['rules', 'sync', '--tenant', TENANT, file]);
    expect(sync).toMatchObject({ code: 0 });
    expect(sync.stdout).toContain('+ cli-rules.yml/cli');
    const listed = await json<Record<string, Array<{ name: string }>>>([
      'rules',
      'list',
      '--tenant',
      TENANT,
    ]);
    expect(listed['cli-rules.yml'].map((g) => g.name)).toEqual(['cli']);
    const status = await eventually(
      async () => {
        const s = await json<{
          groups: Array<{ name: string; rules: Array<{ health: string; lastEvaluation: string }> }>;
        }>(['rules', 'status', '--tenant', TENANT]);
        const rule = s.groups.find((g) => g.name === 'cli')?.rules[0];
        if (rule?.health !== 'ok') throw new Error(`not evaluated yet: ${JSON.stringify(s)}`);
        return rule;
      },
      60_000,
      'the rule evaluated',
    );
    expect(Date.parse(status.lastEvaluation)).toBeGreaterThan(Date.now() - 60_000);
    const diff = await strata(['rules', 'diff', '--tenant', TENANT, file]);
    expect(diff).toMatchObject({ code: 0, stdout: '' });
  });

  it('lists alerts and their notifications, creates a silence that silences one and expires it', async () => {
    await api('/alertmanager/api/v1/alerts', {
      method: 'POST',
      headers: { 'content-type': 'application/yaml' },
      body: webhookConfig(`${sink.url}/cli`),
    });
    await api('/alertmanager/api/v2/alerts', {
      method: 'POST',
      body: JSON.stringify([
        { labels: { alertname: 'CliDiskFull', severity: 'page' }, annotations: {} },
      ]),
    });
    const alerts = await eventually(
      async () => {
        const list = await json<
          Array<{ labels: Record<string, string>; status: { state: string } }>
        >(['alerts', 'list', '--tenant', TENANT]);
        return list.length > 0 ? list : undefined;
      },
      30_000,
      'the posted alert',
    );
    expect(alerts[0]).toMatchObject({
      labels: { alertname: 'CliDiskFull' },
      status: { state: 'active' },
    });

    const delivered = await eventually(
      async () => {
        const h = await json<{
          items: Array<{
            status: string;
            receiver: string;
            alerts: Array<{ labels: Record<string, string> }>;
          }>;
        }>(['alerts', 'history', '--tenant', TENANT]);
        return h.items.length > 0 ? h.items : undefined;
      },
      60_000,
      'a delivery in the history',
    );
    expect(delivered[0]).toMatchObject({ status: 'sent', receiver: 'hook' });
    expect(delivered[0].alerts[0].labels.alertname).toBe('CliDiskFull');
    expect(sink.requests.some((r) => r.path === '/cli')).toBe(true);
    const failed = await json<{ items: unknown[] }>([
      'alerts',
      'history',
      '--tenant',
      TENANT,
      '--state',
      'failed',
    ]);
    expect(failed.items).toEqual([]);
    const created = await json<{ silenceID: string }>([
      'silences',
      'create',
      '--tenant',
      TENANT,
      '--matcher',
      'alertname=CliDiskFull',
      '--duration',
      '2h',
      '--comment',
      'disk swap',
    ]);
    const silences = await json<Array<{ id: string; status: { state: string }; comment: string }>>([
      'silences',
      'list',
      '--tenant',
      TENANT,
    ]);
    expect(silences).toEqual([
      expect.objectContaining({
        id: created.silenceID,
        status: { state: 'active' },
        comment: 'disk swap',
      }),
    ]);
    const silenced = await eventually(
      async () => {
        const [alert] = await json<Array<{ status: { state: string; silencedBy: string[] } }>>([
          'alerts',
          'list',
          '--tenant',
          TENANT,
        ]);
        return alert.status.state === 'suppressed' ? alert : undefined;
      },
      30_000,
      'the alert silenced',
    );
    expect(silenced.status.silencedBy).toEqual([created.silenceID]);
    expect((await strata(['silences', 'expire', '--tenant', TENANT, created.silenceID])).code).toBe(
      0,
    );
    const [expired] = await json<Array<{ status: { state: string } }>>([
      'silences',
      'list',
      '--tenant',
      TENANT,
    ]);
    expect(expired.status.state).toBe('expired');
    const bad = await strata(['silences', 'create', '--tenant', TENANT, '--matcher', '=x']);
    expect(bad.code).toBe(2);
  });

  it('lists log pipelines and registered models with versions and aliases', async () => {
    await api(`/api/v1/admin/tenants/${TENANT}/log-pipelines/web`, {
      method: 'PUT',
      body: JSON.stringify({
        name: 'web',
        sinks: { out: { type: 'http', inputs: ['source'], url: 'http://127.0.0.1:9/logs' } },
      }),
    });
    const pipelines = await json<{ items: Array<{ pipeline: { name: string } }> }>([
      'pipelines',
      'list',
      '--tenant',
      TENANT,
    ]);
    expect(pipelines.items.map((p) => p.pipeline.name)).toEqual(['web']);

    await api('/api/v1/registry/models', {
      method: 'POST',
      body: JSON.stringify({ name: 'churn' }),
    });
    for (const source of ['s3://models/churn/1', 's3://models/churn/2'])
      await api('/api/v1/registry/models/churn/versions', {
        method: 'POST',
        body: JSON.stringify({ source }),
      });
    await api('/api/v1/registry/models/churn/aliases/champion', {
      method: 'PUT',
      body: JSON.stringify({ version: 1 }),
    });
    const models = await json<{ items: Array<{ name: string; latestVersion: number }> }>([
      'models',
      'registered',
      '--tenant',
      TENANT,
    ]);
    expect(models.items).toEqual([expect.objectContaining({ name: 'churn', latestVersion: 2 })]);
    const model = await json<{
      aliases: Record<string, number>;
      versions: Array<{ version: number; source: string }>;
    }>(['models', 'registered', 'churn', '--tenant', TENANT]);
    expect(model.aliases).toEqual({ champion: 1 });
    expect(model.versions.map((v) => v.source)).toEqual([
      's3://models/churn/1',
      's3://models/churn/2',
    ]);
    const missing = await strata(['models', 'registered', 'nope', '--tenant', TENANT]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^not_found: /);
  });

  it('completes commands in bash, and keeps the documented exit codes', async () => {
    const script = (await strata(['completion', 'bash'])).stdout;
    const complete = (words: string[]) =>
      new Promise<string>((resolve, reject) => {
        execFile(
          'bash',
          [
            '-c',
            `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _strata; echo "\${COMPREPLY[*]}"`,
          ],
          (error, stdout) => (error ? reject(error) : resolve(stdout.trim())),
        );
      });
    expect(await complete(['strata', 'si'])).toBe('silences');
    expect(await complete(['strata', 'silences', ''])).toBe('list create expire');
    expect(await complete(['strata', 'tenants', 'list', '-o', 'y'])).toBe('yaml');
    expect((await strata(['completion', 'zsh'])).stdout).toMatch(/^#compdef strata/);

    expect((await strata(['tenants', 'fly'])).code).toBe(2);
    expect((await strata(['tenants', 'list', '-o', 'xml'])).code).toBe(2);
    expect((await strata(['tenants', 'list', '--bogus'])).code).toBe(2);
    const unreachable = await strata([
      'tenants',
      'list',
      '--url',
      `http://127.0.0.1:${await freePort()}`,
    ]);
    expect(unreachable.code).toBe(4);
    expect(unreachable.stderr).toMatch(/cannot reach .*ECONNREFUSED/);
    // The models transfer and rules commands have their own HTTP clients: same exit code.
    const closed = `http://127.0.0.1:${await freePort()}`;
    expect((await strata(['models', 'list', '--url', closed])).code).toBe(4);
    expect((await strata(['rules', 'list', '--tenant', 'a', '--url', closed])).code).toBe(4);
    const noCredential = await strata(['tenants', 'list'], {
      XDG_CONFIG_HOME: join(home, 'empty'),
    });
    expect(noCredential.code).toBe(2);
    expect(noCredential.stderr).toMatch(/strata login/);
  });
});
