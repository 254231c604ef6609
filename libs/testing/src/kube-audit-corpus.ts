// Audit events in the exact shape kube-apiserver's webhook backend sends (audit.k8s.io/v1 Event),
// and the decisions kube-auditing's documented rules give them, written out independently of the
// rule engine so the specs compare two derivations.

/** One audit.k8s.io/v1 Event. */
export type KubeAuditEvent = Record<string, unknown> & {
  auditID: string;
  stage: string;
  verb: string;
};

const LEVELS = ['Metadata', 'Request', 'RequestResponse', 'None'] as const;
const STAGES = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'] as const;

interface Shape {
  verb: string;
  uri: string;
  user: string;
  groups?: string[];
  resource?: {
    resource: string;
    namespace?: string;
    name?: string;
    subresource?: string;
    apiGroup?: string;
  };
  code: number;
  impersonate?: string;
  requestObject?: Record<string, unknown>;
}

const SHAPES: Shape[] = [
  {
    verb: 'get',
    uri: '/api/v1/namespaces/default/pods/web-0',
    user: 'alice',
    resource: { resource: 'pods', namespace: 'default', name: 'web-0' },
    code: 200,
  },
  {
    verb: 'list',
    uri: '/api/v1/namespaces/kube-system/pods',
    user: 'system:serviceaccount:kube-system:replicaset-controller',
    resource: { resource: 'pods', namespace: 'kube-system' },
    code: 200,
  },
  {
    verb: 'watch',
    uri: '/api/v1/nodes?watch=true',
    user: 'system:node:node-1',
    groups: ['system:nodes'],
    resource: { resource: 'nodes' },
    code: 200,
  },
  {
    verb: 'create',
    uri: '/api/v1/namespaces/default/pods',
    user: 'alice',
    resource: { resource: 'pods', namespace: 'default', name: 'web-1' },
    code: 201,
    requestObject: { kind: 'Pod', apiVersion: 'v1', metadata: { name: 'web-1' } },
  },
  {
    verb: 'delete',
    uri: '/api/v1/namespaces/default/pods/web-1',
    user: 'bob',
    resource: { resource: 'pods', namespace: 'default', name: 'web-1' },
    code: 200,
  },
  {
    verb: 'patch',
    uri: '/apis/apps/v1/namespaces/shop/deployments/cart',
    user: 'carol',
    resource: { resource: 'deployments', namespace: 'shop', name: 'cart', apiGroup: 'apps' },
    code: 200,
  },
  {
    verb: 'update',
    uri: '/api/v1/namespaces/shop/configmaps/cfg',
    user: 'carol',
    resource: { resource: 'configmaps', namespace: 'shop', name: 'cfg' },
    code: 409,
  },
  {
    verb: 'get',
    uri: '/api/v1/namespaces/shop/secrets/db',
    user: 'dave',
    resource: { resource: 'secrets', namespace: 'shop', name: 'db' },
    code: 200,
  },
  {
    verb: 'get',
    uri: '/api/v1/namespaces/shop/secrets/db',
    user: 'system:serviceaccount:shop:app',
    resource: { resource: 'secrets', namespace: 'shop', name: 'db' },
    code: 200,
  },
  {
    verb: 'create',
    uri: '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
    user: 'eve',
    resource: {
      resource: 'clusterrolebindings',
      name: 'eve-admin',
      apiGroup: 'rbac.authorization.k8s.io',
    },
    code: 201,
    requestObject: {
      kind: 'ClusterRoleBinding',
      roleRef: { kind: 'ClusterRole', name: 'cluster-admin' },
    },
  },
  {
    verb: 'create',
    uri: '/api/v1/namespaces/default/pods/web-0/exec?command=sh',
    user: 'alice',
    resource: { resource: 'pods', namespace: 'default', name: 'web-0', subresource: 'exec' },
    code: 101,
  },
  {
    verb: 'get',
    uri: '/healthz',
    user: 'system:anonymous',
    groups: ['system:unauthenticated'],
    code: 200,
  },
  {
    verb: 'get',
    uri: '/version',
    user: 'system:anonymous',
    groups: ['system:unauthenticated'],
    code: 200,
  },
  { verb: 'get', uri: '/metrics', user: 'system:serviceaccount:monitoring:prometheus', code: 403 },
  {
    verb: 'list',
    uri: '/api/v1/secrets',
    user: 'frank',
    resource: { resource: 'secrets' },
    code: 403,
  },
  {
    verb: 'delete',
    uri: '/api/v1/namespaces/shop/pods/missing',
    user: 'bob',
    resource: { resource: 'pods', namespace: 'shop', name: 'missing' },
    code: 404,
    impersonate: 'system:serviceaccount:shop:deployer',
  },
  {
    verb: 'create',
    uri: '/api/v1/namespaces/shop/serviceaccounts/deployer/token',
    user: 'bob',
    resource: {
      resource: 'serviceaccounts',
      namespace: 'shop',
      name: 'deployer',
      subresource: 'token',
    },
    code: 201,
    impersonate: 'system:admin',
  },
];

