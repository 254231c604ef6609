import type { RuleSet, RuleSetSpec } from '@strata/contracts';
import { auditCorpus } from '@strata/testing';
import { interpretCondition } from '../condition/interpret';
import { parseCondition } from '../condition/parse';
import { requiredLiteral } from '../condition/evaluate';
import { EventRuleError } from '../errors';
import { flattenAuditEvent, flattenKubeEvent } from '../flatten';
import type { FlatEvent } from '../go-values';
import { effectiveRuleSets } from '../defaults/tenant-rule-sets';
import { compileRuleSets, type CompiledRules } from './compile';
import { evaluateAuditEvent, evaluateKubeEvent } from './evaluate';
import { RuleIndex, anchoredPrefix } from './rule-index';

const set = (name: string, spec: RuleSetSpec): RuleSet => ({
  tenantId: 't',
  name,
  cluster: null,
  spec,
  version: 1,
});

// Rules the index keys on (equality, `in`, anchored regexps, the literal of `contains`, `like`
// and other regexps), rules it cannot (`or`, `not`, `(?i)`, needles under three characters), and
// rules whose leaves fail on some events, which must still count as failures when the index rules
// them out (numeric comparisons on strings among them).
const conditions = [
  'Verb = "create" and ObjectRef.Resource = "pods"',
  'ObjectRef.Resource in ("secrets", "configmaps") and Verb != "get"',
  'User.Username regex "^system:serviceaccount:kube-system:" and Verb = "delete"',
  'User.Username regex "^system:nodes?" and Verb = "patch"',
  'User.Username regex "^(?i)ADMIN" or Verb = "watch"',
  'ObjectRef.Resource = "pods" or Verb = "list"',
  'not Verb = "get" and ObjectRef.Namespace = "kube-system"',
  'RequestURI contains "/api/v1/namespaces/default/" and ResponseStatus.Code >= 400',
  'User.Username like "system:*" and Verb in ("get", "list")',
  'ObjectRef.Resource = "pods" and User.Username > 5',
  'Verb = "update" and User.Groups[*] contains "system:masters"',
  'Verb = "delete" and ResponseStatus.Code = "x"',
  'Stage = "ResponseComplete" and ObjectRef.Subresource = "exec" and Level = "Request"',
  'ObjectRef.Resource = "pods" and ImpersonatedUser.Username exists',
  'ObjectRef.Resource = "nodes" and (ResponseStatus.Code >= 500 or Verb = "delete")',
  'RequestURI contains "/namespaces/shop/" and ResponseStatus.Code >= 400',
  'User.Username like "*:serviceaccount:*" and ResponseStatus.Code < 300',
  'ObjectRef.Name regex "web-[0-9]+" and ObjectRef.Namespace > 3',
  'RequestURI contains "/secrets" and User.Username >= 1',
  'RequestURI contains "ts" and Verb != "get"',
  'RequestURI contains "pods" or Verb = "get"',
];

const alerting = set('index-alerting', {
  kind: 'auditing',
  group: 'alerting',
  threshold: 'INFO',
  rules: conditions.map((condition, i) => ({
    name: `r${i}`,
    type: 'rule' as const,
    condition,
    priority: (['DEBUG', 'INFO', 'WARNING'] as const)[i % 3],
    enable: true,
    output: 'x',
  })),
});

/** What evaluating every rule in order, with the reference interpreter, decides. */
function reference(rules: CompiledRules, flat: FlatEvent) {
  const matched: string[] = [];
  const failures: string[] = [];
  for (const group of rules.auditing)
    for (const rule of group.rules) {
      try {
        if (interpretCondition(rule.parsed, flat)) matched.push(rule.name);
      } catch (e) {
        if (!(e instanceof EventRuleError)) throw e;
        failures.push(`${rule.name}: ${e.message}`);
      }
    }
  return { matched, failures };
}

