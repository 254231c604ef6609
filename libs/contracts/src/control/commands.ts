import { z } from 'zod';
import { AlertmanagerConfigSpec } from './alertmanager-configs';
import { ApiKeyId, ApiKeyScope, TenantId } from './ids';
import { QuotaPatch } from './quota';
import { PipelineComponentId, PipelineSpec } from '../logs/pipeline-spec';
import { RegisteredModelCommand } from './registered-models';
import { RegistryWebhookCommand } from './registry-webhooks';
import { RuleGroupSpec, RuleGroupTarget } from './rule-groups';
import { SeriesDeletionSpec } from './series-deletions';
import { RuleSetCluster, RuleSetName, RuleSetSpec } from '../events/rule-sets';

const displayName = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters');
/** Optimistic concurrency: the stream version the caller last saw; a stale one gets `version_conflict`. */
const expectedVersion = z.number().int().nonnegative().optional();

/** Commands the control plane accepts, as a discriminated union on `type`. */
export const ControlCommand = z.discriminatedUnion('type', [
  z.object({ type: z.literal('CreateTenant'), tenantId: TenantId, displayName }).strict(),
  z
    .object({ type: z.literal('RenameTenant'), tenantId: TenantId, displayName, expectedVersion })
    .strict(),
  z
    .object({
      type: z.literal('SuspendTenant'),
      tenantId: TenantId,
      reason: z.string().max(500).optional(),
      expectedVersion,
    })
    .strict(),
  z.object({ type: z.literal('ResumeTenant'), tenantId: TenantId, expectedVersion }).strict(),
  z.object({ type: z.literal('DeleteTenant'), tenantId: TenantId, expectedVersion }).strict(),
  z
    .object({ type: z.literal('SetQuota'), tenantId: TenantId, quota: QuotaPatch, expectedVersion })
    .strict(),
  z
    .object({
      type: z.literal('IssueApiKey'),
      tenantId: TenantId,
      name: displayName,
      scopes: z.array(ApiKeyScope).min(1, 'at least one scope').max(3),
      expiresAt: z.string().datetime({ offset: true }).optional(),
    })
    .strict(),
  z.object({ type: z.literal('RevokeApiKey'), keyId: ApiKeyId, expectedVersion }).strict(),
  z
    .object({
      type: z.literal('ConfigureRuleGroup'),
      target: RuleGroupTarget,
      group: RuleGroupSpec,
      expectedVersion,
    })
    .strict(),
  z
    .object({
      type: z.literal('DeleteRuleGroup'),
      target: RuleGroupTarget,
      name: RuleGroupSpec.shape.name,
      expectedVersion,
    })
    .strict(),
  /** Creates or replaces a kube-events / kube-auditing rule set; a default pack's name replaces that pack. */
  z
    .object({
      type: z.literal('ConfigureEventRuleSet'),
      tenantId: TenantId,
      name: RuleSetName,
      cluster: RuleSetCluster.default(null),
      spec: RuleSetSpec,
      expectedVersion,
    })
    .strict(),
  z
    .object({
      type: z.literal('DeleteEventRuleSet'),
      tenantId: TenantId,
      name: RuleSetName,
      expectedVersion,
    })
    .strict(),
  ...RegisteredModelCommand.options,
  ...RegistryWebhookCommand.options,
  z
    .object({
      type: z.literal('ConfigurePipeline'),
      tenantId: TenantId,
      pipeline: PipelineSpec,
      expectedVersion,
    })
    .strict(),
  z
    .object({
      type: z.literal('DeletePipeline'),
      tenantId: TenantId,
      name: PipelineComponentId,
      expectedVersion,
    })
    .strict(),
  /** Records a series deletion (Prometheus' `delete_series`) before its tombstone is written to the bucket. */
  SeriesDeletionSpec.extend({ type: z.literal('RequestSeriesDeletion') }).strict(),
  z
    .object({
      type: z.literal('ConfigureAlertmanager'),
      tenantId: TenantId,
      config: AlertmanagerConfigSpec,
      expectedVersion,
    })
    .strict(),
  z
    .object({ type: z.literal('DeleteAlertmanagerConfig'), tenantId: TenantId, expectedVersion })
    .strict(),
]);
export type ControlCommand = z.infer<typeof ControlCommand>;
export type ControlCommandType = ControlCommand['type'];

/** Who asked, from where, under which request: recorded on every event a command appends. */
export const CommandContext = z
  .object({
    actor: z.string().min(1),
    actorKind: z.enum(['platform-admin', 'api-key', 'system']),
    sourceAddress: z.string(),
    requestId: z.string().min(1),
    correlationId: z.string().optional(),
  })
  .strict();
export type CommandContext = z.infer<typeof CommandContext>;

/** The request payload on `Subjects.controlCommand`. */
export const ControlCommandRequest = z
  .object({ command: ControlCommand, context: CommandContext })
  .strict();
export type ControlCommandRequest = z.infer<typeof ControlCommandRequest>;

/** What a successful command returns: the stream it wrote and its new version. */
export interface CommandAccepted {
  streamId: string;
  version: number;
  /** Global positions of the appended events. */
  positions: number[];
  /** Only for IssueApiKey: the key id and the secret, shown once and never stored in clear. */
  apiKey?: { keyId: string; secret: string };
}