const REASONS: Record<number, [string, string]> = {
  403: ['Forbidden', 'is forbidden: User cannot perform this action'],
  404: ['NotFound', 'not found'],
  409: ['Conflict', 'Operation cannot be fulfilled: the object has been modified'],
};

/** `n` audit events cycling through every level, stage and shape, one second apart from `t0`. */
export function auditCorpus(n: number, t0: number): KubeAuditEvent[] {
  const out: KubeAuditEvent[] = [];
  for (let i = 0; i < n; i++) {
    const s = SHAPES[i % SHAPES.length];
    const level = LEVELS[Math.floor(i / SHAPES.length) % LEVELS.length];
    const stage = STAGES[Math.floor(i / (SHAPES.length * LEVELS.length)) % STAGES.length];
    const received = new Date(t0 + i * 1000);
    const event: KubeAuditEvent = {
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level,
      auditID: `${(i + 1).toString(16).padStart(8, '0')}-6c1f-4e3a-9d2b-${(i * 7919).toString(16).padStart(12, '0')}`,
      stage,
      requestURI: s.uri,
      verb: s.verb,
      user: {
        username: s.user,
        uid: `uid-${s.user}`,
        groups: s.groups ?? ['system:authenticated'],
      },
      sourceIPs: ['10.0.0.' + ((i % 250) + 1)],
      userAgent: 'kubectl/v1.29.2 (linux/amd64) kubernetes/4b8e819',
      requestReceivedTimestamp: received.toISOString().replace('Z', '000Z'),
      stageTimestamp: new Date(received.getTime() + 3).toISOString().replace('Z', '000Z'),
      annotations: {
        'authorization.k8s.io/decision': s.code === 403 ? 'forbid' : 'allow',
        'authorization.k8s.io/reason': '',
      },
    };
    if (s.resource) event.objectRef = { apiVersion: 'v1', ...s.resource };
    if (s.impersonate)
      event.impersonatedUser = { username: s.impersonate, groups: ['system:authenticated'] };
    // RequestReceived has no response yet; the other stages carry the status (Metadata at least).
    if (stage !== 'RequestReceived') {
      const failure = REASONS[s.code];
      event.responseStatus = failure
        ? {
            metadata: {},
            status: 'Failure',
            message: `${s.resource?.resource ?? s.uri} ${failure[1]}`,
            reason: failure[0],
            code: s.code,
          }
        : { metadata: {}, code: s.code };
    }
    if ((level === 'Request' || level === 'RequestResponse') && s.requestObject)
      event.requestObject = s.requestObject;
    if (level === 'RequestResponse' && stage === 'ResponseComplete')
      event.responseObject = { kind: 'Status', apiVersion: 'v1', status: 'Success' };
    out.push(event);
  }
  return out;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const obj = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};

/**
 * kube-auditing's documented defaults: the archiving rule keeps every verb but get, list and
 * watch; alerting rules at WARNING raise alerts, ResourceChange (INFO, below the threshold) only
 * archives what it matches, which the archiving rule already covers.
 */
export function expectedAuditDecision(e: KubeAuditEvent): { archive: boolean; alerts: string[] } {
  const ref = obj(e.objectRef);
  const user = str(obj(e.user).username);
  const completed = e.stage === 'ResponseComplete';
  const alerts: string[] = [];
  if (completed && ref.resource === 'secrets' && !user.startsWith('system:'))
    alerts.push('SecretAccess');
  if (
    completed &&
    ref.resource === 'clusterrolebindings' &&
    ['create', 'update', 'patch'].includes(e.verb) &&
    obj(obj(e.requestObject).roleRef).name === 'cluster-admin'
  )
    alerts.push('ClusterAdminBinding');
  if (completed && ref.resource === 'pods' && ['exec', 'attach'].includes(str(ref.subresource)))
    alerts.push('PodExec');
  const code = obj(e.responseStatus).code;
  if (completed && user === 'system:anonymous' && typeof code === 'number' && code < 400)
    alerts.push('AnonymousRequest');
  return { archive: !['get', 'list', 'watch'].includes(e.verb), alerts };
}
