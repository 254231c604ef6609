import { Injectable } from '@nestjs/common';
import { type RuleSet } from '@strata/contracts';
import { type CompiledRules, compileRuleSets, DEFAULT_RULE_SETS } from '@strata/event-rules';

/**
 * The rules a tenant's records are evaluated with. Rule sets are not control-plane aggregates yet,
 * so every tenant has the default packs a new tenant gets; they are compiled once.
 */
@Injectable()
export class TenantRulesSource {
  private readonly defaults: CompiledRules = compileRuleSets(
    DEFAULT_RULE_SETS.map((s): RuleSet => ({
      tenantId: 'default',
      name: s.name,
      cluster: null,
      spec: s.spec,
      version: 0,
    })),
  );

  /** The compiled rules that apply to one cluster of a tenant (tenant-wide sets first). */
  rulesFor(_tenantId: string, _cluster: string): Promise<CompiledRules> {
    return Promise.resolve(this.defaults);
  }
}
