// `strata rules diff|sync|list` run as a user runs them (`node tools/platform/cli.mjs`, what
// `npm run strata` runs) against a gateway and control plane started in this process.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { controlPlaneService } from '@strata/control-plane';
import { freePort, type RunningNatsServer } from '@strata/devstack';
import { gatewayService } from '@strata/gateway';
import { removeTestDirs, startInProcess, startTestNats, strataEnv } from '@strata/platform/testing';
import { type RunningServices } from '@strata/service-kit';
import { freshDatabase, type FreshDatabase } from '@strata/testing';
import { parse } from 'yaml';

jest.setTimeout(180_000);

const TOKEN = 'rules-cli-admin-token-0123456';
const root = join(__dirname, '../../../..');

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

type Listed = Record<
  string,
  Array<{ name: string; rules: Array<{ record?: string; expr: string }> }>
>;

describe('strata rules diff, sync and list', () => {
  let nats: RunningNatsServer;
  let db: FreshDatabase;
  let platform: RunningServices;
  let gateway = '';
  const dir = mkdtempSync(join(tmpdir(), 'strata-rules-cli-'));
  const file = join(dir, 'team.yml');

  const strata = (args: string[], token = TOKEN): Promise<Result> =>
    new Promise((resolve) => {
      execFile(
        process.execPath,
        [join(root, 'tools/platform/cli.mjs'), 'rules', ...args],
        { cwd: root, env: { ...process.env, STRATA_URL: gateway, STRATA_TOKEN: token } },
        (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });
  const lines = (r: Result): string[] => r.stdout.split('\n').filter((l) => l !== '');
  const group = (name: string, expr: string): string =>
    `  - name: ${name}\n    interval: 30s\n    rules:\n      - record: ${name}:up:sum\n        expr: ${expr}\n`;

  beforeAll(async () => {
    db = await freshDatabase('rules_cli');
    const started = await startTestNats();
    nats = started.server;
    const port = await freePort();
    gateway = `http://127.0.0.1:${port}`;
    platform = await startInProcess(
      strataEnv(nats, join(started.dir, 'data'), {
        DATABASE_URL: db.url,
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: String(port),
        STRATA_ADMIN_TOKEN: TOKEN,
      }),
      [gatewayService, controlPlaneService],
    );
    const created = await fetch(`${gateway}/api/v1/admin/tenants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ tenantId: 'acme', displayName: 'Acme' }),
    });
    expect(created.status).toBe(201);
  });

  afterAll(async () => {
    await platform?.stop();
    await nats?.process.stop();
    await db?.drop();
    removeTestDirs();
  });

  it('shows what a sync would change, syncs it, and then finds nothing to change', async () => {
    writeFileSync(
      file,
      `groups:\n${group('api', 'sum(up{job="api"})')}${group('db', 'sum(up{job="db"})')}`,
    );
    const before = await strata(['diff', '--tenant', 'acme', file]);
    expect(before.code).toBe(1);
    expect(lines(before)).toEqual(['+ team.yml/api', '+ team.yml/db']);

    const synced = await strata(['sync', '--tenant', 'acme', file]);
    expect(synced).toMatchObject({ code: 0 });
    expect(lines(synced)).toEqual(['+ team.yml/api', '+ team.yml/db']);

    const after = await strata(['diff', '--tenant', 'acme', file]);
    expect(after).toEqual({ code: 0, stdout: '', stderr: '' });

    const listed = await strata(['list', '--tenant', 'acme']);
    expect(listed.code).toBe(0);
    const groups = (parse(listed.stdout) as Listed)['team.yml'];
    expect(groups.map((g) => [g.name, g.rules[0].expr])).toEqual([
      ['api', 'sum(up{job="api"})'],
      ['db', 'sum(up{job="db"})'],
    ]);
  });

  it('changes, adds and removes groups so the namespace holds exactly the file', async () => {
    writeFileSync(
      file,
      `groups:\n${group('api', 'sum by (instance) (up{job="api"})')}${group('cache', 'sum(up{job="cache"})')}`,
    );
    const diff = await strata(['diff', '--tenant', 'acme', file]);
    expect(diff.code).toBe(1);
    expect(lines(diff)).toEqual(['~ team.yml/api', '+ team.yml/cache', '- team.yml/db']);

    expect((await strata(['sync', '--tenant', 'acme', file])).code).toBe(0);
    const groups = (parse((await strata(['list', '--tenant', 'acme'])).stdout) as Listed)[
      'team.yml'
    ];
    expect(groups.map((g) => [g.name, g.rules[0].expr]).sort()).toEqual([
      ['api', 'sum by (instance) (up{job="api"})'],
      ['cache', 'sum(up{job="cache"})'],
    ]);
    expect((await strata(['diff', '--tenant', 'acme', file])).code).toBe(0);
  });

  it('syncs into the namespace given with --namespace, leaving the others alone', async () => {
    const synced = await strata(['sync', '--tenant', 'acme', '--namespace', 'payments', file]);
    expect(synced.code).toBe(0);
    expect(lines(synced)).toEqual(['+ payments/api', '+ payments/cache']);
    const listed = parse((await strata(['list', '--tenant', 'acme'])).stdout) as Listed;
    expect(Object.keys(listed).sort()).toEqual(['payments', 'team.yml']);
    expect(listed['team.yml'].map((g) => g.name).sort()).toEqual(['api', 'cache']);
  });

  it('fails a sync the ruler refuses with its reason and changes nothing', async () => {
    const bad = join(dir, 'bad.yml');
    writeFileSync(bad, `groups:\n${group('broken', 'sum(')}`);
    const refused = await strata(['sync', '--tenant', 'acme', bad]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/http_400: \+ bad\.yml\/broken: .*could not parse expression/);
    const listed = parse((await strata(['list', '--tenant', 'acme'])).stdout) as Listed;
    expect(Object.keys(listed).sort()).toEqual(['payments', 'team.yml']);
  });

  it('lists nothing for a tenant without rules and refuses a wrong token', async () => {
    const other = await fetch(`${gateway}/api/v1/admin/tenants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ tenantId: 'empty', displayName: 'Empty' }),
    });
    expect(other.status).toBe(201);
    expect(await strata(['list', '--tenant', 'empty'])).toEqual({
      code: 0,
      stdout: '',
      stderr: '',
    });
    const denied = await strata(['list', '--tenant', 'acme'], 'not-the-token-0123456789');
    // The API refused: exit 1, with the status and the request named.
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/http_401: GET rules: /);
  });
});
