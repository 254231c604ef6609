import { type AlertmanagerConfigView } from './alertmanager-configs';
import { type ApiKeyScope } from './ids';
import { type QuotaSpec } from './quota';
import { type PipelineView } from '../logs/pipeline-spec';
import { type ModelPermissionsEntry } from './model-permissions';
import { type RegisteredModelView } from './registered-models';
import { type RegistryWebhookView } from './registry-webhooks';
import { type RuleGroupView } from './rule-groups';
import { type SeriesDeletionView } from './series-deletions';
import { type EventRuleSetView } from '../events/rule-sets';

/** Lifecycle of a tenant; `deleted` is a tombstone, its id can never be reused. */
export type TenantStatus = 'active' | 'suspended' | 'deleted';

/** A tenant as the API shows it. */
export interface TenantView {
  tenantId: string;
  displayName: string;
  status: TenantStatus;
  suspendedReason: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** A tenant's effective quota. */
export interface QuotaView {
  tenantId: string;
  quota: QuotaSpec;
  version: number;
  updatedAt: string;
}

/** An API key without its secret. */
export interface ApiKeyView {
  keyId: string;
  tenantId: string;
  name: string;
  scopes: ApiKeyScope[];
  status: 'active' | 'revoked';
  expiresAt: string | null;
  createdAt: string;
  revokedAt: string | null;
  version: number;
}

/** One entry of the audit trail: an event with who, when and from where. */
export interface AuditEntry {
  position: number;
  streamId: string;
  version: number;
  type: string;
  data: unknown;
  tenantId: string | null;
  actor: string;
  actorKind: string;
  sourceAddress: string;
  requestId: string;
  recordedAt: string;
  hash: string;
}

/** A page of results with an opaque cursor for the next one. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** The whole control plane as of a position. */
export interface ControlPlaneSnapshot {
  asOfPosition: number;
  asOfTime: string | null;
  tenants: Array<TenantView & { quota: QuotaSpec; apiKeys: ApiKeyView[] }>;
  /** Every rule group of every scope, in key order. */
  ruleGroups: RuleGroupView[];
  /** Every stored event rule set, by tenant and name. */
  eventRuleSets: EventRuleSetView[];
  /** Registered models of every tenant by tenant and name; absent while there are none. */
  registeredModels?: RegisteredModelView[];
  /** Secrets masked; absent when no tenant has one. */
  registryWebhooks?: RegistryWebhookView[];
  /** Every log pipeline, by tenant then name. */
  pipelines: PipelineView[];
  /** Recorded series deletion requests by tenant and request id (progress is in the bucket); absent while there are none. */
  seriesDeletions?: SeriesDeletionView[];
  /** Every tenant's Alertmanager configuration, by tenant id, credentials masked. */
  alertmanagerConfigs: AlertmanagerConfigView[];
}

/** Result of walking the hash chain. */
export interface ChainVerification {
  ok: boolean;
  checkedEvents: number;
  lastPosition: number;
  /** The first position whose stored hash does not match its content or its predecessor. */
  brokenAt: number | null;
  reason: string | null;
}

/** What the gateway learns when it checks a presented API key. */
export interface ApiKeyPrincipal {
  keyId: string;
  tenantId: string;
  scopes: ApiKeyScope[];
  tenantStatus: TenantStatus;
  /** When the key stops working (ISO 8601), so a cache keeps it no longer; null or absent: never. */
  expiresAt?: string | null;
}

/** The reply type of each control-plane query, by query type. */
export interface ControlQueryResults {
  GetTenant: TenantView;
  ListTenants: Page<TenantView>;
  GetQuota: QuotaView;
  ListApiKeys: Page<ApiKeyView>;
  GetApiKey: ApiKeyView;
  AuthenticateApiKey: ApiKeyPrincipal;
  ListAuditEvents: Page<AuditEntry>;
  ReplayControlPlane: ControlPlaneSnapshot;
  VerifyAuditChain: ChainVerification;
  GetRuleGroup: RuleGroupView;
  ListRuleGroups: Page<RuleGroupView>;
  GetEventRuleSet: EventRuleSetView;
  ListEventRuleSets: Page<EventRuleSetView>;
  GetRegisteredModel: RegisteredModelView;
  SearchRegisteredModels: Page<RegisteredModelView>;
  ListModelPermissions: ModelPermissionsEntry[];
  GetPipeline: PipelineView;
  ListPipelines: Page<PipelineView>;
  GetAlertmanagerConfig: AlertmanagerConfigView;
  ListRegistryWebhooks: RegistryWebhookView[];
}
