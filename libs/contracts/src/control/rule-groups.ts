import { z } from 'zod';
import { TenantId } from './ids';

// YAML decodes `expr: 1` as a number; Prometheus' rulefmt reads it as the string "1".
const scalarText = z.union([z.string(), z.number()]).transform(String);
const labelMap = z.record(z.string(), scalarText);

/** One rule as Prometheus' rule files write it (`rulefmt.RuleNode`): record or alert, expr, for... */
export const RuleSpec = z
  .object({
    record: z.string().optional(),
    alert: z.string().optional(),
    expr: scalarText,
    for: z.string().optional(),
    keep_firing_for: z.string().optional(),
    labels: labelMap.optional(),
    annotations: labelMap.optional(),
  })
  .strict();
export type RuleSpec = z.infer<typeof RuleSpec>;

/**
 * A Prometheus rule group as written in rule files (`rulefmt.RuleGroup`), field names and
 * durations included; the control plane validates it as `promtool check rules` does.
 */
export const RuleGroupSpec = z
  .object({
    name: z.string().min(1, 'must not be empty').max(200),
    interval: z.string().optional(),
    query_offset: z.string().optional(),
    limit: z.number().int().nonnegative().optional(),
    rules: z.array(RuleSpec),
  })
  .strict();
export type RuleGroupSpec = z.infer<typeof RuleGroupSpec>;

/** Namespaces are free text, as in Mimir (a rule file name, a team). */
export const RuleNamespace = z.string().min(1, 'must not be empty').max(200);

/**
 * Where a rule group lives: a tenant's namespace (`RuleGroup`), the whole tenant
 * (`ClusterRuleGroup`), or every tenant (`GlobalRuleGroup`, results labelled `tenant_id`).
 */
export const RuleGroupTarget = z.discriminatedUnion('scope', [
  z
    .object({ scope: z.literal('namespace'), tenantId: TenantId, namespace: RuleNamespace })
    .strict(),
  z.object({ scope: z.literal('cluster'), tenantId: TenantId }).strict(),
  z.object({ scope: z.literal('global') }).strict(),
]);
export type RuleGroupTarget = z.infer<typeof RuleGroupTarget>;
/** One of the three scopes of rule groups. */
export type RuleScope = RuleGroupTarget['scope'];

/** The namespace segment a target's groups are listed under (`_cluster` and `_global` for the others). */
export function ruleNamespaceOf(target: RuleGroupTarget): string {
  switch (target.scope) {
    case 'namespace':
      return target.namespace;
    case 'cluster':
      return '_cluster';
    case 'global':
      return '_global';
  }
}

/** A stable identity of a group: scope, tenant, namespace and name, as one string. */
export function ruleGroupKey(target: RuleGroupTarget, name: string): string {
  return JSON.stringify([
    target.scope,
    'tenantId' in target ? target.tenantId : '',
    ruleNamespaceOf(target),
    name,
  ]);
}

/** A rule group as the control plane keeps it. */
export interface RuleGroupView {
  target: RuleGroupTarget;
  group: RuleGroupSpec;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** Events of the rule group aggregate (all three scopes; `target.scope` tells them apart). */
export type RuleGroupEvent =
  | { type: 'RuleGroupConfigured'; data: { target: RuleGroupTarget; group: RuleGroupSpec } }
  | { type: 'RuleGroupDeleted'; data: { target: RuleGroupTarget; name: string } };
