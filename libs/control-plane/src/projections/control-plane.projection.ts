import { type QueryRunner } from 'typeorm';
import {
  type ApiKeyView,
  type PipelineView,
  type QuotaView,
  type RegisteredModelView,
  type RuleGroupView,
  type TenantView,
} from '@strata/contracts';
import { type Projection, type RecordedEvent } from '@strata/eventstore';
import {
  apiKeyViewAfter,
  type CoreControlEvent,
  isCoreControlEvent,
  isControlEvent,
  pipelineKeyOf,
  pipelineViewAfter,
  quotaViewAfter,
  ruleGroupKeyOf,
  ruleGroupViewAfter,
  tenantViewAfter,
  type StoredControlEvent,
} from '../domain/views';
import {
  isRegisteredModelEvent,
  registeredModelKeyOf,
  registeredModelViewAfter,
  type StoredModelEvent,
} from '../domain/registered-model.view';

/** Name of the projection's checkpoint. */
export const CONTROL_PLANE_PROJECTION = 'control-plane-read-models';

type Table = 'cp_tenants' | 'cp_quotas' | 'cp_api_keys';
const KEY_COLUMN: Record<Table, string> = {
  cp_tenants: 'tenant_id',
  cp_quotas: 'tenant_id',
  cp_api_keys: 'key_id',
};

/** The views a batch touches, loaded once, folded in memory and written once. */
class BatchViews {
  private readonly views: Record<Table, Map<string, unknown>> = {
    cp_tenants: new Map(),
    cp_quotas: new Map(),
    cp_api_keys: new Map(),
  };
  private readonly dirty: Record<Table, Set<string>> = {
    cp_tenants: new Set(),
    cp_quotas: new Set(),
    cp_api_keys: new Set(),
  };

  async load(q: QueryRunner, events: CoreControlEvent[]): Promise<void> {
    const tenants = new Set<string>();
    const keys = new Set<string>();
    for (const e of events) {
      if ('keyId' in e.data) keys.add(e.data.keyId);
      else tenants.add(e.data.tenantId);
    }
    for (const [table, ids] of [
      ['cp_tenants', tenants],
      ['cp_quotas', tenants],
      ['cp_api_keys', keys],
    ] as const) {
      if (ids.size === 0) continue;
      const rows: Array<{ id: string; view: unknown }> = await q.query(
        `SELECT ${KEY_COLUMN[table]} AS id, view FROM ${table} WHERE ${KEY_COLUMN[table]} = ANY($1)`,
        [[...ids]],
      );
      for (const row of rows) this.views[table].set(row.id, row.view);
    }
  }

  update<V>(table: Table, id: string, next: (view: V | null) => V | null): void {
    const view = next((this.views[table].get(id) as V | undefined) ?? null);
    if (view === null) return;
    this.views[table].set(id, view);
    this.dirty[table].add(id);
  }

  async save(q: QueryRunner): Promise<void> {
    for (const table of ['cp_tenants', 'cp_quotas', 'cp_api_keys'] as const) {
      const ids = [...this.dirty[table]];
      if (ids.length === 0) continue;
      const views = ids.map(
        (id) => this.views[table].get(id) as { status?: string; tenantId?: string },
      );
      const key = KEY_COLUMN[table];
      if (table === 'cp_tenants') {
        await q.query(
          `INSERT INTO cp_tenants (tenant_id, status, view) SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[])
           ON CONFLICT (tenant_id) DO UPDATE SET status = excluded.status, view = excluded.view`,
          [ids, views.map((v) => v.status), views.map((v) => JSON.stringify(v))],
        );
      } else if (table === 'cp_api_keys') {
        await q.query(
          `INSERT INTO cp_api_keys (key_id, tenant_id, view) SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[])
           ON CONFLICT (key_id) DO UPDATE SET view = excluded.view`,
          [ids, views.map((v) => v.tenantId), views.map((v) => JSON.stringify(v))],
        );
      } else {
        await q.query(
          `INSERT INTO ${table} (${key}, view) SELECT * FROM unnest($1::text[], $2::jsonb[]) ON CONFLICT (${key}) DO UPDATE SET view = excluded.view`,
          [ids, views.map((v) => JSON.stringify(v))],
        );
      }
    }
  }
}

/** Folds rule group events into cp_rule_groups: one row per live group, removed on deletion. */
async function applyRuleGroups(q: QueryRunner, events: StoredControlEvent[]): Promise<void> {
  const keys = [...new Set(events.map((e) => ruleGroupKeyOf(e) as string))];
  const rows: Array<{ key: string; view: RuleGroupView }> = await q.query(
    'SELECT group_key AS key, view FROM cp_rule_groups WHERE group_key = ANY($1)',
    [keys],
  );
  const views = new Map<string, RuleGroupView | null>(rows.map((r) => [r.key, r.view]));
  for (const e of events) {
    const key = ruleGroupKeyOf(e) as string;
    views.set(key, ruleGroupViewAfter(views.get(key) ?? null, e));
  }
  for (const [key, view] of views) {
    if (view === null) {
      await q.query('DELETE FROM cp_rule_groups WHERE group_key = $1', [key]);
      continue;
    }
    const t = view.target;
    await q.query(
      `INSERT INTO cp_rule_groups (group_key, scope, tenant_id, namespace, name, view) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (group_key) DO UPDATE SET view = excluded.view`,
      [
        key,
        t.scope,
        'tenantId' in t ? t.tenantId : null,
        t.scope === 'namespace' ? t.namespace : null,
        view.group.name,
        JSON.stringify(view),
      ],
    );
  }
}

