import { maskSecrets, splitLegacyConfig } from '@strata/alertmanager';
import {
  type ApiKeyEvent,
  type QuotaEvent,
  type TenantEvent,
  DEFAULT_QUOTA,
  maskPipelineSecrets,
  maskRegistryWebhook,
  ruleGroupKey,
  type AlertmanagerConfigView,
  type ApiKeyView,
  type ControlEvent,
  type ControlPlaneSnapshot,
  type EventRuleSetView,
  type PipelineView,
  type QuotaView,
  type RegisteredModelView,
  type RegistryWebhookView,
  type RuleGroupView,
  type SeriesDeletionView,
  type TenantView,
} from '@strata/contracts';
import {
  isRegisteredModelEvent,
  REGISTERED_MODEL_EVENT_TYPES,
  registeredModelKeyOf,
  registeredModelViewAfter,
} from './registered-model.view';

const TYPES: Record<ControlEvent['type'], true> = {
  TenantCreated: true,
  TenantRenamed: true,
  TenantSuspended: true,
  TenantResumed: true,
  TenantDeleted: true,
  QuotaSet: true,
  ApiKeyIssued: true,
  ApiKeyRevoked: true,
  RuleGroupConfigured: true,
  RuleGroupDeleted: true,
  EventRuleSetConfigured: true,
  EventRuleSetDeleted: true,
  PipelineConfigured: true,
  PipelineDeleted: true,
  ...REGISTERED_MODEL_EVENT_TYPES,
  SeriesDeletionRequested: true,
  AlertmanagerConfigured: true,
  AlertmanagerConfigDeleted: true,
  RegistryWebhookSet: true,
  RegistryWebhookDeleted: true,
};

/** True for the event types of the control-plane aggregates (the log also holds other aggregates'). */
export function isControlEvent<E extends { type: string }>(event: E): boolean {
  return Object.prototype.hasOwnProperty.call(TYPES, event.type);
}

/** A control-plane event with where and when it was recorded. */
export type StoredControlEvent = ControlEvent & {
  position: number;
  version: number;
  recordedAt: string;
  /** Who asked, as the store records it (absent in folds that need no actor). */
  metadata?: { actor?: string };
};

/** The events the tenant, quota and API key views fold; every other aggregate keeps views of its own. */
export type CoreControlEvent = Extract<
  StoredControlEvent,
  { type: TenantEvent['type'] | QuotaEvent['type'] | ApiKeyEvent['type'] }
>;

const CORE_TYPES: Record<CoreControlEvent['type'], true> = {
  TenantCreated: true,
  TenantRenamed: true,
  TenantSuspended: true,
  TenantResumed: true,
  TenantDeleted: true,
  QuotaSet: true,
  ApiKeyIssued: true,
  ApiKeyRevoked: true,
};

/** True for the events of tenants, quotas and API keys. */
export function isCoreControlEvent(e: StoredControlEvent): e is CoreControlEvent {
  return Object.prototype.hasOwnProperty.call(CORE_TYPES, e.type);
}

/** A tenant's view after one of its events. */
export function tenantViewAfter(view: TenantView | null, e: CoreControlEvent): TenantView | null {
  const base = view && { ...view, version: e.version, updatedAt: e.recordedAt };
  switch (e.type) {
    case 'TenantCreated':
      return {
        tenantId: e.data.tenantId,
        displayName: e.data.displayName,
        status: 'active',
        suspendedReason: null,
        version: e.version,
        createdAt: e.recordedAt,
        updatedAt: e.recordedAt,
      };
    case 'TenantRenamed':
      return base && { ...base, displayName: e.data.displayName };
    case 'TenantSuspended':
      return base && { ...base, status: 'suspended', suspendedReason: e.data.reason };
    case 'TenantResumed':
      return base && { ...base, status: 'active', suspendedReason: null };
    case 'TenantDeleted':
      return base && { ...base, status: 'deleted' };
    case 'QuotaSet':
    case 'ApiKeyIssued':
    case 'ApiKeyRevoked':
      return view;
  }
}

