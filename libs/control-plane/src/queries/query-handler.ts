import { type DataSource } from 'typeorm';
import { maskSecrets } from '@strata/alertmanager';
import {
  DEFAULT_QUOTA,
  maskPipelineSecrets,
  maskRegistryWebhook,
  StrataError,
  type AlertmanagerConfigView,
  type ApiKeyView,
  type AuditEntry,
  type ControlQuery,
  type Page,
  type QuotaView,
  type ModelPermissionsEntry,
  type RegisteredModelView,
  type PipelineSpec,
  type PipelineView,
  type RegistryWebhookEventRecord,
  type RegistryWebhookSpec,
  type RegistryWebhookView,
  type RuleGroupView,
  type TenantView,
  ruleGroupKey,
} from '@strata/contracts';
import { searchEvents, type EventStore, type RecordedEvent } from '@strata/eventstore';
import { alertmanagerConfigViewAfter, type StoredControlEvent } from '../domain/views';
import { registryWebhookDecider } from '../domain/registry-webhook.decider';
import { foldEvents } from '../domain/decider';
import { StreamIds } from '../domain/streams';
import { replayControlPlane } from '../replay';
import { type ApiKeyAuthenticator } from './authenticate-api-key';
import { decodeCursor, encodeCursor } from './cursor';
import { getEventRuleSet, listEventRuleSets } from './event-rule-sets.query';

/** Answers every ControlQuery from the read models, the log, or a replay of the log. */
export class ControlPlaneQueryHandler {
  constructor(
    private readonly dataSource: DataSource,
    private readonly store: EventStore,
    private readonly authenticator: ApiKeyAuthenticator,
  ) {}

