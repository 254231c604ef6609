import type { EventsRule, RuleSetSpec } from '@strata/contracts';

const podWarning = (reason: string, extra = ''): string =>
  `type="Warning" and involvedObject.kind="Pod" and reason="${reason}"${extra}`;

function alert(name: string, condition: string, summary: string): EventsRule {
  return {
    name,
    condition,
    enable: true,
    type: 'alert',
    labels: { severity: 'warning' },
    annotations: { message: '%message', summary },
  };
}

/**
 * The kube-events rules a new tenant starts with (written for Strata from kube-events' documented
 * behaviour): container and pod lifecycle notifications, alerts for failing pods, nodes and volumes.
 */
export const DEFAULT_EVENTS_RULES: RuleSetSpec = {
  kind: 'events',
  rules: [
    {
      name: 'ContainerStarted',
      condition:
        'type="Normal" and involvedObject.kind="Pod" and reason="Started" and involvedObject.fieldPath != ""',
      enable: true,
      type: 'notification',
    },
    {
      name: 'ContainerKilled',
      condition: 'type="Normal" and involvedObject.kind="Pod" and reason="Killing"',
      enable: true,
      type: 'notification',
    },
    alert('PodNetworkNotReady', podWarning('NetworkNotReady'), 'Pod network is not ready'),
    alert(
      'ContainerFailed',
      podWarning('Failed', ' and involvedObject.fieldPath != ""'),
      'A container failed',
    ),
    alert(
      'ContainerBackOff',
      podWarning('BackOff', ' and count > 3'),
      'A container keeps restarting',
    ),
    alert('ContainerUnhealthy', podWarning('Unhealthy', ' and count > 3'), 'A probe keeps failing'),
    alert('PodScheduleFailed', podWarning('FailedScheduling'), 'A pod cannot be scheduled'),
    alert('PodEvicted', podWarning('Evicted'), 'A pod was evicted'),
    alert('VolumeMountFailed', podWarning('FailedMount'), 'A volume cannot be mounted'),
    alert(
      'NodeNotReady',
      'involvedObject.kind="Node" and reason in ("NodeNotReady", "NodeNotSchedulable")',
      'Node %involvedObject.name is not ready',
    ),
    alert(
      'NodeResourcePressure',
      'type="Warning" and involvedObject.kind="Node" and reason regex "^(EvictionThresholdMet|SystemOOM|FreeDiskSpaceFailed)$"',
      'Node %involvedObject.name is short of resources',
    ),
    alert(
      'WorkloadCreateFailed',
      'type="Warning" and involvedObject.kind in ("ReplicaSet", "StatefulSet", "DaemonSet", "Job") and reason in ("FailedCreate", "BackoffLimitExceeded")',
      '%involvedObject.kind %involvedObject.name cannot create its pods',
    ),
  ],
};

/** kube-auditing's documented archiving rules: everything but reads, at DEBUG. */
export const DEFAULT_AUDIT_ARCHIVING: RuleSetSpec = {
  kind: 'auditing',
  group: 'archiving',
  threshold: 'DEBUG',
  rules: [
    {
      name: 'ignore-action',
      type: 'list',
      desc: 'reads are not archived',
      list: ['get', 'list', 'watch'],
      enable: false,
    },
    {
      name: 'archiving',
      type: 'rule',
      desc: 'every audit event but get, list and watch',
      condition: 'Verb not in ${ignore-action}',
      priority: 'DEBUG',
      enable: true,
    },
  ],
};

/** kube-auditing's documented alerting rules (changes kept at INFO) plus WARNING alerts on sensitive changes. */
export const DEFAULT_AUDIT_ALERTING: RuleSetSpec = {
  kind: 'auditing',
  group: 'alerting',
  threshold: 'WARNING',
  rules: [
    {
      name: 'action',
      type: 'list',
      desc: 'changing verbs',
      list: ['create', 'delete', 'update', 'patch'],
      enable: false,
    },
    { name: 'user', type: 'alias', alias: 'User.Username', enable: false },
    { name: 'resource', type: 'alias', alias: 'ObjectRef.Resource', enable: false },
    { name: 'name', type: 'alias', alias: 'ObjectRef.Name', enable: false },
    { name: 'namespace', type: 'alias', alias: 'ObjectRef.Namespace', enable: false },
    {
      name: 'completed',
      type: 'macro',
      desc: 'one event per request',
      macro: 'Stage = "ResponseComplete"',
      enable: false,
    },
    {
      name: 'ResourceChange',
      type: 'rule',
      desc: 'a resource changed',
      condition: 'Verb in ${action}',
      priority: 'INFO',
      enable: true,
    },
    {
      name: 'SecretAccess',
      type: 'rule',
      desc: 'secrets read or changed by a person',
      condition:
        '${completed} and ObjectRef.Resource = "secrets" and Verb in ("get", "list", "watch", "create", "update", "patch", "delete") and User.Username not like "system:*"',
      priority: 'WARNING',
      enable: true,
      output: '${user} ${resource} ${namespace}/${name}',
    },
    {
      name: 'ClusterAdminBinding',
      type: 'rule',
      desc: 'cluster-admin granted',
      condition:
        '${completed} and ObjectRef.Resource = "clusterrolebindings" and Verb in ("create", "update", "patch") and RequestObject.roleRef.name = "cluster-admin"',
      priority: 'WARNING',
      enable: true,
      output: '${user} bound cluster-admin with ${name}',
    },
    {
      name: 'PodExec',
      type: 'rule',
      desc: 'a shell was opened in a pod',
      condition:
        '${completed} and ObjectRef.Resource = "pods" and ObjectRef.Subresource in ("exec", "attach")',
      priority: 'WARNING',
      enable: true,
      output: '${user} exec into ${namespace}/${name}',
    },
    {
      name: 'AnonymousRequest',
      type: 'rule',
      desc: 'a request by an anonymous user was allowed',
      condition:
        '${completed} and User.Username = "system:anonymous" and ResponseStatus.Code < 400',
      priority: 'WARNING',
      enable: true,
      output: 'anonymous ${resource} request allowed',
    },
  ],
};

/** The rule sets a new tenant gets, by name (tenant-wide). */
export const DEFAULT_RULE_SETS: ReadonlyArray<{
  readonly name: string;
  readonly spec: RuleSetSpec;
}> = [
  { name: 'kube-events-default', spec: DEFAULT_EVENTS_RULES },
  { name: 'archiving-rule', spec: DEFAULT_AUDIT_ARCHIVING },
  { name: 'alerting-rule', spec: DEFAULT_AUDIT_ALERTING },
];