/** A quota's view after one event; a created tenant starts on the default quota at version 0. */
export function quotaViewAfter(view: QuotaView | null, e: CoreControlEvent): QuotaView | null {
  switch (e.type) {
    case 'TenantCreated':
      return (
        view ?? {
          tenantId: e.data.tenantId,
          quota: { ...DEFAULT_QUOTA },
          version: 0,
          updatedAt: e.recordedAt,
        }
      );
    case 'QuotaSet':
      return {
        tenantId: e.data.tenantId,
        quota: { ...DEFAULT_QUOTA, ...e.data.quota },
        version: e.version,
        updatedAt: e.recordedAt,
      };
    case 'TenantRenamed':
    case 'TenantSuspended':
    case 'TenantResumed':
    case 'TenantDeleted':
    case 'ApiKeyIssued':
    case 'ApiKeyRevoked':
      return view;
  }
}

/** An API key's view (never its hash) after one event. */
export function apiKeyViewAfter(view: ApiKeyView | null, e: CoreControlEvent): ApiKeyView | null {
  switch (e.type) {
    case 'ApiKeyIssued': {
      const { keyId, tenantId, name, scopes, expiresAt } = e.data;
      return {
        keyId,
        tenantId,
        name,
        scopes,
        status: 'active',
        expiresAt,
        createdAt: e.recordedAt,
        revokedAt: null,
        version: e.version,
      };
    }
    case 'ApiKeyRevoked':
      return view && { ...view, status: 'revoked', revokedAt: e.recordedAt, version: e.version };
    case 'TenantCreated':
    case 'TenantRenamed':
    case 'TenantSuspended':
    case 'TenantResumed':
    case 'TenantDeleted':
    case 'QuotaSet':
      return view;
  }
}

/** A rule group's view after one of its events; null once deleted. */
export function ruleGroupViewAfter(
  view: RuleGroupView | null,
  e: StoredControlEvent,
): RuleGroupView | null {
  if (e.type === 'RuleGroupDeleted') return null;
  if (e.type !== 'RuleGroupConfigured') return view;
  return {
    target: e.data.target,
    group: e.data.group,
    version: e.version,
    createdAt: view?.createdAt ?? e.recordedAt,
    updatedAt: e.recordedAt,
  };
}

/** The key of the rule group an event is about, or null for other events. */
export function ruleGroupKeyOf(e: StoredControlEvent): string | null {
  if (e.type === 'RuleGroupConfigured') return ruleGroupKey(e.data.target, e.data.group.name);
  if (e.type === 'RuleGroupDeleted') return ruleGroupKey(e.data.target, e.data.name);
  return null;
}

/** A stored event rule set's view after one of its events; null once deleted. */
export function eventRuleSetViewAfter(
  view: EventRuleSetView | null,
  e: StoredControlEvent,
): EventRuleSetView | null {
  if (e.type === 'EventRuleSetDeleted') return null;
  if (e.type !== 'EventRuleSetConfigured') return view;
  return {
    tenantId: e.data.tenantId,
    name: e.data.name,
    cluster: e.data.cluster,
    spec: e.data.spec,
    version: e.version,
    origin: 'tenant',
    createdAt: view?.createdAt ?? e.recordedAt,
    updatedAt: e.recordedAt,
  };
}

/** The key (tenant and name) of the event rule set an event is about, or null for other events. */
export function eventRuleSetKeyOf(e: StoredControlEvent): string | null {
  if (e.type === 'EventRuleSetConfigured' || e.type === 'EventRuleSetDeleted')
    return `${e.data.tenantId}.${e.data.name}`;
  return null;
}

/** A log pipeline's view after one of its events; null once deleted. */
export function pipelineViewAfter(
  view: PipelineView | null,
  e: StoredControlEvent,
): PipelineView | null {
  if (e.type === 'PipelineDeleted') return null;
  if (e.type !== 'PipelineConfigured') return view;
  return {
    tenantId: e.data.tenantId,
    pipeline: e.data.pipeline,
    version: e.version,
    createdAt: view?.createdAt ?? e.recordedAt,
    updatedAt: e.recordedAt,
  };
}

