import { z } from 'zod';

const ruleName = z
  .string()
  .min(1, 'must not be empty')
  .max(253)
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.-]*$/,
    'letters, digits, `_`, `.` and `-`, starting with a letter or digit',
  );
const labelMap = z.record(z.string().min(1).max(200), z.string().max(4096));

/** kube-auditing's rule priorities, lowest first. */
export const AUDIT_PRIORITIES = ['DEBUG', 'INFO', 'WARNING'] as const;
/** One kube-auditing priority. */
export const AuditPriority = z.enum(AUDIT_PRIORITIES);
export type AuditPriority = z.infer<typeof AuditPriority>;

/** A kube-events rule: a condition over a flattened core/v1 Event that raises a notification or an alert. */
export const EventsRule = z
  .object({
    name: ruleName,
    condition: z.string().min(1, 'must not be empty').max(16_384),
    enable: z.boolean().default(false),
    type: z.enum(['notification', 'alert']),
    labels: labelMap.optional(),
    annotations: labelMap.optional(),
  })
  .strict();
export type EventsRule = z.infer<typeof EventsRule>;

/** A kube-auditing rule entry: a `rule` with a condition and priority, or a `macro`, `list` or `alias` rules refer to as `${name}`. */
export const AuditRule = z
  .object({
    name: ruleName,
    type: z.enum(['rule', 'macro', 'list', 'alias']),
    desc: z.string().max(4096).optional(),
    condition: z.string().max(16_384).optional(),
    macro: z.string().max(16_384).optional(),
    list: z.array(z.string().max(1024)).max(10_000).optional(),
    alias: z.string().max(1024).optional(),
    enable: z.boolean().default(false),
    priority: AuditPriority.optional(),
    output: z.string().max(16_384).optional(),
  })
  .strict();
export type AuditRule = z.infer<typeof AuditRule>;

/** What a rule set holds: kube-events rules, or one kube-auditing group (archiving or alerting) with its threshold. */
export const RuleSetSpec = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('events'), rules: z.array(EventsRule).max(2_000) }).strict(),
  z
    .object({
      kind: z.literal('auditing'),
      group: z.enum(['archiving', 'alerting']),
      /** kube-auditing's `archivingPriority` / `alertingPriority`; defaults DEBUG and WARNING. */
      threshold: AuditPriority.optional(),
      rules: z.array(AuditRule).max(2_000),
    })
    .strict(),
]);
export type RuleSetSpec = z.infer<typeof RuleSetSpec>;

/** A rule set's name within its tenant; `${<ruleset>.<name>}` references use it. */
export const RuleSetName = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'lower-case letters, digits and `-` (a DNS label)');

/** The one cluster a rule set applies to; null: every cluster of the tenant. */
export const RuleSetCluster = z.string().min(1).max(253).nullable();

/** A rule set as evaluation sees it: tenant-wide (`cluster` null) or for one cluster. */
export const RuleSet = z
  .object({
    tenantId: z.string(),
    name: RuleSetName,
    cluster: RuleSetCluster,
    spec: RuleSetSpec,
    version: z.number().int().nonnegative(),
  })
  .strict();
export type RuleSet = z.infer<typeof RuleSet>;

/**
 * A tenant's rule set as the control plane keeps it (`origin: 'tenant'`), or a default pack the
 * tenant has not replaced (`origin: 'default'`, version 0), as the API lists them.
 */
export interface EventRuleSetView extends RuleSet {
  origin: 'tenant' | 'default';
  createdAt: string | null;
  updatedAt: string | null;
}

/** Events of the event rule set aggregate (one stream per tenant and name). */
export type EventRuleSetEvent =
  | {
      type: 'EventRuleSetConfigured';
      data: { tenantId: string; name: string; cluster: string | null; spec: RuleSetSpec };
    }
  | { type: 'EventRuleSetDeleted'; data: { tenantId: string; name: string } };
