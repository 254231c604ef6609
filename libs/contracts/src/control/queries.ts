import { z } from 'zod';
import { ApiKeyId, TenantId } from './ids';
import { PipelineComponentId } from '../logs/pipeline-spec';
import { RegisteredModelName } from './registered-models';
import { RuleGroupSpec, RuleGroupTarget, RuleNamespace } from './rule-groups';
import { RuleSetName } from '../events/rule-sets';

const limit = z.number().int().min(1).max(1000).default(100);
const cursor = z.string().max(200).optional();
const instant = z.string().datetime({ offset: true });

/** Queries the control plane answers, as a discriminated union on `type`. */
export const ControlQuery = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('GetTenant'), tenantId: TenantId }).strict(),
    z
      .object({
        type: z.literal('ListTenants'),
        includeDeleted: z.boolean().default(false),
        cursor,
        limit,
      })
      .strict(),
    z.object({ type: z.literal('GetQuota'), tenantId: TenantId }).strict(),
    z.object({ type: z.literal('ListApiKeys'), tenantId: TenantId, cursor, limit }).strict(),
    z.object({ type: z.literal('GetApiKey'), keyId: ApiKeyId }).strict(),
    /** Resolves a presented secret; answers `unauthorized` for unknown, revoked or expired keys. */
    z
      .object({ type: z.literal('AuthenticateApiKey'), secret: z.string().min(1).max(200) })
      .strict(),
    z
      .object({
        type: z.literal('ListAuditEvents'),
        tenantId: TenantId.optional(),
        actor: z.string().max(200).optional(),
        eventType: z.string().max(100).optional(),
        from: instant.optional(),
        to: instant.optional(),
        cursor,
        limit,
      })
      .strict(),
    z
      .object({
        type: z.literal('ReplayControlPlane'),
        at: instant.optional(),
        position: z.number().int().nonnegative().optional(),
      })
      .strict(),
    z.object({ type: z.literal('VerifyAuditChain') }).strict(),
    z
      .object({
        type: z.literal('GetRuleGroup'),
        target: RuleGroupTarget,
        name: RuleGroupSpec.shape.name,
      })
      .strict(),
    /**
     * Rule groups in key order: of one tenant (its namespaces and cluster groups, narrowed by
     * `scope` and `namespace`), the global ones (`scope: 'global'`), or all of them (neither).
     */
    z
      .object({
        type: z.literal('ListRuleGroups'),
        tenantId: TenantId.optional(),
        scope: z.enum(['namespace', 'cluster', 'global']).optional(),
        namespace: RuleNamespace.optional(),
        cursor,
        limit,
      })
      .strict(),
    /** A tenant's own event rule set (default packs it has not replaced are not stored). */
    z
      .object({ type: z.literal('GetEventRuleSet'), tenantId: TenantId, name: RuleSetName })
      .strict(),
    /** Stored event rule sets in (tenant, name) order: of one tenant, or of every tenant. */
    z
      .object({
        type: z.literal('ListEventRuleSets'),
        tenantId: TenantId.optional(),
        cursor,
        limit,
      })
      .strict(),
    z
      .object({
        type: z.literal('GetRegisteredModel'),
        tenantId: TenantId,
        name: RegisteredModelName,
      })
      .strict(),
    /** The tenant's registered models in name order, narrowed by a name substring and a tag. */
    z
      .object({
        type: z.literal('SearchRegisteredModels'),
        tenantId: TenantId,
        nameContains: z.string().max(128).optional(),
        tagKey: z.string().max(250).optional(),
        tagValue: z.string().max(5000).optional(),
        cursor,
        limit,
      })
      .strict(),
    /** The tenant's models with permission grants, and the artifact repositories each names. */
    z.object({ type: z.literal('ListModelPermissions'), tenantId: TenantId }).strict(),
    z
      .object({ type: z.literal('GetPipeline'), tenantId: TenantId, name: PipelineComponentId })
      .strict(),
    /** Log pipelines in (tenant, name) order: of one tenant, or of every live tenant. */
    z
      .object({ type: z.literal('ListPipelines'), tenantId: TenantId.optional(), cursor, limit })
      .strict(),
    /** A tenant's registry webhooks in name order, secrets in full (the gateway masks them). */
    z.object({ type: z.literal('ListRegistryWebhooks'), tenantId: TenantId }).strict(),
    /** A tenant's Alertmanager configuration, in full (the gateway masks credentials). */
    z.object({ type: z.literal('GetAlertmanagerConfig'), tenantId: TenantId }).strict(),
  ])
  .superRefine((q, ctx) => {
    if (q.type === 'ReplayControlPlane' && (q.at === undefined) === (q.position === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['at'], message: 'give exactly one of at or position' });
    }
  });
export type ControlQuery = z.infer<typeof ControlQuery>;
export type ControlQueryType = ControlQuery['type'];

/** The request payload on `Subjects.controlQuery`. */
export const ControlQueryRequest = z
  .object({ query: ControlQuery, requestId: z.string().min(1) })
  .strict();
export type ControlQueryRequest = z.infer<typeof ControlQueryRequest>;
