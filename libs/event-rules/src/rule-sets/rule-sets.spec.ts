import type { RuleSet, RuleSetSpec } from '@strata/contracts';
import { flattenAuditEvent, flattenKubeEvent } from '../flatten';
import { compileRuleSets, checkRuleSet } from './compile';
import { expandReferences } from './references';
import { evaluateAuditEvent, evaluateKubeEvent } from './evaluate';

const set = (name: string, spec: RuleSetSpec, cluster: string | null = null): RuleSet => ({
  tenantId: 't',
  name,
  cluster,
  spec,
  version: 1,
});

// kube-auditing's documented archiving and alerting rules.
const archiving = set('archiving-rule', {
  kind: 'auditing',
  group: 'archiving',
  rules: [
    { name: 'ignore-action', type: 'list', list: ['get', 'list', 'watch'], enable: false },
    {
      name: 'archiving',
      type: 'rule',
      condition: 'Verb not in ${ignore-action}',
      priority: 'DEBUG',
      enable: true,
    },
  ],
});
const shared = set('shared', {
  kind: 'auditing',
  group: 'alerting',
  rules: [
    { name: 'user', type: 'alias', alias: 'User.Username', enable: false },
    { name: 'secrets', type: 'macro', macro: 'ObjectRef.Resource = "secrets"', enable: false },
    { name: 'changes', type: 'list', list: ['create', 'delete', 'update', 'patch'], enable: false },
    {
      name: 'secret-change',
      type: 'macro',
      macro: '${secrets} and Verb in ${changes}',
      enable: false,
    },
  ],
});
const alerting = set('alerting-rule', {
  kind: 'auditing',
  group: 'alerting',
  rules: [
    { name: 'action', type: 'list', list: ['create', 'delete', 'update', 'patch'], enable: false },
    {
      name: 'ResourceChange',
      type: 'rule',
      condition: 'Verb in ${action}',
      priority: 'INFO',
      enable: true,
    },
    {
      name: 'SecretChanged',
      type: 'rule',
      desc: 'a secret changed',
      condition: '${shared.secret-change} and ${shared.user} != "system:admin"',
      priority: 'WARNING',
      enable: true,
      output: '${shared.user} changed a secret (${shared.user})',
    },
  ],
});

describe('expansion of lists, macros and aliases', () => {
  test('a list becomes a parenthesised list of strings, a macro its expansion in parentheses, an alias its field', () => {
    expect(expandReferences('Verb not in ${ignore-action}', archiving, [archiving], 'r')).toBe(
      'Verb not in ("get", "list", "watch")',
    );
    expect(
      expandReferences(
        '${shared.secret-change} and ${shared.user} != "x"',
        alerting,
        [alerting, shared],
        'r',
      ),
    ).toBe(
      '((ObjectRef.Resource = "secrets") and Verb in ("create", "delete", "update", "patch")) and User.Username != "x"',
    );
  });

  test.each([
    ['${nope}', 'rule r: ${nope}: no macro, list or alias named nope'],
    ['${other.x}', 'rule r: ${other.x}: no auditing rule set named other'],
    ['${shared.x}', 'rule r: ${shared.x}: rule set shared has no macro, list or alias named x'],
    [
      '${archiving-rule.archiving}',
      'rule r: ${archiving-rule.archiving}: rule set archiving-rule has no macro, list or alias named archiving',
    ],
  ])('%s is reported: %s', (text, message) => {
    expect(() => expandReferences(text, alerting, [alerting, shared, archiving], 'r')).toThrow(
      message,
    );
  });

  test('a cycle between macros is reported with its path', () => {
    const cyclic = set('c', {
      kind: 'auditing',
      group: 'alerting',
      rules: [
        { name: 'a', type: 'macro', macro: 'x = "1" or ${b}', enable: false },
        { name: 'b', type: 'macro', macro: '${a}', enable: false },
      ],
    });
    expect(checkRuleSet(cyclic, [])).toEqual([
      { ruleSet: 'c', rule: 'a', reason: '${a}: macro cycle c.a -> c.b -> c.a' },
      { ruleSet: 'c', rule: 'b', reason: '${b}: macro cycle c.b -> c.a -> c.b' },
    ]);
  });

  test('a rule whose expansion does not parse names the expansion and the position in it', () => {
    const bad = set('bad', {
      kind: 'auditing',
      group: 'alerting',
      rules: [
        { name: 'half', type: 'macro', macro: 'Verb =', enable: false },
        {
          name: 'r',
          type: 'rule',
          condition: '${half} and Stage = "ResponseComplete"',
          priority: 'INFO',
          enable: true,
        },
        { name: 'o', type: 'rule', condition: 'Verb = "get"', output: '${half}', enable: true },
        { name: 'e', type: 'rule', enable: true },
      ],
    });
    expect(checkRuleSet(bad, [])).toEqual([
      {
        ruleSet: 'bad',
        rule: 'half',
        reason: `1:7: mismatched input ')' expecting {NUMBER, STRING, BOOLEAN} in the expansion "(Verb =)"`,
      },
      {
        ruleSet: 'bad',
        rule: 'r',
        reason: `1:7: mismatched input ')' expecting {NUMBER, STRING, BOOLEAN} in the expansion "(Verb =) and Stage = \\"ResponseComplete\\""`,
      },
      { ruleSet: 'bad', rule: 'o', reason: 'output ${half} names a macro, not an alias' },
      { ruleSet: 'bad', rule: 'e', reason: 'a rule needs a condition' },
    ]);
  });

  test('a kube-events condition that does not parse is reported with its position', () => {
    const events = set('ev', {
      kind: 'events',
      rules: [{ name: 'x', condition: 'type = "Warning" and and', enable: true, type: 'alert' }],
    });
    expect(checkRuleSet(events, [])).toEqual([
      {
        ruleSet: 'ev',
        rule: 'x',
        reason: `1:21: mismatched input 'and' expecting {'(', NOT, VAR} in "type = \\"Warning\\" and and"`,
      },
    ]);
  });
});

