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
  alertmanager: (tenantId: string) => `alertmanager-${tenantId}`,
} as const;
