import type { RuleSet } from '@strata/contracts';
import { flattenAuditEvent, flattenKubeEvent } from '../flatten';
import { compileRuleSets } from '../rule-sets/compile';
import { evaluateAuditEvent, evaluateKubeEvent } from '../rule-sets/evaluate';
import { DEFAULT_RULE_SETS } from './default-rule-sets';

const sets: RuleSet[] = DEFAULT_RULE_SETS.map((s) => ({
  tenantId: 't',
  cluster: null,
  version: 1,
  ...s,
}));
const rules = compileRuleSets(sets);

describe('default rule sets', () => {
  test('compile without a problem', () => {
    expect(rules.problems).toEqual([]);
    expect(rules.events.length).toBeGreaterThan(10);
  });

  test("KubeSphere's documented PodNetworkNotReady alert", () => {
    const decision = evaluateKubeEvent(
      rules,
      flattenKubeEvent({
        kind: 'Event',
        metadata: { name: 'web-1.17a', namespace: 'shop' },
        involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'shop' },
        reason: 'NetworkNotReady',
        message: 'network is not ready: container runtime network not ready',
        type: 'Warning',
        count: 1,
      }),
      'prod',
    );
    expect(decision.alert?.alert).toEqual({
      labels: {
        alertname: 'PodNetworkNotReady',
        alerttype: 'event',
        pod: 'web-1',
        namespace: 'shop',
        cluster: 'prod',
        severity: 'warning',
      },
      annotations: {
        message: 'network is not ready: container runtime network not ready',
        summary: 'Pod network is not ready',
      },
    });
  });

  test.each([
    ['get', 'secrets', 'alice', { archive: false, alerts: ['SecretAccess'] }],
    ['get', 'pods', 'alice', { archive: false, alerts: [] }],
    ['create', 'pods', 'alice', { archive: true, alerts: [] }],
    ['delete', 'secrets', 'system:serviceaccount:kube-system:x', { archive: true, alerts: [] }],
    ['delete', 'secrets', 'bob', { archive: true, alerts: ['SecretAccess'] }],
  ])('audit %s %s by %s', (verb, resource, user, expected) => {
    const decision = evaluateAuditEvent(
      rules,
      flattenAuditEvent(
        {
          level: 'Metadata',
          auditID: 'x',
          stage: 'ResponseComplete',
          requestURI: `/api/v1/namespaces/shop/${resource}`,
          verb,
          user: { username: user },
          objectRef: { resource, namespace: 'shop', name: 'n' },
          responseStatus: { code: 200 },
        },
        'prod',
      ),
    );
    expect({ archive: decision.archive, alerts: decision.alerts.map((a) => a.rule.name) }).toEqual(
      expected,
    );
  });
});
