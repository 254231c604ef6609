import { createHash } from 'node:crypto';
import { ruleGroupKey, type RuleGroupTarget } from '@strata/contracts';

/** Stream ids of the control-plane aggregates: `<aggregate>-<id>`, the aggregate naming the subject. */
export const StreamIds = {
  tenant: (tenantId: string) => `tenant-${tenantId}`,
  quota: (tenantId: string) => `quota-${tenantId}`,
  apiKey: (keyId: string) => `apikey-${keyId}`,
  // Names are free text, which stream ids cannot hold: the key's hash stands for them (the events carry the names).
  ruleGroup: (target: RuleGroupTarget, name: string) =>
    `rulegroup-${createHash('sha256').update(ruleGroupKey(target, name)).digest('hex').slice(0, 40)}`,
  // Tenant ids and rule set names are DNS labels, so a dot cannot be part of either.
  eventRuleSet: (tenantId: string, name: string) => `eventruleset-${tenantId}.${name}`,
  registeredModel: (tenantId: string, name: string) =>
    `model-${createHash('sha256')
      .update(JSON.stringify([tenantId, name]))
      .digest('hex')
      .slice(0, 40)}`,
  // One short stream per tenant holds all its webhooks (a subscription is a few hundred bytes).
  registryWebhooks: (tenantId: string) => `modelwebhooks-${tenantId}`,
  // Pipeline names are checked ids (lowercase, digits, `_`, `-`), which stream ids can hold.
  pipeline: (tenantId: string, name: string) => `pipeline-${tenantId}.${name}`,
  // One stream per request, so that a retry with the same request id finds what the first wrote.
  seriesDeletion: (tenantId: string, requestId: string) =>
    `seriesdeletion-${tenantId}.${requestId}`,
  alertmanager: (tenantId: string) => `alertmanager-${tenantId}`,
} as const;
