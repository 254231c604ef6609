import {
  type AuditEntry,
  type ControlCommand,
  type ControlPlaneSnapshot,
  type Page,
  type RuleGroupSpec,
  type RuleGroupView,
} from '@strata/contracts';
import { ProjectionRunner } from '@strata/eventstore';
import { freshDatabase, type FreshDatabase } from '@strata/testing';
import { openControlPlaneStore, type ControlPlaneStore } from './control-plane-store';
import { ControlPlaneService } from './control-plane.service';
import { controlPlaneProjection } from './projections/control-plane.projection';

const context = {
  actor: 'alice@example.com',
  actorKind: 'platform-admin' as const,
  sourceAddress: '192.0.2.7',
  requestId: 'req-1',
};
const group: RuleGroupSpec = {
  name: 'api',
  interval: '30s',
  rules: [{ record: 'job:up:sum', expr: 'sum by (job) (up)' }],
};

describe('rule groups in the control plane', () => {
  let db: FreshDatabase;
  let cp: ControlPlaneStore;
  let service: ControlPlaneService;
  let requests = 0;
  const run = (command: ControlCommand) =>
    service.execute({ command, context: { ...context, requestId: `req-${++requests}` } });
  const ask = <T>(query: object) => service.query({ query, requestId: 'q' }) as Promise<T>;

  beforeAll(async () => {
    db = await freshDatabase('control_plane_rules');
    cp = await openControlPlaneStore({ databaseUrl: db.url, migrate: true });
    service = new ControlPlaneService(cp.dataSource, cp.store, {
      projections: new ProjectionRunner(cp.dataSource, [controlPlaneProjection]),
      maxRulesPerGroup: 3,
    });
    await run({ type: 'CreateTenant', tenantId: 'acme', displayName: 'Acme' });
  });
  afterAll(async () => {
    await cp.close();
    await db.drop();
  });

  it('keeps groups of the three scopes, lists them by tenant and scope, and deletes them', async () => {
    await run({
      type: 'ConfigureRuleGroup',
      target: { scope: 'namespace', tenantId: 'acme', namespace: 'team a/rules.yml' },
      group,
    });
    await run({
      type: 'ConfigureRuleGroup',
      target: { scope: 'cluster', tenantId: 'acme' },
      group,
    });
    await run({
      type: 'ConfigureRuleGroup',
      target: { scope: 'global' },
      group: { ...group, name: 'platform' },
    });
    const mine = await ask<Page<RuleGroupView>>({ type: 'ListRuleGroups', tenantId: 'acme' });
    expect(mine.items.map((v) => v.target.scope).sort()).toEqual(['cluster', 'namespace']);
    const all = await ask<Page<RuleGroupView>>({ type: 'ListRuleGroups', limit: 2 });
    const rest = await ask<Page<RuleGroupView>>({
      type: 'ListRuleGroups',
      limit: 2,
      cursor: all.nextCursor,
    });
    expect([...all.items, ...rest.items]).toHaveLength(3);
    expect(rest.nextCursor).toBeNull();
    const got = await ask<RuleGroupView>({
      type: 'GetRuleGroup',
      target: { scope: 'namespace', tenantId: 'acme', namespace: 'team a/rules.yml' },
      name: 'api',
    });
    expect(got).toMatchObject({ group, version: 1 });

    await run({
      type: 'DeleteRuleGroup',
      target: { scope: 'cluster', tenantId: 'acme' },
      name: 'api',
    });
    expect(
      (await ask<Page<RuleGroupView>>({ type: 'ListRuleGroups', tenantId: 'acme' })).items.map(
        (v) => v.target.scope,
      ),
    ).toEqual(['namespace']);
    await expect(
      run({ type: 'DeleteRuleGroup', target: { scope: 'cluster', tenantId: 'acme' }, name: 'api' }),
    ).rejects.toMatchObject({ code: 'not_found' });
  });

  it('refuses a bad group with the rule and the reason, and stores nothing', async () => {
    const head = await cp.store.headPosition();
    const bad = {
      name: 'bad',
      rules: [
        { record: 'ok', expr: 'up' },
        { alert: 'Broken', expr: 'rate(up[5m]', for: '1m' },
      ],
    };
    await expect(
      run({
        type: 'ConfigureRuleGroup',
        target: { scope: 'cluster', tenantId: 'acme' },
        group: bad,
      }),
    ).rejects.toMatchObject({
      code: 'validation_failed',
      fields: [
        {
          path: 'group.rules.1',
          message: expect.stringContaining(
            'group "bad", rule 2, "Broken": could not parse expression',
          ) as string,
        },
      ],
    });
    const four = {
      name: 'four',
      rules: Array.from({ length: 4 }, (_, i) => ({ record: `r${i}`, expr: 'up' })),
    };
    await expect(
      run({
        type: 'ConfigureRuleGroup',
        target: { scope: 'cluster', tenantId: 'acme' },
        group: four,
      }),
    ).rejects.toMatchObject({
      fields: [
        {
          path: 'group',
          message: 'group "four": 4 rules, more than the limit of 3 rules per group',
        },
      ],
    });
    await expect(
      run({ type: 'ConfigureRuleGroup', target: { scope: 'cluster', tenantId: 'ghost' }, group }),
    ).rejects.toMatchObject({ code: 'not_found' });
    expect(await cp.store.headPosition()).toBe(head);
  });

  it('puts every change in the audit trail under its tenant, and replays groups as of a position', async () => {
    const audit = await ask<Page<AuditEntry>>({
      type: 'ListAuditEvents',
      tenantId: 'acme',
      eventType: 'RuleGroupConfigured',
    });
    expect(audit.items.map((e) => e.actor)).toEqual(['alice@example.com', 'alice@example.com']);
    const deleted = await ask<Page<AuditEntry>>({
      type: 'ListAuditEvents',
      eventType: 'RuleGroupDeleted',
    });
    const before = await ask<ControlPlaneSnapshot>({
      type: 'ReplayControlPlane',
      position: deleted.items[0].position - 1,
    });
    expect(before.ruleGroups.map((g) => g.target.scope).sort()).toEqual([
      'cluster',
      'global',
      'namespace',
    ]);
    const now = await ask<ControlPlaneSnapshot>({
      type: 'ReplayControlPlane',
      position: await cp.store.headPosition(),
    });
    expect(now.ruleGroups.map((g) => g.target.scope).sort()).toEqual(['global', 'namespace']);
  });
});