describe('the rule index', () => {
  const rules = compileRuleSets(effectiveRuleSets('t', [alerting]));

  it('compiles every rule of the set', () => {
    expect(rules.problems).toEqual([]);
    expect(rules.auditing.find((g) => g.ruleSet === 'index-alerting')?.rules).toHaveLength(
      conditions.length,
    );
  });

  it('decides every audit event of the corpus as evaluating every rule does', () => {
    const corpus = auditCorpus(2_000, Date.parse('2026-12-01T00:00:00Z'));
    let matches = 0;
    let failures = 0;
    for (const event of corpus) {
      const flat = flattenAuditEvent(event as never, 'prod');
      const decision = evaluateAuditEvent(rules, flat);
      const want = reference(rules, flat);
      expect(decision.matched.map((r) => r.name)).toEqual(want.matched);
      expect(decision.failures.map((f) => `${f.rule}: ${f.message}`)).toEqual(want.failures);
      matches += want.matched.length;
      failures += want.failures.length;
    }
    // The corpus exercises both sides: matches and failures of rules the index rules out.
    expect(matches).toBeGreaterThan(1_000);
    expect(failures).toBeGreaterThan(100);
  });

  it('rules out most rules by the event’s fields', () => {
    const index = new RuleIndex(alerting.spec.rules.map((r) => parseCondition(r.condition ?? '')));
    const flat = flattenAuditEvent(
      {
        verb: 'get',
        user: { username: 'alice' },
        objectRef: { resource: 'services', namespace: 'default' },
        stage: 'ResponseComplete',
      },
      'prod',
    );
    // Only what no conjunct keys: `or`, `not`, `(?i)`, a regexp with a class before any literal,
    // a needle of two characters; the needles of the others are not in the event's fields.
    expect([...index.candidates(flat)].flatMap((c, i) => (c === 1 ? [i] : []))).toEqual([
      4, 5, 6, 17, 19, 20,
    ]);
  });

  it('keeps kube-events’ first-match order and failures', () => {
    const events = compileRuleSets([
      set('ev', {
        kind: 'events',
        rules: [
          { name: 'a', condition: 'reason = "BackOff" and count > 3', type: 'alert', enable: true },
          { name: 'b', condition: 'reason = "Pulled" and count > 3', type: 'alert', enable: true },
          { name: 'c', condition: 'type = "Warning"', type: 'alert', enable: true },
        ],
      }),
    ]);
    const flat = (reason: string, count: unknown) =>
      flattenKubeEvent({ reason, type: 'Warning', count: count as never });
    expect(evaluateKubeEvent(events, flat('BackOff', 5), '').alert?.rule.name).toBe('a');
    expect(evaluateKubeEvent(events, flat('BackOff', 1), '').alert?.rule.name).toBe('c');
    expect(evaluateKubeEvent(events, flat('Pulled', 1), '').alert?.rule.name).toBe('c');
  });
});

describe('literals the regexp leaves test before the regexp', () => {
  test.each([
    ['^system:serviceaccount:', 'system:serviceaccount:'],
    ['^tenant-1(-.*)?$', 'tenant-1'],
    ['^system:nodes?', 'system:node'],
    ['team-7-(.*)', 'team-7-'],
    ['ab+c-long', 'c-long'],
    ['(?i)admin', null],
    ['a|bcd', null],
    ['[a-z]+-foo', null],
    ['x', null],
  ])('%s requires %s', (pattern, literal) => {
    expect(requiredLiteral(pattern)).toBe(literal);
  });

  test.each([
    ['^system:serviceaccount:', 'system:serviceaccount:'],
    ['^system:nodes?', 'system:node'],
    ['^a*', null],
    ['system:', null],
    ['^(?i)admin', null],
    ['^a|b', null],
  ])('%s starts with %s', (pattern, prefix) => {
    expect(anchoredPrefix(pattern)).toBe(prefix);
  });
});
