import { Logger } from '@nestjs/common';
import { type BusClient } from '@strata/bus';
import {
  type ControlQuery,
  type Page,
  type RuleGroupView,
  type TenantView,
  Subjects,
  ruleGroupKey,
  ruleNamespaceOf,
} from '@strata/contracts';
import { parseRuleGroupSpec } from '@strata/rules';
import { type EvaluationUnit } from './evaluation/evaluation-unit';

/**
 * Reads every rule group from the control plane (paged `ListRuleGroups`) and expands global
 * groups into one unit per active tenant. Groups are validated when stored; one that no longer
 * parses (a stricter rules library) is logged and skipped rather than stopping the others.
 */
export class RuleGroupSource {
  private readonly log = new Logger('RuleGroupSource');
  private readonly client: BusClient;

  constructor(client: BusClient) {
    this.client = client;
  }

  /** Every unit to evaluate now, by key. */
  async load(): Promise<Map<string, EvaluationUnit>> {
    const groups = await this.all<RuleGroupView>({ type: 'ListRuleGroups', limit: 1000 });
    const hasGlobal = groups.some((g) => g.target.scope === 'global');
    const tenants = hasGlobal
      ? (
          await this.all<TenantView>({ type: 'ListTenants', includeDeleted: false, limit: 1000 })
        ).filter((t) => t.status === 'active')
      : [];
    const units = new Map<string, EvaluationUnit>();
    for (const view of groups) {
      const parsed = parseRuleGroupSpec(view.group, { maxRulesPerGroup: 0 });
      if (!parsed.ok) {
        this.log.error(
          `rule group ${ruleGroupKey(view.target, view.group.name)} is not valid any more: ${parsed.problems[0].message}`,
        );
        continue;
      }
      const file = ruleNamespaceOf(view.target);
      const tenantIds =
        'tenantId' in view.target ? [view.target.tenantId] : tenants.map((t) => t.tenantId);
      for (const tenantId of tenantIds) {
        const key = `${ruleGroupKey(view.target, view.group.name)}${view.target.scope === 'global' ? `@${tenantId}` : ''}`;
        units.set(key, {
          key,
          tenantId,
          target: view.target,
          file,
          spec: view.group,
          group: parsed.group,
        });
      }
    }
    return units;
  }

  private async all<T>(
    query: Extract<ControlQuery, { type: 'ListRuleGroups' | 'ListTenants' }>,
  ): Promise<T[]> {
    const items: T[] = [];
    let cursor: string | undefined;
    do {
      const page = (await this.client.ask(Subjects.controlQuery, {
        query: { ...query, cursor },
        requestId: 'ruler-sync',
      })) as Page<T>;
      items.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    return items;
  }
}