const pod = (reason: string, extra: Record<string, unknown> = {}) =>
  flattenKubeEvent({
    kind: 'Event',
    apiVersion: 'v1',
    metadata: { name: `web-1.${reason}`, namespace: 'shop' },
    involvedObject: {
      kind: 'Pod',
      namespace: 'shop',
      name: 'web-1',
      fieldPath: 'spec.containers{app}',
    },
    reason,
    message: `${reason} happened`,
    type: 'Warning',
    count: 4,
    ...extra,
  } as never);

describe('kube-events evaluation', () => {
  const rules = compileRuleSets([
    set('cluster-rules', {
      kind: 'events',
      rules: [
        { name: 'Disabled', condition: 'type="Warning"', enable: false, type: 'alert' },
        { name: 'AnyWarning', condition: 'type="Warning"', enable: true, type: 'notification' },
        {
          name: 'PodNetworkNotReady',
          condition: 'type="Warning" and involvedObject.kind="Pod" and reason="NetworkNotReady"',
          enable: true,
          type: 'alert',
          labels: { severity: 'warning' },
          annotations: {
            message: '%message',
            summary: 'Pod %involvedObject.name: %reason (%count times, %missing)',
          },
        },
        { name: 'Second', condition: 'reason="NetworkNotReady"', enable: true, type: 'alert' },
      ],
    }),
  ]);

  test('the first enabled matching rule of each type wins, and the alert is labelled as kube-events labels it', () => {
    const decision = evaluateKubeEvent(rules, pod('NetworkNotReady'), 'prod');
    expect(decision.notification?.rule.name).toBe('AnyWarning');
    expect(decision.alert?.alert).toEqual({
      labels: {
        alertname: 'PodNetworkNotReady',
        alerttype: 'event',
        pod: 'web-1',
        namespace: 'shop',
        container: 'app',
        cluster: 'prod',
        severity: 'warning',
      },
      annotations: {
        message: 'NetworkNotReady happened',
        summary: 'Pod web-1: NetworkNotReady (4 times, <nil>)',
      },
    });
  });

  test("a notification rule's match carries the event's fields, labelled as kube-events labels alerts plus its rule type", () => {
    const decision = evaluateKubeEvent(
      rules,
      pod('FailedMount', { source: { component: 'kubelet', host: 'node-3' } }),
      'prod',
    );
    expect(decision.notification?.alert).toEqual({
      labels: {
        alertname: 'AnyWarning',
        alerttype: 'event',
        ruletype: 'notification',
        pod: 'web-1',
        namespace: 'shop',
        container: 'app',
        cluster: 'prod',
      },
      annotations: {
        message: 'FailedMount happened',
        reason: 'FailedMount',
        type: 'Warning',
        count: '4',
        source: 'kubelet',
        host: 'node-3',
      },
    });
    // A rule's own annotations come first, formatted as alert annotations are.
    const annotated = compileRuleSets([
      set('n', {
        kind: 'events',
        rules: [
          {
            name: 'Mounts',
            condition: 'reason="FailedMount"',
            enable: true,
            type: 'notification',
            labels: { team: 'storage' },
            annotations: { message: '%involvedObject.name: %message' },
          },
        ],
      }),
    ]);
    const notified = evaluateKubeEvent(annotated, pod('FailedMount'), '').notification?.alert;
    expect(notified?.labels).toMatchObject({ ruletype: 'notification', team: 'storage' });
    expect(notified?.annotations).toEqual({
      message: 'web-1: FailedMount happened',
      reason: 'FailedMount',
      type: 'Warning',
      count: '4',
    });
  });

  test('an event no alert rule matches raises none', () => {
    expect(evaluateKubeEvent(rules, pod('BackOff'), 'prod').alert).toBeNull();
  });

  test('a rule that fails on an event ends that type for it, as the Go ruler does', () => {
    const failing = compileRuleSets([
      set('f', {
        kind: 'events',
        rules: [
          { name: 'Bad', condition: 'reason > 3', enable: true, type: 'alert' },
          { name: 'Good', condition: 'type="Warning"', enable: true, type: 'alert' },
        ],
      }),
    ]);
    const decision = evaluateKubeEvent(failing, pod('BackOff'), '');
    expect(decision.alert).toBeNull();
    expect(decision.failures).toEqual([
      { ruleSet: 'f', rule: 'Bad', message: 'BackOff is not number' },
    ]);
  });
});

