import {
  StrataError,
  type RuleGroupEvent,
  type RuleGroupSpec,
  type RuleGroupTarget,
} from '@strata/contracts';
import { ruleGroupDecider, type RuleGroupState } from './rule-group.decider';

const decider = ruleGroupDecider();
const live: RuleGroupState['tenant'] = { status: 'active', displayName: 'Acme' };
const target: RuleGroupTarget = { scope: 'namespace', tenantId: 'acme', namespace: 'team-a' };
const group: RuleGroupSpec = {
  name: 'api',
  interval: '30s',
  rules: [
    { record: 'job:up:sum', expr: 'sum by (job) (up)' },
    {
      alert: 'Down',
      expr: 'up == 0',
      for: '5m',
      annotations: { summary: '{{ $labels.job }} is down' },
    },
  ],
};

function given(events: RuleGroupEvent[], tenant: RuleGroupState['tenant'] = live): RuleGroupState {
  return { ...events.reduce(decider.evolve, decider.initialState()), tenant };
}

function refusal(run: () => unknown): StrataError {
  try {
    run();
  } catch (e) {
    if (e instanceof StrataError) return e;
    throw e;
  }
  throw new Error('the command was accepted');
}

describe('rule group decider', () => {
  it('configures a valid group, and appends nothing when the same content comes again', () => {
    const events = decider.decide({ type: 'ConfigureRuleGroup', target, group }, given([]));
    expect(events).toEqual([{ type: 'RuleGroupConfigured', data: { target, group } }]);
    expect(decider.decide({ type: 'ConfigureRuleGroup', target, group }, given(events))).toEqual(
      [],
    );
  });

  it('refuses an invalid expression, naming the rule and the parser error', () => {
    const bad = { ...group, rules: [{ record: 'x', expr: 'sum(' }] };
    const e = refusal(() =>
      decider.decide({ type: 'ConfigureRuleGroup', target, group: bad }, given([])),
    );
    expect(e.code).toBe('validation_failed');
    expect(e.fields).toEqual([
      {
        path: 'group.rules.0',
        message: expect.stringMatching(
          /^group "api", rule 1, "x": could not parse expression: /,
        ) as string,
      },
    ]);
  });

  it('refuses an unknown template function in an annotation', () => {
    const bad = { ...group, rules: [{ alert: 'A', expr: 'up', annotations: { s: '{{ nope }}' } }] };
    const e = refusal(() =>
      decider.decide({ type: 'ConfigureRuleGroup', target, group: bad }, given([])),
    );
    expect(e.fields?.[0].message).toBe(
      'group "api", rule 1, "A": annotation "s": template: __alert_A:1: function "nope" not defined',
    );
  });

  it('refuses 41 rules by default and takes them when the limit is raised', () => {
    const big = {
      name: 'big',
      rules: Array.from({ length: 41 }, (_, i) => ({ record: `r${i}`, expr: 'up' })),
    };
    const e = refusal(() =>
      decider.decide({ type: 'ConfigureRuleGroup', target, group: big }, given([])),
    );
    expect(e.fields).toEqual([
      {
        path: 'group',
        message: 'group "big": 41 rules, more than the limit of 40 rules per group',
      },
    ]);
    expect(
      ruleGroupDecider({ maxRulesPerGroup: 50 }).decide(
        { type: 'ConfigureRuleGroup', target, group: big },
        given([]),
      ),
    ).toHaveLength(1);
  });

  it('refuses groups of unknown or deleted tenants, but global groups need no tenant', () => {
    expect(
      refusal(() => decider.decide({ type: 'ConfigureRuleGroup', target, group }, given([], null)))
        .code,
    ).toBe('not_found');
    expect(
      refusal(() =>
        decider.decide(
          { type: 'ConfigureRuleGroup', target, group },
          given([], { status: 'deleted', displayName: '' }),
        ),
      ).message,
    ).toMatch(/deleted/);
    expect(
      decider.decide(
        { type: 'ConfigureRuleGroup', target: { scope: 'global' }, group },
        given([], null),
      ),
    ).toHaveLength(1);
  });

  it('deletes a configured group; deleting a missing one is not_found', () => {
    const configured = decider.decide({ type: 'ConfigureRuleGroup', target, group }, given([]));
    expect(
      decider.decide({ type: 'DeleteRuleGroup', target, name: 'api' }, given(configured)),
    ).toEqual([{ type: 'RuleGroupDeleted', data: { target, name: 'api' } }]);
    const deleted: RuleGroupEvent[] = [
      ...configured,
      { type: 'RuleGroupDeleted', data: { target, name: 'api' } },
    ];
    expect(
      refusal(() =>
        decider.decide({ type: 'DeleteRuleGroup', target, name: 'api' }, given(deleted)),
      ).code,
    ).toBe('not_found');
  });
});
