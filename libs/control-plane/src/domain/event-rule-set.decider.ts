import {
  StrataError,
  type ControlCommand,
  type EventRuleSetEvent,
  type RuleSet,
  type RuleSetSpec,
} from '@strata/contracts';
import { checkRuleSet, effectiveRuleSets } from '@strata/event-rules';
import { type Decider } from './decider';
import { assertTenantLive, type TenantState } from './tenant.decider';

/** Commands of the event rule set aggregate. */
export type EventRuleSetCommand = Extract<
  ControlCommand,
  { type: 'ConfigureEventRuleSet' | 'DeleteEventRuleSet' }
>;

/**
 * A stored rule set's content (null: never configured, or deleted), with what the handler loads
 * alongside: the tenant's state and its other stored sets, which references may name.
 */
export interface EventRuleSetState {
  set: { cluster: string | null; spec: RuleSetSpec } | null;
  tenant: TenantState;
  others: RuleSet[];
}

function decide(command: EventRuleSetCommand, state: EventRuleSetState): EventRuleSetEvent[] {
  assertTenantLive(command.tenantId, state.tenant);
  const { tenantId, name } = command;
  if (command.type === 'DeleteEventRuleSet') {
    if (state.set === null)
      throw new StrataError(
        'not_found',
        `tenant ${tenantId} has no rule set ${JSON.stringify(name)} of its own`,
      );
    return [{ type: 'EventRuleSetDeleted', data: { tenantId, name } }];
  }
  const candidate: RuleSet = {
    tenantId,
    name,
    cluster: command.cluster,
    spec: command.spec,
    version: 0,
  };
  // References may name any set the tenant evaluates, default packs included.
  const referable = effectiveRuleSets(
    tenantId,
    state.others.filter((o) => o.name !== name),
  ).filter((o) => o.name !== name);
  const problems = checkRuleSet(candidate, referable);
  if (problems.length > 0) {
    const index = (rule: string) => command.spec.rules.findIndex((r) => r.name === rule);
    throw new StrataError(
      'validation_failed',
      `invalid rule set ${JSON.stringify(name)}: rule ${JSON.stringify(problems[0].rule)}: ${problems[0].reason}`,
      problems.map((p) => ({
        path: `spec.rules.${index(p.rule)}`,
        message: `rule ${JSON.stringify(p.rule)}: ${p.reason}`,
      })),
      { reason: 'invalid_rule_set' },
    );
  }
  if (
    state.set !== null &&
    state.set.cluster === command.cluster &&
    JSON.stringify(state.set.spec) === JSON.stringify(command.spec)
  )
    return [];
  return [
    {
      type: 'EventRuleSetConfigured',
      data: { tenantId, name, cluster: command.cluster, spec: command.spec },
    },
  ];
}

function evolve(state: EventRuleSetState, event: EventRuleSetEvent): EventRuleSetState {
  switch (event.type) {
    case 'EventRuleSetConfigured':
      return { ...state, set: { cluster: event.data.cluster, spec: event.data.spec } };
    case 'EventRuleSetDeleted':
      return { ...state, set: null };
  }
}

/** The event rule set aggregate: kube-events / kube-auditing rules, checked by the event-rules compiler before anything is appended. */
export const eventRuleSetDecider: Decider<
  EventRuleSetCommand,
  EventRuleSetEvent,
  EventRuleSetState
> = {
  decide,
  evolve,
  initialState: () => ({ set: null, tenant: { status: 'none', displayName: '' }, others: [] }),
};
