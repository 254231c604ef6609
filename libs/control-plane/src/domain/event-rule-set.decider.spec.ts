import {
  StrataError,
  type EventRuleSetEvent,
  type RuleSet,
  type RuleSetSpec,
} from '@strata/contracts';
import { eventRuleSetDecider, type EventRuleSetState } from './event-rule-set.decider';

const live: EventRuleSetState['tenant'] = { status: 'active', displayName: 'Acme' };
const spec: RuleSetSpec = {
  kind: 'auditing',
  group: 'alerting',
  threshold: 'WARNING',
  rules: [
    { name: 'writes', type: 'list', list: ['create', 'delete'], enable: false },
    {
      name: 'SecretWrite',
      type: 'rule',
      condition: 'ObjectRef.Resource = "secrets" and Verb in ${writes}',
      priority: 'WARNING',
      enable: true,
    },
  ],
};
const configure = (s: RuleSetSpec = spec, name = 'secrets') =>
  ({ type: 'ConfigureEventRuleSet', tenantId: 'acme', name, cluster: null, spec: s }) as const;

function state(events: EventRuleSetEvent[], others: RuleSet[] = []): EventRuleSetState {
  return {
    ...events.reduce(eventRuleSetDecider.evolve, eventRuleSetDecider.initialState()),
    tenant: live,
    others,
  };
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

describe('event rule set decider', () => {
  it('configures a set whose rules compile, and appends nothing when it is unchanged', () => {
    const events = eventRuleSetDecider.decide(configure(), state([]));
    expect(events).toEqual([
      {
        type: 'EventRuleSetConfigured',
        data: { tenantId: 'acme', name: 'secrets', cluster: null, spec },
      },
    ]);
    expect(eventRuleSetDecider.decide(configure(), state(events))).toEqual([]);
  });

  it('refuses a rule that does not compile with its name, index and reason', () => {
    const bad: RuleSetSpec = {
      ...spec,
      rules: [
        spec.rules[0],
        { ...spec.rules[1], condition: 'Verb in ${nope}' } as RuleSetSpec['rules'][number],
      ],
    } as RuleSetSpec;
    const error = refusal(() => eventRuleSetDecider.decide(configure(bad), state([])));
    expect(error.code).toBe('validation_failed');
    expect(error.message).toContain(
      'rule "SecretWrite": ${nope}: no macro, list or alias named nope',
    );
    expect(error.fields).toEqual([
      { path: 'spec.rules.1', message: expect.stringContaining('rule "SecretWrite"') },
    ]);
    const syntax = refusal(() =>
      eventRuleSetDecider.decide(
        configure({
          kind: 'events',
          rules: [{ name: 'Broken', condition: 'reason = ', enable: true, type: 'alert' }],
        }),
        state([]),
      ),
    );
    expect(syntax.fields?.[0].path).toBe('spec.rules.0');
  });

  it("resolves references to the tenant's other sets and to the default packs", () => {
    const viaDefault: RuleSetSpec = {
      kind: 'auditing',
      group: 'archiving',
      rules: [
        {
          name: 'NoReads',
          type: 'rule',
          condition: 'Verb not in ${archiving-rule.ignore-action}',
          priority: 'INFO',
          enable: true,
        },
      ],
    };
    expect(eventRuleSetDecider.decide(configure(viaDefault, 'mine'), state([]))).toHaveLength(1);
    const viaOther = {
      ...viaDefault,
      rules: [{ ...viaDefault.rules[0], condition: 'Verb in ${secrets.writes}' }],
    } as RuleSetSpec;
    const other: RuleSet = { tenantId: 'acme', name: 'secrets', cluster: null, spec, version: 1 };
    expect(
      eventRuleSetDecider.decide(configure(viaOther, 'mine'), state([], [other])),
    ).toHaveLength(1);
    expect(
      refusal(() => eventRuleSetDecider.decide(configure(viaOther, 'mine'), state([]))).message,
    ).toContain('no auditing rule set named secrets');
  });

  it('deletes only a stored set, and nothing for a deleted tenant', () => {
    const del = { type: 'DeleteEventRuleSet', tenantId: 'acme', name: 'secrets' } as const;
    expect(refusal(() => eventRuleSetDecider.decide(del, state([]))).code).toBe('not_found');
    const configured = eventRuleSetDecider.decide(configure(), state([]));
    expect(eventRuleSetDecider.decide(del, state(configured))).toEqual([
      { type: 'EventRuleSetDeleted', data: { tenantId: 'acme', name: 'secrets' } },
    ]);
    const gone = { ...state([]), tenant: { status: 'deleted' as const, displayName: 'Acme' } };
    expect(refusal(() => eventRuleSetDecider.decide(configure(), gone)).code).toBe('not_found');
  });
});
