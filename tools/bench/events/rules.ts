import { type RuleSetSpec } from '@strata/contracts';

/** 200 kube-auditing rules in the documented style: lists, macros, `in`, `like`, `contains`, `regex`. */
export function twoHundredRules(): RuleSetSpec {
  const rules: RuleSetSpec['rules'] = [
    { name: 'writes', type: 'list', list: ['create', 'update', 'patch', 'delete'], enable: false },
    { name: 'done', type: 'macro', macro: 'Stage = "ResponseComplete"', enable: false },
    { name: 'user', type: 'alias', alias: 'User.Username', enable: false },
  ];
  const shapes = [
    (k: number) => `\${done} and ObjectRef.Resource = "res${k}" and Verb in \${writes}`,
    (k: number) => `User.Username like "team-${k}-*" and Verb in ("get", "list")`,
    (k: number) => `RequestURI contains "/namespaces/ns-${k}/" and ResponseStatus.Code >= 400`,
    (k: number) => `ObjectRef.Namespace regex "^tenant-${k}(-.*)?$" and not Verb = "watch"`,
  ];
  for (let k = 0; k < 200; k++)
    rules.push({
      name: `rule-${k}`,
      type: 'rule',
      condition: shapes[k % shapes.length](k),
      priority: (['DEBUG', 'INFO', 'WARNING'] as const)[k % 3],
      enable: true,
      output: '${user} matched',
    });
  return { kind: 'auditing', group: 'alerting', threshold: 'WARNING', rules };
}
