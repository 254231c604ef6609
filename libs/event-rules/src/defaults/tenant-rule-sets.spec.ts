import type { RuleSet } from '@strata/contracts';
import { compileRuleSets } from '../rule-sets/compile';
import { evaluateKubeEvent } from '../rule-sets/evaluate';
import { flattenKubeEvent } from '../flatten';
import { effectiveRuleSets, ruleSetsForCluster } from './tenant-rule-sets';

const own = (name: string, cluster: string | null, rules: RuleSet['spec']['rules'] = []): RuleSet =>
  ({ tenantId: 'acme', name, cluster, spec: { kind: 'events', rules }, version: 1 }) as RuleSet;

const networkNotReady = flattenKubeEvent({
  kind: 'Event',
  apiVersion: 'v1',
  metadata: { name: 'web-0.1', namespace: 'shop' },
  involvedObject: { kind: 'Pod', name: 'web-0', namespace: 'shop' },
  reason: 'NetworkNotReady',
  type: 'Warning',
  message: 'network is not ready',
});

describe("a tenant's rule sets", () => {
  it('are the default packs in place, then its own sets by name', () => {
    const sets = effectiveRuleSets('acme', [own('zeta', null), own('alpha', null)]);
    expect(sets.map((s) => [s.name, s.version])).toEqual([
      ['kube-events-default', 0],
      ['archiving-rule', 0],
      ['alerting-rule', 0],
      ['alpha', 1],
      ['zeta', 1],
    ]);
  });

  it('turn a default pack off when the tenant replaces it with no rules, and have it without the replacement', () => {
    const alertOf = (sets: RuleSet[]) =>
      evaluateKubeEvent(compileRuleSets(sets), networkNotReady, '').alert?.rule.name ?? null;
    expect(alertOf(effectiveRuleSets('acme', []))).toBe('PodNetworkNotReady');
    const replaced = effectiveRuleSets('acme', [own('kube-events-default', null)]);
    expect(replaced[0].version).toBe(1);
    expect(alertOf(replaced)).toBeNull();
  });

  it("apply to a cluster: the tenant-wide sets first, then that cluster's only", () => {
    const sets = [own('b', 'prod'), own('a', null), own('c', 'dev')];
    expect(ruleSetsForCluster(sets, 'prod').map((s) => s.name)).toEqual(['a', 'b']);
    expect(ruleSetsForCluster(sets, '').map((s) => s.name)).toEqual(['a']);
  });
});
