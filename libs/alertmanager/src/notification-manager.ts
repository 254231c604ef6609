import { type Checker, type Obj, join } from './config-checker';
import { type NmReceiver, type NmRouter, parseNmRouters } from './nm-routers';
import { type IntegrationConfig } from './config';
import {
  NM_RECEIVER_CHANNELS,
  parseNmConfigs,
  receiverChannelOf,
  receiverDelivery,
} from './nm-receiver-channels';
import { alternation, labelMap } from './nm-selectors';
import { type NmSilence, parseNmSilences, silenceUser } from './nm-silences';

/**
 * The name problems of the extensions document are reported under (it is the Mimir envelope's key
 * beside `alertmanager_config`, and was a top-level key of the Alertmanager YAML in earlier builds).
 */
export const NOTIFICATION_MANAGER_KEY = 'notification_manager';

const DOC_FIELDS = [
  'receivers',
  'configs',
  'tenants',
  'routers',
  'silences',
  'alertmanager_receivers',
];
/** The receiver of alerts a routed receiver's parent route catches but none of its children: sends nothing. */
const UNROUTED = 'nm/';

/** Integrations a Receiver's channel adds to its Alertmanager receiver `nm/<name>`. */
export interface ReceiverIntegrations {
  readonly name: string;
  readonly configs: readonly IntegrationConfig[];
}

/** Strata's channels added to an Alertmanager receiver of the same name (`alertmanager_receivers`). */
export interface ReceiverChannels {
  readonly name: string;
  readonly path: string;
  readonly raw: Obj;
}

/** The Alertmanager configuration with the extensions document applied. */
export interface NotificationManagerParts {
  /** The Alertmanager configuration with receivers `nm/<name>` added. */
  readonly top: Obj;
  /** The receivers' routes, to go first under the root, ahead of the tenant's own tree. */
  readonly routes: readonly Obj[];
  readonly channels: readonly ReceiverChannels[];
  readonly integrations: readonly ReceiverIntegrations[];
  readonly silences: readonly NmSilence[];
}

/**
 * KubeSphere notification-manager's objects in the extensions document of a tenant's
 * configuration, translated onto Alertmanager's model: each Receiver becomes a receiver
 * `nm/<name>` with a first-level route (`continue: true`) whose matchers are its `alertSelector`'s,
 * narrowed for a tenant receiver (`type: tenant`, `user: <u>`) to the namespaces `tenants` gives
 * that user. Routers add routes of their own to the receivers they pick; a receiver is sent each
 * alert once however many of its routes match. Silences are kept for the flush to apply.
 */
export function withNotificationManager(
  c: Checker,
  top: Obj,
  raw: unknown,
): NotificationManagerParts {
  if (raw === undefined || raw === null)
    return { top, routes: [], channels: [], integrations: [], silences: [] };
  const base = NOTIFICATION_MANAGER_KEY;
  const nm = c.obj(raw, base, DOC_FIELDS);
  const configs = parseNmConfigs(c, nm.configs, join(base, 'configs'));
  const namespaces = tenantNamespaces(c, nm.tenants, join(base, 'tenants'));
  const receivers: Obj[] = [];
  const integrations: ReceiverIntegrations[] = [];
  const own = new Map<string, string[] | null>();
  const objects: NmReceiver[] = [];
  c.list(nm.receivers, join(base, 'receivers')).forEach((raw, i) => {
    const p = join(join(base, 'receivers'), i);
    const o = c.obj(raw, p, ['name', 'labels', ...NM_RECEIVER_CHANNELS]);
    const name = c.str(o.name, join(p, 'name')) ?? '';
    if (name === '') c.fail(join(p, 'name'), 'missing name in receiver');
    else if (objects.some((r) => r.name === name))
      c.fail(join(p, 'name'), `receiver "${name}" is not unique`);
    const labels = labelMap(c, o.labels, join(p, 'labels'));
    const user = silenceUser(c, labels, join(p, 'labels'));
    const channel = receiverChannelOf(c, o, p);
    if (channel === null) return;
    const cp = join(p, channel);
    const delivery = receiverDelivery(c, channel, o[channel], cp, configs);
    let matchers: string[] | null = delivery.matchers;
    if (user !== null) {
      // A tenant receiver sees only alerts of its user's namespaces (KubeSphere asks its tenant
      // service; here `tenants` says which namespaces are whose).
      const owned = namespaces.get(user) ?? [];
      matchers = owned.length === 0 ? null : [...matchers, `namespace=~${alternation(owned)}`];
    }
    receivers.push({ name: `nm/${name}`, ...delivery.am });
    if (delivery.integrations.length > 0)
      integrations.push({ name: `nm/${name}`, configs: delivery.integrations });
    own.set(name, matchers);
    objects.push({ name, labels, type: channel });
  });
  const routers = parseNmRouters(c, nm.routers, join(base, 'routers'), objects);
  const routes = objects.flatMap((r) => routesOf(r.name, own.get(r.name) ?? null, routers));
  if (routes.some((r) => r.receiver === UNROUTED)) receivers.push({ name: UNROUTED });
  const silences = parseNmSilences(c, nm.silences, join(base, 'silences'), (user) => {
    return new Set(
      objects
        .filter((r) => r.labels.type === 'tenant' && r.labels.user === user)
        .map((r) => `nm/${r.name}`),
    );
  });
  const channels = c
    .list(nm.alertmanager_receivers, join(base, 'alertmanager_receivers'))
    .map((raw, i) => {
      const path = join(join(base, 'alertmanager_receivers'), i);
      const o = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Obj) : {};
      if (o === raw) {
        const name = c.str(o.name, join(path, 'name'));
        if (!name) c.fail(join(path, 'name'), 'missing name of an alertmanager_config receiver');
      } else c.fail(path, 'must be a mapping');
      return { name: String(o.name ?? ''), path, raw: o };
    });
  return {
    top: { ...top, receivers: [...((top.receivers as unknown[] | undefined) ?? []), ...receivers] },
    routes,
    channels,
    integrations,
    silences,
  };
}

/** A receiver's first-level route; nested when routers pick it, so each alert reaches it once. */
function routesOf(name: string, own: string[] | null, routers: readonly NmRouter[]): Obj[] {
  const receiver = `nm/${name}`;
  const picked = routers.filter((r) => r.receivers.has(name));
  if (picked.length === 0) return own === null ? [] : [{ receiver, matchers: own, continue: true }];
  // The first child that matches wins (no `continue`); an alert no child takes stops at the
  // parent, whose receiver sends nothing.
  const children = [
    ...picked.map((r) => ({ receiver, matchers: r.matchers })),
    ...(own === null ? [] : [{ receiver, matchers: own }]),
  ];
  return [{ receiver: UNROUTED, continue: true, routes: children }];
}

/** `tenants`: which namespaces belong to which user (KubeSphere's tenant service answers this in notification-manager). */
function tenantNamespaces(c: Checker, raw: unknown, path: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  c.list(raw, path).forEach((t, i) => {
    const p = join(path, i);
    const o = c.obj(t, p, ['name', 'namespaces']);
    const name = c.str(o.name, join(p, 'name')) ?? '';
    if (name === '') c.fail(join(p, 'name'), 'missing name of the tenant');
    else if (out.has(name)) c.fail(join(p, 'name'), `tenant "${name}" is not unique`);
    out.set(name, c.list(o.namespaces, join(p, 'namespaces')).map(String));
  });
  return out;
}