  /** The answer to one validated query. */
  async handle(query: ControlQuery): Promise<unknown> {
    switch (query.type) {
      case 'GetTenant': {
        const [row]: Array<{ view: TenantView }> = await this.dataSource.query(
          'SELECT view FROM cp_tenants WHERE tenant_id = $1',
          [query.tenantId],
        );
        if (!row) throw new StrataError('not_found', `tenant ${query.tenantId} does not exist`);
        return row.view;
      }
      case 'ListTenants': {
        const after = decodeCursor<string>(query.cursor, 'string') ?? '';
        const rows: Array<{ view: TenantView }> = await this.dataSource.query(
          `SELECT view FROM cp_tenants WHERE tenant_id > $1 AND ($2 OR status <> 'deleted') ORDER BY tenant_id LIMIT $3`,
          [after, query.includeDeleted, query.limit + 1],
        );
        return page(
          rows.map((r) => r.view),
          query.limit,
          (t) => t.tenantId,
        );
      }
      case 'GetQuota': {
        const [row]: Array<{ view: QuotaView }> = await this.dataSource.query(
          `SELECT q.view FROM cp_quotas q JOIN cp_tenants t USING (tenant_id) WHERE tenant_id = $1 AND t.status <> 'deleted'`,
          [query.tenantId],
        );
        if (!row) throw new StrataError('not_found', `tenant ${query.tenantId} does not exist`);
        return { ...row.view, quota: { ...DEFAULT_QUOTA, ...row.view.quota } };
      }
      case 'ListApiKeys': {
        const after = decodeCursor<string>(query.cursor, 'string') ?? '';
        const rows: Array<{ view: ApiKeyView }> = await this.dataSource.query(
          'SELECT view FROM cp_api_keys WHERE tenant_id = $1 AND key_id > $2 ORDER BY key_id LIMIT $3',
          [query.tenantId, after, query.limit + 1],
        );
        return page(
          rows.map((r) => r.view),
          query.limit,
          (k) => k.keyId,
        );
      }
      case 'GetApiKey': {
        const [row]: Array<{ view: ApiKeyView }> = await this.dataSource.query(
          'SELECT view FROM cp_api_keys WHERE key_id = $1',
          [query.keyId],
        );
        if (!row) throw new StrataError('not_found', `API key ${query.keyId} does not exist`);
        return row.view;
      }
      case 'AuthenticateApiKey':
        return this.authenticator.authenticate(query.secret);
      case 'ListAuditEvents': {
        const events = await searchEvents(this.dataSource, {
          tenant: query.tenantId,
          actor: query.actor,
          type: query.eventType,
          from: query.from,
          to: query.to,
          afterPosition: decodeCursor<number>(query.cursor, 'number'),
          limit: query.limit + 1,
        });
        return page(events.map(toAuditEntry), query.limit, (e) => e.position);
      }
      case 'ReplayControlPlane': {
        return replayControlPlane(
          this.store,
          query.position !== undefined
            ? { position: query.position }
            : { at: query.at ?? new Date().toISOString() },
        );
      }
      case 'VerifyAuditChain':
        return this.store.verifyChain();
      case 'GetRuleGroup': {
        const [row]: Array<{ view: RuleGroupView }> = await this.dataSource.query(
          'SELECT view FROM cp_rule_groups WHERE group_key = $1',
          [ruleGroupKey(query.target, query.name)],
        );
        if (!row)
          throw new StrataError(
            'not_found',
            `rule group ${JSON.stringify(query.name)} does not exist`,
          );
        return row.view;
      }
      case 'ListRuleGroups': {
        const after = decodeCursor<string>(query.cursor, 'string') ?? '';
        // Groups of deleted tenants stay in the log but are no longer listed (nor evaluated).
        const rows: Array<{ view: RuleGroupView; key: string }> = await this.dataSource.query(
          `SELECT g.group_key AS key, g.view FROM cp_rule_groups g LEFT JOIN cp_tenants t USING (tenant_id)
           WHERE g.group_key > $1 AND (g.tenant_id IS NULL OR t.status <> 'deleted')
             AND ($2::text IS NULL OR g.tenant_id = $2) AND ($3::text IS NULL OR g.scope = $3) AND ($4::text IS NULL OR g.namespace = $4)
           ORDER BY g.group_key LIMIT $5`,
          [
            after,
            query.tenantId ?? null,
            query.scope ?? null,
            query.namespace ?? null,
            query.limit + 1,
          ],
        );
        const items = rows.slice(0, query.limit);
        return {
          items: items.map((r) => r.view),
          nextCursor: rows.length > query.limit ? encodeCursor(items[items.length - 1].key) : null,
        };
      }
      case 'GetEventRuleSet':
        return getEventRuleSet(this.dataSource, query.tenantId, query.name);
      case 'ListEventRuleSets':
        return listEventRuleSets(this.dataSource, query);
      case 'GetRegisteredModel': {
        const [row]: Array<{ view: RegisteredModelView }> = await this.dataSource.query(
          'SELECT view FROM cp_registered_models WHERE tenant_id = $1 AND name = $2',
          [query.tenantId, query.name],
        );
        if (!row)
          throw new StrataError(
            'not_found',
            `registered model ${JSON.stringify(query.name)} does not exist`,
          );
        return row.view;
      }
      case 'SearchRegisteredModels': {
        const after = decodeCursor<string>(query.cursor, 'string') ?? '';
        const rows: Array<{ view: RegisteredModelView }> = await this.dataSource.query(
          `SELECT view FROM cp_registered_models
           WHERE tenant_id = $1 AND name > $2
             AND ($3::text IS NULL OR strpos(lower(name), lower($3)) > 0)
             AND ($4::text IS NULL OR view->'tags' ? $4)
             AND ($5::text IS NULL OR view->'tags'->>$4 = $5)
           ORDER BY name LIMIT $6`,
          [
            query.tenantId,
            after,
            query.nameContains ?? null,
            query.tagKey ?? null,
            query.tagValue ?? null,
            query.limit + 1,
          ],
        );
        return page(
          rows.map((r) => r.view),
          query.limit,
          (m) => m.name,
        );
      }
      case 'ListModelPermissions': {
        const rows: ModelPermissionsEntry[] = await this.dataSource.query(
          `SELECT name, view->'permissions' AS permissions,
             COALESCE((SELECT jsonb_agg(DISTINCT (v->'artifact'->>'repo') || '/' || (v->'artifact'->>'name'))
                       FROM jsonb_array_elements(view->'versions') v
                       WHERE v ? 'artifact'), '[]'::jsonb) AS artifacts
           FROM cp_registered_models
           WHERE tenant_id = $1 AND view->'permissions' <> '{}'::jsonb
           ORDER BY name`,
          [query.tenantId],
        );
        return rows;
      }
      case 'GetPipeline': {
        const [row]: Array<{ view: PipelineView }> = await this.dataSource.query(
          'SELECT view FROM cp_pipelines WHERE pipeline_key = $1',
          [`${query.tenantId}/${query.name}`],
        );
        if (!row)
          throw new StrataError(
            'not_found',
            `log pipeline ${JSON.stringify(query.name)} does not exist`,
          );
        return row.view;
      }
      case 'ListPipelines': {
        const after = decodeCursor<string>(query.cursor, 'string') ?? '';
        // Pipelines of deleted tenants stay in the log but no longer run.
        const rows: Array<{ view: PipelineView; key: string }> = await this.dataSource.query(
          `SELECT p.pipeline_key AS key, p.view FROM cp_pipelines p JOIN cp_tenants t USING (tenant_id)
           WHERE p.pipeline_key > $1 AND t.status <> 'deleted' AND ($2::text IS NULL OR p.tenant_id = $2)
           ORDER BY p.pipeline_key LIMIT $3`,
          [after, query.tenantId ?? null, query.limit + 1],
        );
        const items = rows.slice(0, query.limit);
        return {
          items: items.map((r) => r.view),
          nextCursor: rows.length > query.limit ? encodeCursor(items[items.length - 1].key) : null,
        };
      }
      case 'ListRegistryWebhooks': {
        // One short stream per tenant, read whole: a delivery sees the subscription set before it.
        const events = await this.store.readStream(StreamIds.registryWebhooks(query.tenantId));
        const state = foldEvents(
          registryWebhookDecider,
          events as unknown as RegistryWebhookEventRecord[],
        );
        const updatedAt = new Map<string, string>();
        for (const e of events as unknown as StoredControlEvent[])
          if (e.type === 'RegistryWebhookSet') updatedAt.set(e.data.webhook.name, e.recordedAt);
        return [...state.webhooks.values()]
          .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
          .map((w): RegistryWebhookView => ({
            ...w,
            tenantId: query.tenantId,
            updatedAt: updatedAt.get(w.name) ?? '',
          }));
      }
      case 'GetAlertmanagerConfig': {
        // One short stream per tenant, read whole: the notification service reads its own writes.
        const events = await this.store.readStream(StreamIds.alertmanager(query.tenantId));
        const view = (
          events as unknown as StoredControlEvent[]
        ).reduce<AlertmanagerConfigView | null>(alertmanagerConfigViewAfter, null);
        if (view === null)
          throw new StrataError('not_found', 'the tenant has no Alertmanager configuration');
        return view;
      }
    }
  }
}