/** Folds registered model events into cp_registered_models: one row per live model. */
async function applyRegisteredModels(q: QueryRunner, events: StoredModelEvent[]): Promise<void> {
  const views = new Map<string, RegisteredModelView | null>();
  for (const e of events) {
    const key = registeredModelKeyOf(e);
    if (!views.has(key)) {
      const [row]: Array<{ view: RegisteredModelView }> = await q.query(
        'SELECT view FROM cp_registered_models WHERE tenant_id = $1 AND name = $2',
        [e.data.tenantId, e.data.name],
      );
      views.set(key, row?.view ?? null);
    }
    views.set(key, registeredModelViewAfter(views.get(key) ?? null, e));
  }
  for (const [key, view] of views) {
    const [tenantId, name] = JSON.parse(key) as [string, string];
    if (view === null)
      await q.query('DELETE FROM cp_registered_models WHERE tenant_id = $1 AND name = $2', [
        tenantId,
        name,
      ]);
    else
      await q.query(
        `INSERT INTO cp_registered_models (tenant_id, name, view) VALUES ($1, $2, $3)
         ON CONFLICT (tenant_id, name) DO UPDATE SET view = excluded.view`,
        [tenantId, name, JSON.stringify(view)],
      );
  }
}

/** Folds pipeline events into cp_pipelines: one row per live pipeline, removed on deletion. */
async function applyPipelines(q: QueryRunner, events: StoredControlEvent[]): Promise<void> {
  const keys = [...new Set(events.map((e) => pipelineKeyOf(e) as string))];
  const rows: Array<{ key: string; view: PipelineView }> = await q.query(
    'SELECT pipeline_key AS key, view FROM cp_pipelines WHERE pipeline_key = ANY($1)',
    [keys],
  );
  const views = new Map<string, PipelineView | null>(rows.map((r) => [r.key, r.view]));
  for (const e of events) {
    const key = pipelineKeyOf(e) as string;
    views.set(key, pipelineViewAfter(views.get(key) ?? null, e));
  }
  for (const [key, view] of views) {
    if (view === null) {
      await q.query('DELETE FROM cp_pipelines WHERE pipeline_key = $1', [key]);
      continue;
    }
    await q.query(
      `INSERT INTO cp_pipelines (pipeline_key, tenant_id, name, view) VALUES ($1, $2, $3, $4)
       ON CONFLICT (pipeline_key) DO UPDATE SET view = excluded.view`,
      [key, view.tenantId, view.pipeline.name, JSON.stringify(view)],
    );
  }
}

async function applyBatch(q: QueryRunner, recorded: RecordedEvent[]): Promise<void> {
  const controlEvents = (recorded as unknown as StoredControlEvent[]).filter(isControlEvent);
  const modelEvents = controlEvents.filter(isRegisteredModelEvent);
  if (modelEvents.length > 0) await applyRegisteredModels(q, modelEvents);
  const all = controlEvents.filter((e) => !isRegisteredModelEvent(e));
  const ruleGroupEvents = all.filter((e) => ruleGroupKeyOf(e) !== null);
  if (ruleGroupEvents.length > 0) await applyRuleGroups(q, ruleGroupEvents);
  const pipelineEvents = all.filter((e) => pipelineKeyOf(e) !== null);
  if (pipelineEvents.length > 0) await applyPipelines(q, pipelineEvents);
  // Event rule sets have a projection of their own; series deletions and Alertmanager
  // configurations none (their state is in the bucket, or their short stream is read whole).
  const events = all.filter(isCoreControlEvent);
  if (events.length === 0) return;
  const views = new BatchViews();
  await views.load(q, events);
  for (const e of events) {
    if ('keyId' in e.data) {
      views.update<ApiKeyView>('cp_api_keys', e.data.keyId, (v) => apiKeyViewAfter(v, e));
    } else {
      views.update<TenantView>('cp_tenants', e.data.tenantId, (v) => tenantViewAfter(v, e));
      views.update<QuotaView>('cp_quotas', e.data.tenantId, (v) => quotaViewAfter(v, e));
    }
  }
  await views.save(q);
}

/** Keeps cp_tenants, cp_quotas, cp_api_keys, cp_rule_groups, cp_registered_models and cp_pipelines equal to the fold of the views over the log. */
export const controlPlaneProjection: Projection = {
  name: CONTROL_PLANE_PROJECTION,
  tables: [
    'cp_tenants',
    'cp_quotas',
    'cp_api_keys',
    'cp_rule_groups',
    'cp_registered_models',
    'cp_pipelines',
  ],
  apply: (q, event) => applyBatch(q, [event]),
  applyBatch,
};
