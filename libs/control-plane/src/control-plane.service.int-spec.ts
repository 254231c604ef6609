import {
  type ApiKeyPrincipal,
  type AuditEntry,
  type CommandAccepted,
  type ControlCommand,
  type ControlPlaneSnapshot,
  type Page,
  type QuotaView,
  type TenantView,
  DEFAULT_QUOTA,
} from '@strata/contracts';
import { ProjectionRunner } from '@strata/eventstore';
import { freshDatabase, type FreshDatabase } from '@strata/testing';
import { openControlPlaneStore, type ControlPlaneStore } from './control-plane-store';
import { ControlPlaneService } from './control-plane.service';
import {
  CONTROL_PLANE_PROJECTION,
  controlPlaneProjection,
} from './projections/control-plane.projection';

const context = {
  actor: 'alice@example.com',
  actorKind: 'platform-admin' as const,
  sourceAddress: '192.0.2.7',
  requestId: 'req-1',
};

describe('ControlPlaneService', () => {
  let db: FreshDatabase;
  let cp: ControlPlaneStore;
  let runner: ProjectionRunner;
  let service: ControlPlaneService;
  let requests = 0;
  const run = (command: ControlCommand, requestId = `req-${++requests}`) =>
    service.execute({ command, context: { ...context, requestId } });
  const ask = <T>(query: object) => service.query({ query, requestId: 'q' }) as Promise<T>;

  beforeAll(async () => {
    db = await freshDatabase('control_plane');
    cp = await openControlPlaneStore({ databaseUrl: db.url, migrate: true });
    runner = new ProjectionRunner(cp.dataSource, [controlPlaneProjection]);
    service = new ControlPlaneService(cp.dataSource, cp.store, { projections: runner });
  });
  afterAll(async () => {
    await cp.close();
    await db.drop();
  });

  it('creates a tenant and reads it back with the default quota', async () => {
    const accepted = await run({ type: 'CreateTenant', tenantId: 'acme', displayName: 'Acme' });
    expect(accepted).toMatchObject({ streamId: 'tenant-acme', version: 1 });
    expect(await ask<TenantView>({ type: 'GetTenant', tenantId: 'acme' })).toMatchObject({
      tenantId: 'acme',
      displayName: 'Acme',
      status: 'active',
      version: 1,
    });
    expect(await ask<QuotaView>({ type: 'GetQuota', tenantId: 'acme' })).toMatchObject({
      quota: DEFAULT_QUOTA,
      version: 0,
    });
  });

  it('lets one of two concurrent commands on one aggregate win; the other gets version_conflict and writes nothing', async () => {
    await run({ type: 'CreateTenant', tenantId: 'race', displayName: 'Race' });
    const results = await Promise.allSettled([
      run({ type: 'RenameTenant', tenantId: 'race', displayName: 'Left', expectedVersion: 1 }),
      run({ type: 'SuspendTenant', tenantId: 'race', reason: 'right', expectedVersion: 1 }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const loser = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')!;
    expect(loser.reason).toMatchObject({ code: 'version_conflict' });
    const tenant = await ask<TenantView>({ type: 'GetTenant', tenantId: 'race' });
    expect(tenant.version).toBe(2);
    expect(tenant.displayName === 'Left' ? tenant.status : tenant.suspendedReason).toBe(
      tenant.displayName === 'Left' ? 'active' : 'right',
    );
    // Without an expected version both still go through load → decide → append, so the loser conflicts too, never overwrites.
    const unguarded = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) =>
        run({ type: 'RenameTenant', tenantId: 'race', displayName: `N${i}` }),
      ),
    );
    for (const r of unguarded)
      if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'version_conflict' });
  });

  it('rejects bad commands with field paths and appends nothing', async () => {
    const head = await cp.store.headPosition();
    const cases: Array<[unknown, string]> = [
      [{ type: 'CreateTenant', tenantId: 'x1', displayName: 'X', extra: 1 }, 'command'],
      [
        { type: 'SetQuota', tenantId: 'acme', quota: { maxActiveSeries: -5 } },
        'command.quota.maxActiveSeries',
      ],
      [
        { type: 'SetQuota', tenantId: 'acme', quota: { maxActiveSeries: 'many' } },
        'command.quota.maxActiveSeries',
      ],
      [{ type: 'SetQuota', tenantId: 'acme', quota: { bogus: 1 } }, 'command.quota'],
      [{ type: 'CreateTenant', tenantId: 'Not_Valid', displayName: 'X' }, 'command.tenantId'],
      [{ type: 'Explode' }, 'command.type'],
    ];
    for (const [command, path] of cases) {
      const error = await service.execute({ command, context }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'validation_failed' });
      expect((error as { fields: Array<{ path: string }> }).fields.map((f) => f.path)).toContain(
        path,
      );
    }
    await expect(
      service.execute({ command: { type: 'ResumeTenant', tenantId: 'acme' } }),
    ).rejects.toMatchObject({ code: 'validation_failed' });
    expect(await cp.store.headPosition()).toBe(head);
  });

  it('keeps deleted tenant ids as tombstones', async () => {
    await run({ type: 'CreateTenant', tenantId: 'gone', displayName: 'Gone' });
    await run({ type: 'DeleteTenant', tenantId: 'gone' });
    await expect(
      run({ type: 'CreateTenant', tenantId: 'gone', displayName: 'Again' }),
    ).rejects.toMatchObject({ code: 'already_exists' });
    await expect(
      run({ type: 'SetQuota', tenantId: 'gone', quota: { maxActiveSeries: 1 } }),
    ).rejects.toMatchObject({ code: 'not_found' });
    await expect(ask({ type: 'GetQuota', tenantId: 'gone' })).rejects.toMatchObject({
      code: 'not_found',
    });
    const list = await ask<Page<TenantView>>({ type: 'ListTenants' });
    expect(list.items.map((t) => t.tenantId)).not.toContain('gone');
    const all = await ask<Page<TenantView>>({
      type: 'ListTenants',
      includeDeleted: true,
      limit: 2,
    });
    expect(all.items).toHaveLength(2);
    expect(all.nextCursor).not.toBeNull();
  });

  it('replays the control plane as of an instant between two quota changes', async () => {
    await run({ type: 'CreateTenant', tenantId: 'replay', displayName: 'Replay' });
    await run({ type: 'SetQuota', tenantId: 'replay', quota: { maxActiveSeries: 1000 } });
    await new Promise((r) => setTimeout(r, 20));
    const between = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    const second = await run({
      type: 'SetQuota',
      tenantId: 'replay',
      quota: { maxActiveSeries: 2000 },
    });
    const then = await ask<ControlPlaneSnapshot>({ type: 'ReplayControlPlane', at: between });
    expect(then.tenants.find((t) => t.tenantId === 'replay')?.quota.maxActiveSeries).toBe(1000);
    const byPosition = await ask<ControlPlaneSnapshot>({
      type: 'ReplayControlPlane',
      position: second.positions[0],
    });
    expect(byPosition.tenants.find((t) => t.tenantId === 'replay')?.quota.maxActiveSeries).toBe(
      2000,
    );
    expect(byPosition.asOfPosition).toBe(second.positions[0]);
    await expect(ask({ type: 'ReplayControlPlane' })).rejects.toMatchObject({
      code: 'validation_failed',
    });
  });

  it('authenticates keys by secret and rejects a revoked key immediately', async () => {
    const issued: CommandAccepted = await run({
      type: 'IssueApiKey',
      tenantId: 'acme',
      name: 'ci',
      scopes: ['write'],
    });
    const { keyId, secret } = issued.apiKey!;
    expect(await ask<ApiKeyPrincipal>({ type: 'AuthenticateApiKey', secret })).toEqual({
      keyId,
      tenantId: 'acme',
      scopes: ['write'],
      tenantStatus: 'active',
      expiresAt: null,
    });
    await expect(
      ask({ type: 'AuthenticateApiKey', secret: secret.slice(0, -2) + 'xx' }),
    ).rejects.toMatchObject({ code: 'unauthorized' });
    await run({ type: 'RevokeApiKey', keyId });
    await expect(ask({ type: 'AuthenticateApiKey', secret })).rejects.toMatchObject({
      code: 'unauthorized',
    });
    expect(await ask({ type: 'GetApiKey', keyId })).toMatchObject({ status: 'revoked' });
    const events = await cp.store.readStream(`apikey-${keyId}`);
    expect(JSON.stringify(events)).not.toContain(secret);
  });

  it('honours key expiry', async () => {
    // Two seconds of validity: issuing and the first authentication must fit inside it on a loaded CI machine.
    const expiresAt = Date.now() + 2000;
    const issued = await run({
      type: 'IssueApiKey',
      tenantId: 'acme',
      name: 'short',
      scopes: ['read'],
      expiresAt: new Date(expiresAt).toISOString(),
    });
    expect(await ask({ type: 'AuthenticateApiKey', secret: issued.apiKey!.secret })).toMatchObject({
      keyId: issued.apiKey!.keyId,
    });
    await new Promise((r) => setTimeout(r, expiresAt - Date.now() + 100));
    await expect(
      ask({ type: 'AuthenticateApiKey', secret: issued.apiKey!.secret }),
    ).rejects.toMatchObject({ code: 'unauthorized' });
  });

  it('lists audit events with who, when and from where, filtered and paged', async () => {
    await run({ type: 'RenameTenant', tenantId: 'acme', displayName: 'Acme 2' }, 'req-audit');
    const page1 = await ask<Page<AuditEntry>>({
      type: 'ListAuditEvents',
      tenantId: 'acme',
      limit: 2,
    });
    expect(page1.items).toHaveLength(2);
    const page2 = await ask<Page<AuditEntry>>({
      type: 'ListAuditEvents',
      tenantId: 'acme',
      cursor: page1.nextCursor!,
      limit: 100,
    });
    expect(page2.items[0].position).toBeGreaterThan(page1.items[1].position);
    const renamed = await ask<Page<AuditEntry>>({
      type: 'ListAuditEvents',
      eventType: 'TenantRenamed',
      actor: context.actor,
      tenantId: 'acme',
    });
    expect(renamed.items).toEqual([
      expect.objectContaining({
        actor: context.actor,
        actorKind: 'platform-admin',
        sourceAddress: '192.0.2.7',
        requestId: 'req-audit',
        tenantId: 'acme',
      }),
    ]);
    const none = await ask<Page<AuditEntry>>({
      type: 'ListAuditEvents',
      from: '2000-01-01T00:00:00Z',
      to: '2000-01-02T00:00:00Z',
    });
    expect(none).toEqual({ items: [], nextCursor: null });
    await expect(ask({ type: 'ListAuditEvents', cursor: 'garbage' })).rejects.toMatchObject({
      code: 'validation_failed',
    });
  });

  it('rebuilds the read models from position 0 into exactly the live ones', async () => {
    const dump = async () =>
      cp.dataSource.query(
        `SELECT 't' AS k, tenant_id AS id, view FROM cp_tenants UNION ALL SELECT 'q', tenant_id, view FROM cp_quotas UNION ALL SELECT 'k', key_id, view FROM cp_api_keys ORDER BY 1, 2`,
      );
    await runner.catchUp();
    const live = await dump();
    expect(live.length).toBeGreaterThan(5);
    await runner.rebuild(CONTROL_PLANE_PROJECTION);
    expect(await dump()).toEqual(live);
    expect(await runner.checkpoint(CONTROL_PLANE_PROJECTION)).toBe(await cp.store.headPosition());
  });

  it('answers a retried command (same request id) with its first result instead of applying it twice', async () => {
    await run({ type: 'CreateTenant', tenantId: 'retry', displayName: 'Retry' }, 'retry-create');
    const first = await run(
      { type: 'SetQuota', tenantId: 'retry', quota: { maxActiveSeries: 7 } },
      'retry-quota',
    );
    await run(
      { type: 'SetQuota', tenantId: 'retry', quota: { maxActiveSeries: 8 } },
      'retry-quota-2',
    );
    expect(
      await run(
        { type: 'SetQuota', tenantId: 'retry', quota: { maxActiveSeries: 7 } },
        'retry-quota',
      ),
    ).toEqual(first);
    expect(
      await run({ type: 'CreateTenant', tenantId: 'retry', displayName: 'Retry' }, 'retry-create'),
    ).toMatchObject({ version: 1 });
    expect(
      (await ask<QuotaView>({ type: 'GetQuota', tenantId: 'retry' })).quota.maxActiveSeries,
    ).toBe(8);
    const issued = await run(
      { type: 'IssueApiKey', tenantId: 'retry', name: 'k', scopes: ['read'] },
      'retry-key',
    );
    await expect(
      run({ type: 'IssueApiKey', tenantId: 'retry', name: 'k', scopes: ['read'] }, 'retry-key'),
    ).rejects.toMatchObject({
      code: 'already_exists',
      message: expect.stringContaining(issued.apiKey!.keyId) as unknown as string,
    });
    expect(
      (await ask<Page<unknown>>({ type: 'ListApiKeys', tenantId: 'retry' })).items,
    ).toHaveLength(1);
  });

  it('verifies the audit chain', async () => {
    expect(await ask({ type: 'VerifyAuditChain' })).toMatchObject({ ok: true, brokenAt: null });
  });
});