/** The `<tenant>/<name>` key of the pipeline an event is about, or null for other events. */
export function pipelineKeyOf(e: StoredControlEvent): string | null {
  if (e.type === 'PipelineConfigured') return `${e.data.tenantId}/${e.data.pipeline.name}`;
  if (e.type === 'PipelineDeleted') return `${e.data.tenantId}/${e.data.name}`;
  return null;
}

/** The key (tenant and request id) of the series deletion an event is about, or null for other events. */
export function seriesDeletionKeyOf(e: StoredControlEvent): string | null {
  return e.type === 'SeriesDeletionRequested' ? `${e.data.tenantId}.${e.data.requestId}` : null;
}

/** A series deletion request's view, with who asked (the event's actor). */
export function seriesDeletionView(
  e: Extract<StoredControlEvent, { type: 'SeriesDeletionRequested' }>,
): SeriesDeletionView {
  return { ...e.data, requestedBy: e.metadata?.actor ?? '', requestedAt: e.recordedAt };
}

/** A tenant's Alertmanager configuration after one of its events; null once deleted. */
export function alertmanagerConfigViewAfter(
  view: AlertmanagerConfigView | null,
  e: StoredControlEvent,
): AlertmanagerConfigView | null {
  if (e.type === 'AlertmanagerConfigDeleted') return null;
  if (e.type !== 'AlertmanagerConfigured') return view;
  // Earlier builds kept Strata's extensions inside the Alertmanager YAML: read them moved out.
  const split = splitLegacyConfig(e.data.alertmanagerConfig, e.data.notificationManager);
  return {
    tenantId: e.data.tenantId,
    alertmanagerConfig: split.alertmanagerConfig,
    templateFiles: e.data.templateFiles,
    ...(split.notificationManager !== '' ? { notificationManager: split.notificationManager } : {}),
    version: e.version,
    updatedAt: e.recordedAt,
  };
}

/** The whole control plane as maps of views: what replay folds the log into. */
export interface ControlPlaneViews {
  tenants: Map<string, TenantView>;
  quotas: Map<string, QuotaView>;
  apiKeys: Map<string, ApiKeyView>;
  ruleGroups: Map<string, RuleGroupView>;
  eventRuleSets: Map<string, EventRuleSetView>;
  registeredModels: Map<string, RegisteredModelView>;
  pipelines: Map<string, PipelineView>;
  seriesDeletions: Map<string, SeriesDeletionView>;
  alertmanagerConfigs: Map<string, AlertmanagerConfigView>;
  /** By `<tenant>/<name>`. */
  registryWebhooks: Map<string, RegistryWebhookView>;
}

function put<V>(map: Map<string, V>, key: string, value: V | null): void {
  if (value === null) map.delete(key);
  else map.set(key, value);
}

