import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { type ControlPlaneSnapshot } from '@strata/contracts';
import {
  ControlPlaneService,
  openControlPlaneStore,
  type ControlPlaneStore,
} from '@strata/control-plane';
import { freshDatabase, type FreshDatabase } from '@strata/testing';

jest.setTimeout(120_000);

const root = join(__dirname, '../../..');

function strata(
  args: string[],
  databaseUrl: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['-r', '@swc-node/register', join(root, 'apps/cli/src/main.ts'), ...args],
      {
        cwd: root,
        env: {
          ...process.env,
          DATABASE_URL: databaseUrl,
          SWC_NODE_PROJECT: join(root, 'tsconfig.json'),
        },
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('strata CLI', () => {
  let db: FreshDatabase;
  let cp: ControlPlaneStore;
  let service: ControlPlaneService;
  let requests = 0;
  const base = { actor: 'auditor-test', actorKind: 'system' as const, sourceAddress: '127.0.0.1' };
  const ctx = () => ({ ...base, requestId: `cli-${++requests}` });

  beforeAll(async () => {
    db = await freshDatabase('cli');
    const migrated = await strata(['migrate'], db.url);
    expect(migrated).toMatchObject({ code: 0 });
    expect(migrated.stdout).toMatch(/applied CreateEventStore/);
    cp = await openControlPlaneStore({ databaseUrl: db.url });
    service = new ControlPlaneService(cp.dataSource, cp.store);
  });
  afterAll(async () => {
    await cp.close();
    await db.drop();
  });

  it('replays the control plane as of an instant and a position', async () => {
    await service.execute({
      command: { type: 'CreateTenant', tenantId: 'acme', displayName: 'Acme' },
      context: ctx(),
    });
    const first = await service.execute({
      command: { type: 'SetQuota', tenantId: 'acme', quota: { maxActiveSeries: 111 } },
      context: ctx(),
    });
    await new Promise((r) => setTimeout(r, 20));
    const between = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    await service.execute({
      command: { type: 'SetQuota', tenantId: 'acme', quota: { maxActiveSeries: 222 } },
      context: ctx(),
    });

    const atInstant = await strata(['audit', 'replay', '--at', between], db.url);
    expect(atInstant.code).toBe(0);
    const snapshot = JSON.parse(atInstant.stdout) as ControlPlaneSnapshot;
    expect(snapshot.tenants[0]).toMatchObject({
      tenantId: 'acme',
      quota: { maxActiveSeries: 111 },
    });

    const atPosition = JSON.parse(
      (await strata(['audit', 'replay', '--position', String(first.positions[0] - 1)], db.url))
        .stdout,
    ) as ControlPlaneSnapshot;
    expect(atPosition.tenants[0].quota.maxActiveSeries).toBe(150_000);
    expect((await strata(['audit', 'replay'], db.url)).code).toBe(2);
  });

  it('verifies the chain, and names the tampered position with exit code 1', async () => {
    const ok = await strata(['audit', 'verify'], db.url);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, checkedEvents: 3 });

    await cp.dataSource.transaction(async (m) => {
      await m.query('SET LOCAL session_replication_role = replica');
      await m.query(
        `UPDATE events SET data = jsonb_set(data, '{quota,maxActiveSeries}', '999999') WHERE position = 2`,
      );
    });
    const broken = await strata(['audit', 'verify'], db.url);
    expect(broken.code).toBe(1);
    expect(JSON.parse(broken.stdout)).toMatchObject({ ok: false, brokenAt: 2 });
    expect(broken.stderr).toMatch(/broken at position 2/);
  });
});
