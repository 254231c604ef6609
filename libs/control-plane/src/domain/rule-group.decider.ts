import {
  StrataError,
  type ControlCommand,
  type RuleGroupEvent,
  type RuleGroupSpec,
} from '@strata/contracts';
import { DEFAULT_MAX_RULES_PER_GROUP, parseRuleGroupSpec } from '@strata/rules';
import { type Decider } from './decider';
import { assertTenantLive, type TenantState } from './tenant.decider';

/** Commands of the rule group aggregate (namespace, cluster and global groups alike). */
export type RuleGroupCommand = Extract<
  ControlCommand,
  { type: 'ConfigureRuleGroup' | 'DeleteRuleGroup' }
>;

/** A group's current content (null: never configured, or deleted), with its tenant's state when it has one. */
export interface RuleGroupState {
  group: RuleGroupSpec | null;
  tenant: TenantState | null;
}

/** How rule groups are validated. */
export interface RuleGroupRules {
  /** Most rules a group may hold (Whizard's 40 by default; 0: no limit). */
  maxRulesPerGroup: number;
}

function sameSpec(a: RuleGroupSpec, b: RuleGroupSpec): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The rule group aggregate, validating content as `promtool check rules` does before anything is appended. */
export function ruleGroupDecider(
  rules: RuleGroupRules = { maxRulesPerGroup: DEFAULT_MAX_RULES_PER_GROUP },
): Decider<RuleGroupCommand, RuleGroupEvent, RuleGroupState> {
  return {
    decide(command, state) {
      if ('tenantId' in command.target)
        assertTenantLive(
          command.target.tenantId,
          state.tenant ?? { status: 'none', displayName: '' },
        );
      if (command.type === 'DeleteRuleGroup') {
        if (state.group === null)
          throw new StrataError(
            'not_found',
            `rule group ${JSON.stringify(command.name)} does not exist`,
          );
        return [{ type: 'RuleGroupDeleted', data: { target: command.target, name: command.name } }];
      }
      const parsed = parseRuleGroupSpec(command.group, {
        maxRulesPerGroup: rules.maxRulesPerGroup,
      });
      if (!parsed.ok) {
        const fields = parsed.problems.map((p) => ({
          path: p.rule === undefined ? 'group' : `group.rules.${p.rule - 1}`,
          message: p.message,
        }));
        throw new StrataError(
          'validation_failed',
          `invalid rule group ${JSON.stringify(command.group.name)}: ${parsed.problems[0].message}`,
          fields,
          { reason: 'invalid_rule_group' },
        );
      }
      if (state.group !== null && sameSpec(state.group, command.group)) return [];
      return [
        { type: 'RuleGroupConfigured', data: { target: command.target, group: command.group } },
      ];
    },
    evolve(state, event) {
      switch (event.type) {
        case 'RuleGroupConfigured':
          return { ...state, group: event.data.group };
        case 'RuleGroupDeleted':
          return { ...state, group: null };
      }
    },
    initialState: () => ({ group: null, tenant: null }),
  };
}