/** Folds the control plane's events (it mutates and returns `views`, since replays fold millions). */
export const controlPlaneFold = {
  initialState: (): ControlPlaneViews => ({
    tenants: new Map(),
    quotas: new Map(),
    apiKeys: new Map(),
    ruleGroups: new Map(),
    eventRuleSets: new Map(),
    registeredModels: new Map(),
    pipelines: new Map(),
    seriesDeletions: new Map(),
    alertmanagerConfigs: new Map(),
    registryWebhooks: new Map(),
  }),
  evolve(views: ControlPlaneViews, e: StoredControlEvent): ControlPlaneViews {
    if (!isControlEvent(e)) return views;
    if (isRegisteredModelEvent(e)) {
      const key = registeredModelKeyOf(e);
      put(
        views.registeredModels,
        key,
        registeredModelViewAfter(views.registeredModels.get(key) ?? null, e),
      );
      return views;
    }
    if (isCoreControlEvent(e)) {
      if ('keyId' in e.data) {
        const id = e.data.keyId;
        put(views.apiKeys, id, apiKeyViewAfter(views.apiKeys.get(id) ?? null, e));
      } else {
        const id = e.data.tenantId;
        put(views.tenants, id, tenantViewAfter(views.tenants.get(id) ?? null, e));
        put(views.quotas, id, quotaViewAfter(views.quotas.get(id) ?? null, e));
      }
    } else if (e.type.startsWith('Pipeline')) {
      const key = pipelineKeyOf(e) as string;
      put(views.pipelines, key, pipelineViewAfter(views.pipelines.get(key) ?? null, e));
    } else if (e.type.startsWith('Alertmanager')) {
      const id = (e.data as { tenantId: string }).tenantId;
      put(
        views.alertmanagerConfigs,
        id,
        alertmanagerConfigViewAfter(views.alertmanagerConfigs.get(id) ?? null, e),
      );
    } else if (e.type === 'RegistryWebhookSet' || e.type === 'RegistryWebhookDeleted') {
      const name = e.type === 'RegistryWebhookSet' ? e.data.webhook.name : e.data.name;
      const key = `${e.data.tenantId}/${name}`;
      if (e.type === 'RegistryWebhookDeleted') views.registryWebhooks.delete(key);
      else
        views.registryWebhooks.set(key, {
          ...e.data.webhook,
          tenantId: e.data.tenantId,
          updatedAt: e.recordedAt,
        });
    } else if (e.type === 'SeriesDeletionRequested') {
      views.seriesDeletions.set(seriesDeletionKeyOf(e) as string, seriesDeletionView(e));
    } else if (e.type.startsWith('EventRuleSet')) {
      const key = eventRuleSetKeyOf(e) as string;
      put(views.eventRuleSets, key, eventRuleSetViewAfter(views.eventRuleSets.get(key) ?? null, e));
    } else {
      const key = ruleGroupKeyOf(e);
      if (key !== null)
        put(views.ruleGroups, key, ruleGroupViewAfter(views.ruleGroups.get(key) ?? null, e));
    }
    return views;
  },
};

/** The snapshot shape of folded views, tenants sorted by id and keys by id. */
export function toSnapshot(
  views: ControlPlaneViews,
  asOfPosition: number,
  asOfTime: string | null,
): ControlPlaneSnapshot {
  const keys = [...views.apiKeys.values()].sort((a, b) => a.keyId.localeCompare(b.keyId));
  return {
    asOfPosition,
    asOfTime,
    tenants: [...views.tenants.values()]
      .sort((a, b) => a.tenantId.localeCompare(b.tenantId))
      .map((t) => ({
        ...t,
        quota: views.quotas.get(t.tenantId)?.quota ?? { ...DEFAULT_QUOTA },
        apiKeys: keys.filter((k) => k.tenantId === t.tenantId),
      })),
    ruleGroups: valuesByKey(views.ruleGroups),
    eventRuleSets: valuesByKey(views.eventRuleSets),
    ...(views.registeredModels.size > 0
      ? { registeredModels: valuesByKey(views.registeredModels) }
      : {}),
    pipelines: valuesByKey(views.pipelines).map((v) => ({
      ...v,
      pipeline: maskPipelineSecrets(v.pipeline),
    })),
    ...(views.registryWebhooks.size > 0
      ? { registryWebhooks: valuesByKey(views.registryWebhooks).map(maskRegistryWebhook) }
      : {}),
    ...(views.seriesDeletions.size > 0
      ? { seriesDeletions: valuesByKey(views.seriesDeletions) }
      : {}),
    alertmanagerConfigs: valuesByKey(views.alertmanagerConfigs).map((c) => ({
      ...c,
      alertmanagerConfig: maskSecrets(c.alertmanagerConfig),
      ...(c.notificationManager !== undefined
        ? { notificationManager: maskSecrets(c.notificationManager) }
        : {}),
    })),
  };
}

/** A map's values in key order (code-unit order, as the read models' primary keys sort). */
function valuesByKey<V>(map: Map<string, V>): V[] {
  return [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
}