const audit = (
  verb: string,
  resource: string,
  user = 'alice',
  extra: Record<string, unknown> = {},
) =>
  flattenAuditEvent(
    {
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: 'Metadata',
      auditID: `${verb}-${resource}`,
      stage: 'ResponseComplete',
      requestURI: `/api/v1/namespaces/shop/${resource}`,
      verb,
      user: { username: user, groups: ['system:authenticated'] },
      sourceIPs: ['10.0.0.9'],
      objectRef: { resource, namespace: 'shop', name: 'x', apiVersion: 'v1' },
      responseStatus: { metadata: {}, code: 200 },
      ...extra,
    } as never,
    'prod',
  );

describe('kube-auditing evaluation', () => {
  const rules = compileRuleSets([archiving, alerting, shared]);

  test('the documented rules: get/list/watch are not archived, changes are; INFO changes are kept, not alerted', () => {
    expect(rules.problems).toEqual([]);
    expect(evaluateAuditEvent(rules, audit('get', 'pods')).archive).toBe(false);
    const change = evaluateAuditEvent(rules, audit('update', 'configmaps'));
    expect(change.archive).toBe(true);
    expect(change.matched.map((r) => r.name)).toEqual(['archiving', 'ResourceChange']);
    expect(change.alerts).toEqual([]);
  });

  test('a WARNING rule alerts with its output, aliases replaced by the event fields', () => {
    const decision = evaluateAuditEvent(rules, audit('delete', 'secrets', 'mallory'));
    expect(decision.alerts.map((a) => a.alert)).toEqual([
      {
        labels: {
          alertname: 'SecretChanged',
          alerttype: 'auditing',
          priority: 'WARNING',
          cluster: 'prod',
          namespace: 'shop',
          resource: 'secrets',
          name: 'x',
          user: 'mallory',
          verb: 'delete',
        },
        annotations: { message: 'mallory changed a secret (mallory)', summary: 'a secret changed' },
      },
    ]);
    expect(evaluateAuditEvent(rules, audit('delete', 'secrets', 'system:admin')).alerts).toEqual(
      [],
    );
  });

  test('thresholds: raising archiving to INFO stops the DEBUG rule archiving; lowering alerting to INFO alerts changes', () => {
    const strict = compileRuleSets([
      { ...archiving, spec: { ...archiving.spec, threshold: 'INFO' } as RuleSetSpec },
      { ...alerting, spec: { ...alerting.spec, threshold: 'INFO' } as RuleSetSpec },
      shared,
    ]);
    const change = evaluateAuditEvent(strict, audit('patch', 'deployments'));
    expect(change.archive).toBe(false);
    expect(change.alerts.map((a) => a.rule.name)).toEqual(['ResourceChange']);
  });
});
