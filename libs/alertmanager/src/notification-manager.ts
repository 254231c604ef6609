import { type Checker, type Obj, join } from './config-checker';

/**
 * KubeSphere notification-manager's objects in a tenant's configuration (`notification_manager`,
 * a Strata extension): Receivers that pick alerts with a label selector (`alertSelector`) and
 * channel Configs with another (`emailConfigSelector`), rendered with named templates. They are
 * translated onto Alertmanager's model before it is checked: each receiver becomes a receiver
 * `nm/<name>` and a first-level route with `continue: true` whose matchers are the selector's, so
 * every receiver sees each alert its selector allows, beside the tenant's own routes.
 */
export const NOTIFICATION_MANAGER_KEY = 'notification_manager';

const SELECTOR_FIELDS = ['matchLabels', 'matchExpressions'];
const OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;

function quote(v: string): string {
  return JSON.stringify(v);
}

function alternation(values: readonly string[]): string {
  return quote(values.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'));
}

/** A Kubernetes label selector as Alertmanager matchers (all must hold). */
function selectorMatchers(c: Checker, raw: unknown, path: string): string[] {
  const o = c.obj(raw, path, SELECTOR_FIELDS);
  const labels = c.obj(
    o.matchLabels,
    join(path, 'matchLabels'),
    Object.keys((o.matchLabels as Obj | undefined) ?? {}),
  );
  const out = Object.entries(labels).map(([k, v]) => `${k}=${quote(String(v))}`);
  c.list(o.matchExpressions, join(path, 'matchExpressions')).forEach((e, i) => {
    const p = join(join(path, 'matchExpressions'), i);
    const x = c.obj(e, p, ['key', 'operator', 'values']);
    const key = c.str(x.key, join(p, 'key')) ?? '';
    if (key === '') c.fail(join(p, 'key'), 'missing key');
    const op = c.str(x.operator, join(p, 'operator'));
    const values = c.list(x.values, join(p, 'values')).map(String);
    if (op === 'In' || op === 'NotIn') {
      if (values.length === 0) c.fail(join(p, 'values'), `${op} needs at least one value`);
      out.push(`${key}${op === 'In' ? '=~' : '!~'}${alternation(values)}`);
    } else if (op === 'Exists' || op === 'DoesNotExist') {
      if (values.length > 0) c.fail(join(p, 'values'), `${op} takes no values`);
      out.push(`${key}${op === 'Exists' ? '!=' : '='}""`);
    } else c.fail(join(p, 'operator'), `operator must be one of ${OPERATORS.join(', ')}`);
  });
  return out;
}

/** Whether a Config's labels satisfy a selector (matchLabels and matchExpressions). */
function selects(selector: Obj, labels: Readonly<Record<string, string>>): boolean {
  const match = (selector.matchLabels ?? {}) as Record<string, unknown>;
  if (!Object.entries(match).every(([k, v]) => labels[k] === String(v))) return false;
  const exprs = (selector.matchExpressions ?? []) as Array<{
    key: string;
    operator: string;
    values?: unknown[];
  }>;
  return exprs.every((e) => {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const values = (e.values ?? []).map(String);
    switch (e.operator) {
      case 'In':
        return has && values.includes(labels[e.key]);
      case 'NotIn':
        return !has || !values.includes(labels[e.key]);
      case 'Exists':
        return has;
      default:
        return !has;
    }
  });
}

interface EmailServer {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly email: Obj;
}

/**
 * The configuration with `notification_manager` translated into Alertmanager receivers and
 * routes (problems reported at their paths under it); unchanged without that key.
 */
export function withNotificationManager(c: Checker, top: Obj): Obj {
  if (top[NOTIFICATION_MANAGER_KEY] === undefined) return top;
  const base = NOTIFICATION_MANAGER_KEY;
  const nm = c.obj(top[NOTIFICATION_MANAGER_KEY], base, ['receivers', 'configs']);
  const servers: EmailServer[] = c.list(nm.configs, join(base, 'configs')).map((raw, i) => {
    const p = join(join(base, 'configs'), i);
    const o = c.obj(raw, p, ['name', 'labels', 'email']);
    const labels = c.obj(
      o.labels,
      join(p, 'labels'),
      Object.keys((o.labels as Obj | undefined) ?? {}),
    );
    const email = c.obj(o.email, join(p, 'email'), [
      'from',
      'smartHost',
      'authUsername',
      'authPassword',
      'authIdentity',
      'requireTLS',
      'hello',
    ]);
    return {
      name: c.str(o.name, join(p, 'name')) ?? '',
      labels: Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, String(v)])),
      email,
    };
  });
  const receivers: Obj[] = [];
  const routes: Obj[] = [];
  c.list(nm.receivers, join(base, 'receivers')).forEach((raw, i) => {
    const p = join(join(base, 'receivers'), i);
    const o = c.obj(raw, p, ['name', 'email']);
    const name = c.str(o.name, join(p, 'name')) ?? '';
    if (name === '') c.fail(join(p, 'name'), 'missing name in receiver');
    const ep = join(p, 'email');
    const e = c.obj(o.email, ep, [
      'to',
      'alertSelector',
      'emailConfigSelector',
      'template',
      'subjectTemplate',
      'sendResolved',
    ]);
    const to = c.list(e.to, join(ep, 'to')).map(String);
    if (to.length === 0) c.fail(join(ep, 'to'), 'missing to addresses');
    const matchers = selectorMatchers(c, e.alertSelector, join(ep, 'alertSelector'));
    const configSelector = c.obj(
      e.emailConfigSelector,
      join(ep, 'emailConfigSelector'),
      SELECTOR_FIELDS,
    );
    selectorMatchers(c, configSelector, join(ep, 'emailConfigSelector'));
    const chosen = servers.filter((s) => selects(configSelector, s.labels));
    if (chosen.length === 0)
      c.fail(join(ep, 'emailConfigSelector'), 'selects no config of notification_manager.configs');
    const template = c.str(e.template, join(ep, 'template')) ?? 'nm.default.html';
    const subject = c.str(e.subjectTemplate, join(ep, 'subjectTemplate')) ?? 'nm.default.subject';
    receivers.push({
      name: `nm/${name}`,
      email_configs: chosen.map((s) => {
        const host = (s.email.smartHost ?? {}) as Obj;
        return {
          to: to.join(', '),
          send_resolved: c.bool(e.sendResolved, join(ep, 'sendResolved'), true),
          ...(s.email.from !== undefined ? { from: s.email.from } : {}),
          ...(host.host !== undefined
            ? { smarthost: `${String(host.host)}:${String(host.port ?? 25)}` }
            : {}),
          ...(s.email.authUsername !== undefined ? { auth_username: s.email.authUsername } : {}),
          ...(s.email.authPassword !== undefined ? { auth_password: s.email.authPassword } : {}),
          ...(s.email.authIdentity !== undefined ? { auth_identity: s.email.authIdentity } : {}),
          ...(s.email.hello !== undefined ? { hello: s.email.hello } : {}),
          ...(s.email.requireTLS !== undefined ? { require_tls: s.email.requireTLS } : {}),
          html: `{{ template ${quote(template)} . }}`,
          headers: { Subject: `{{ template ${quote(subject)} . }}` },
        };
      }),
    });
    routes.push({ receiver: `nm/${name}`, matchers, continue: true });
  });
  const { [NOTIFICATION_MANAGER_KEY]: _nm, ...rest } = top;
  const route = (rest.route ?? {}) as Obj;
  return {
    ...rest,
    receivers: [...((rest.receivers as unknown[] | undefined) ?? []), ...receivers],
    route: { ...route, routes: [...routes, ...((route.routes as unknown[] | undefined) ?? [])] },
  };
}
