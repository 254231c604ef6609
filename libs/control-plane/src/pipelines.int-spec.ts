import {
  type AuditEntry,
  type ControlCommand,
  type ControlPlaneSnapshot,
  type Page,
  type PipelineSpec,
  type PipelineView,
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
const pipeline: PipelineSpec = {
  name: 'app',
  transforms: {
    json: { type: 'parse_json', inputs: ['source'] },
    nodebug: { type: 'filter', inputs: ['json'], condition: 'fields.level != "debug"' },
  },
  sinks: { out: { type: 'http', inputs: ['nodebug'], url: 'http://127.0.0.1:9/logs' } },
};

describe('log pipelines in the control plane', () => {
  let db: FreshDatabase;
  let cp: ControlPlaneStore;
  let service: ControlPlaneService;
  let requests = 0;
  const run = (command: ControlCommand) =>
    service.execute({ command, context: { ...context, requestId: `req-${++requests}` } });
  const ask = <T>(query: object) => service.query({ query, requestId: 'q' }) as Promise<T>;

  beforeAll(async () => {
    db = await freshDatabase('control_plane_pipelines');
    cp = await openControlPlaneStore({ databaseUrl: db.url, migrate: true });
    service = new ControlPlaneService(cp.dataSource, cp.store, {
      projections: new ProjectionRunner(cp.dataSource, [controlPlaneProjection]),
    });
    await run({ type: 'CreateTenant', tenantId: 'acme', displayName: 'Acme' });
    await run({ type: 'CreateTenant', tenantId: 'globex', displayName: 'Globex' });
  });
  afterAll(async () => {
    await cp.close();
    await db.drop();
  });

  it('keeps pipelines per tenant, lists them by tenant and in pages, replaces and deletes them', async () => {
    await run({ type: 'ConfigurePipeline', tenantId: 'acme', pipeline });
    await run({
      type: 'ConfigurePipeline',
      tenantId: 'acme',
      pipeline: { ...pipeline, name: 'audit' },
    });
    await run({ type: 'ConfigurePipeline', tenantId: 'globex', pipeline });
    const mine = await ask<Page<PipelineView>>({ type: 'ListPipelines', tenantId: 'acme' });
    expect(mine.items.map((v) => v.pipeline.name)).toEqual(['app', 'audit']);
    const first = await ask<Page<PipelineView>>({ type: 'ListPipelines', limit: 2 });
    const rest = await ask<Page<PipelineView>>({
      type: 'ListPipelines',
      limit: 2,
      cursor: first.nextCursor,
    });
    expect([...first.items, ...rest.items].map((v) => `${v.tenantId}/${v.pipeline.name}`)).toEqual([
      'acme/app',
      'acme/audit',
      'globex/app',
    ]);

    const changed = { ...pipeline, sinks: { out: { ...pipeline.sinks.out, inputs: ['json'] } } };
    const accepted = await run({ type: 'ConfigurePipeline', tenantId: 'acme', pipeline: changed });
    expect(accepted.version).toBe(2);
    // The same spec again changes nothing and appends nothing.
    expect(
      (await run({ type: 'ConfigurePipeline', tenantId: 'acme', pipeline: changed })).positions,
    ).toEqual([]);
    expect(
      await ask<PipelineView>({ type: 'GetPipeline', tenantId: 'acme', name: 'app' }),
    ).toMatchObject({ tenantId: 'acme', pipeline: changed, version: 2 });

    await run({ type: 'DeletePipeline', tenantId: 'acme', name: 'audit' });
    await expect(
      ask({ type: 'GetPipeline', tenantId: 'acme', name: 'audit' }),
    ).rejects.toMatchObject({ code: 'not_found' });
    await expect(
      run({ type: 'DeletePipeline', tenantId: 'acme', name: 'audit' }),
    ).rejects.toMatchObject({ code: 'not_found' });
  });

  it('refuses cycles, unknown inputs and bad patterns with the path of each, storing nothing', async () => {
    // `a` reads `b`, whose pattern is refused: only the pattern is reported, not `a`'s input.
    const head = await cp.store.headPosition();
    await expect(
      run({
        type: 'ConfigurePipeline',
        tenantId: 'acme',
        pipeline: {
          name: 'bad',
          transforms: {
            a: { type: 'parse_json', inputs: ['b'] },
            b: { type: 'parse_regex', inputs: ['a'], pattern: '(?<=x)y' },
            c: { type: 'parse_json', inputs: ['a'] },
          },
          sinks: { out: { type: 'blackhole', inputs: ['c', 'nowhere'] } },
        },
      }),
    ).rejects.toMatchObject({
      code: 'validation_failed',
      fields: [
        { path: 'pipeline.transforms.b.pattern', message: expect.any(String) as string },
        { path: 'pipeline.sinks.out.inputs.1', message: 'unknown input "nowhere"' },
      ],
    });
    await expect(
      run({
        type: 'ConfigurePipeline',
        tenantId: 'acme',
        pipeline: {
          name: 'loop',
          transforms: {
            a: { type: 'parse_json', inputs: ['b'] },
            b: { type: 'parse_json', inputs: ['a'] },
          },
          sinks: { out: { type: 'blackhole', inputs: ['a'] } },
        },
      }),
    ).rejects.toMatchObject({
      fields: [{ path: 'pipeline.transforms.a.inputs', message: 'cycle: a -> b -> a' }],
    });
    await expect(
      run({ type: 'ConfigurePipeline', tenantId: 'ghost', pipeline }),
    ).rejects.toMatchObject({ code: 'not_found' });
    expect(await cp.store.headPosition()).toBe(head);
  });

  it('audits every change under its tenant and replays pipelines as of a position', async () => {
    const audit = await ask<Page<AuditEntry>>({
      type: 'ListAuditEvents',
      tenantId: 'acme',
      eventType: 'PipelineConfigured',
    });
    expect(audit.items.map((e) => e.actor)).toEqual([
      'alice@example.com',
      'alice@example.com',
      'alice@example.com',
    ]);
    const deleted = await ask<Page<AuditEntry>>({
      type: 'ListAuditEvents',
      eventType: 'PipelineDeleted',
    });
    const before = await ask<ControlPlaneSnapshot>({
      type: 'ReplayControlPlane',
      position: deleted.items[0].position - 1,
    });
    expect(before.pipelines.map((p) => `${p.tenantId}/${p.pipeline.name}`)).toEqual([
      'acme/app',
      'acme/audit',
      'globex/app',
    ]);
    const now = await ask<ControlPlaneSnapshot>({
      type: 'ReplayControlPlane',
      position: await cp.store.headPosition(),
    });
    expect(now.pipelines.map((p) => `${p.tenantId}/${p.pipeline.name}`)).toEqual([
      'acme/app',
      'globex/app',
    ]);
  });
});