function page<T>(rows: T[], limit: number, key: (item: T) => string | number): Page<T> {
  const items = rows.slice(0, limit);
  return {
    items,
    nextCursor: rows.length > limit ? encodeCursor(key(items[items.length - 1])) : null,
  };
}

/** An event as the audit trail shows it. */
export function toAuditEntry(e: RecordedEvent): AuditEntry {
  return {
    position: e.position,
    streamId: e.streamId,
    version: e.version,
    type: e.type,
    // The audit trail shows what changed, never a receiver's or a sink's credentials.
    data: maskedData(e),
    tenantId: e.metadata.tenant,
    actor: e.metadata.actor,
    actorKind: e.metadata.actorKind,
    sourceAddress: e.metadata.sourceAddress,
    requestId: e.metadata.requestId,
    recordedAt: e.recordedAt,
    hash: e.hash,
  };
}

function maskedData(e: RecordedEvent): unknown {
  if (e.type === 'AlertmanagerConfigured') {
    const data = e.data as AlertmanagerConfigView;
    return {
      ...data,
      alertmanagerConfig: maskSecrets(data.alertmanagerConfig),
      ...(data.notificationManager !== undefined
        ? { notificationManager: maskSecrets(data.notificationManager) }
        : {}),
    };
  }
  if (e.type === 'RegistryWebhookSet') {
    const data = e.data as { tenantId: string; webhook: RegistryWebhookSpec };
    return { ...data, webhook: maskRegistryWebhook(data.webhook) };
  }
  if (e.type === 'PipelineConfigured') {
    const data = e.data as { tenantId: string; pipeline: PipelineSpec };
    return { ...data, pipeline: maskPipelineSecrets(data.pipeline) };
  }
  return e.data;
}
