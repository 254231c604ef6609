import { Injectable, Logger } from '@nestjs/common';
import {
  type CompiledRules,
  compileRuleSets,
  effectiveRuleSets,
  ruleSetsForCluster,
} from '@strata/event-rules';
import { TenantDirectory } from '../control/tenant-directory';

/**
 * The rules a tenant's records are evaluated with: the default packs it has not replaced, then its
 * own sets (tenant-wide before the cluster's), compiled once per tenant and cluster and compiled
 * again when the control plane reports a change.
 */
@Injectable()
export class TenantRulesSource {
  private readonly log = new Logger('EventsRules');
  private readonly compiled = new Map<string, Map<string, CompiledRules>>();
  private readonly generation = new Map<string, number>();

  constructor(private readonly directory: TenantDirectory) {
    directory.onRulesChanged((tenantId) => {
      this.compiled.delete(tenantId);
      this.generation.set(tenantId, (this.generation.get(tenantId) ?? 0) + 1);
    });
  }

  /** The compiled rules that apply to one cluster of a tenant. */
  async rulesFor(tenantId: string, cluster: string): Promise<CompiledRules> {
    const cached = this.compiled.get(tenantId)?.get(cluster);
    if (cached) return cached;
    const generation = this.generation.get(tenantId) ?? 0;
    const own = await this.directory.ruleSets(tenantId);
    const sets = ruleSetsForCluster(effectiveRuleSets(tenantId, own), cluster);
    const rules = compileRuleSets(sets);
    // Sets are checked when written; a reference broken since (another set deleted) shows here.
    for (const p of rules.problems)
      this.log.warn(`tenant ${tenantId}: rule ${p.ruleSet}/${p.rule} left out: ${p.reason}`);
    // A change that arrived while this compiled must not be hidden by a stale cache entry.
    if ((this.generation.get(tenantId) ?? 0) !== generation) return rules;
    let tenant = this.compiled.get(tenantId);
    if (!tenant) this.compiled.set(tenantId, (tenant = new Map()));
    tenant.set(cluster, rules);
    return rules;
  }
}
