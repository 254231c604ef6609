import { parseDocument } from 'yaml';
import { type ChatConfig, parseChatConfigs } from './chat-config';
import { Checker, type Obj, join } from './config-checker';
import { InvalidAlertmanagerConfigError } from './config-errors';
import { isValidLabelName } from './labels';
import { splitLegacyConfig } from './legacy-config';
import { NOTIFICATION_MANAGER_KEY, withNotificationManager } from './notification-manager';
import { NM_CHANNEL_KEYS, type NmChannelConfig, parseNmChannels } from './nm-channels';
import { type NmSilence } from './nm-silences';
import { type TimeInterval, parseTimeIntervals } from './time-intervals';
import {
  type Matcher,
  MatcherParseError,
  compareMatchers,
  newMatcher,
  parseMatchers,
} from './matchers';

/** A route of the tree with its options resolved against its parent's, as Alertmanager's `RouteOpts`. */
export interface RouteConfig {
  readonly receiver: string;
  /** `null` groups by every label (`...`). */
  readonly groupBy: readonly string[] | null;
  readonly matchers: readonly Matcher[];
  readonly continue: boolean;
  readonly groupWaitMs: number;
  readonly groupIntervalMs: number;
  readonly repeatIntervalMs: number;
  readonly muteTimeIntervals: readonly string[];
  readonly activeTimeIntervals: readonly string[];
  readonly routes: readonly RouteConfig[];
}

/** An inhibition rule: targets are muted while a source with equal `equal` labels fires. */
export interface InhibitRuleConfig {
  readonly sourceMatchers: readonly Matcher[];
  readonly targetMatchers: readonly Matcher[];
  readonly equal: readonly string[];
}

/** A webhook integration (Alertmanager's `webhook_configs` entry). */
export interface WebhookConfig {
  readonly kind: 'webhook';
  readonly sendResolved: boolean;
  readonly url: string;
  readonly maxAlerts: number;
  /** The `Authorization` header value (notification-manager's `httpConfig.bearerToken`). */
  readonly authorization?: string;
}

/** An email integration (Alertmanager's `email_configs` entry) with the global SMTP defaults applied. */
export interface EmailConfig {
  readonly kind: 'email';
  readonly sendResolved: boolean;
  readonly to: string;
  readonly from: string;
  readonly smarthost: string;
  readonly authUsername?: string;
  readonly authPassword?: string;
  readonly requireTls: boolean;
  readonly headers: Readonly<Record<string, string>>;
  readonly html: string;
  readonly text?: string;
}

/** One integration of a receiver. */
export type IntegrationConfig = WebhookConfig | EmailConfig | ChatConfig | NmChannelConfig;

/** A named receiver and its integrations. */
export interface ReceiverConfig {
  readonly name: string;
  readonly integrations: readonly IntegrationConfig[];
}

/** An Alertmanager configuration, validated and with defaults applied. */
export interface AlertmanagerConfig {
  readonly resolveTimeoutMs: number;
  readonly route: RouteConfig;
  readonly inhibitRules: readonly InhibitRuleConfig[];
  readonly receivers: readonly ReceiverConfig[];
  readonly timeIntervals: ReadonlyMap<string, readonly TimeInterval[]>;
  readonly templates: readonly string[];
  /** notification-manager's Silences, applied per receiver when a group is flushed. */
  readonly nmSilences: readonly NmSilence[];
  /** The Alertmanager YAML as uploaded, which `/api/v2/status` shows. */
  readonly original: string;
}

const TOP_FIELDS = [
  'global',
  'route',
  'inhibit_rules',
  'receivers',
  'templates',
  'time_intervals',
  'mute_time_intervals',
];
const GLOBAL_FIELDS = [
  'resolve_timeout',
  'http_config',
  'smtp_from',
  'smtp_hello',
  'smtp_smarthost',
  'smtp_auth_username',
  'smtp_auth_password',
  'smtp_auth_password_file',
  'smtp_auth_secret',
  'smtp_auth_identity',
  'smtp_require_tls',
  'slack_api_url',
  'slack_api_url_file',
  'victorops_api_key',
  'victorops_api_key_file',
  'victorops_api_url',
  'pagerduty_url',
  'opsgenie_api_key',
  'opsgenie_api_key_file',
  'opsgenie_api_url',
  'wechat_api_url',
  'wechat_api_secret',
  'wechat_api_corp_id',
  'telegram_api_url',
  'webex_api_url',
];
const ROUTE_FIELDS = [
  'receiver',
  'group_by',
  'continue',
  'matchers',
  'match',
  'match_re',
  'group_wait',
  'group_interval',
  'repeat_interval',
  'mute_time_intervals',
  'active_time_intervals',
  'routes',
];
const INHIBIT_FIELDS = [
  'source_match',
  'source_match_re',
  'source_matchers',
  'target_match',
  'target_match_re',
  'target_matchers',
  'equal',
];
const CHANNEL_KEYS = [
  'webhook_configs',
  'email_configs',
  'slack_configs',
  'discord_configs',
  'telegram_configs',
  'wechat_configs',
  'pushover_configs',
  'pagerduty_configs',
  'opsgenie_configs',
  'victorops_configs',
  'sns_configs',
  'webex_configs',
];
const WEBHOOK_FIELDS = ['send_resolved', 'url', 'url_file', 'http_config', 'max_alerts'];
const EMAIL_FIELDS = [
  'send_resolved',
  'to',
  'from',
  'hello',
  'smarthost',
  'auth_username',
  'auth_password',
  'auth_password_file',
  'auth_secret',
  'auth_identity',
  'headers',
  'html',
  'text',
  'require_tls',
  'tls_config',
];

/**
 * Parses and validates a tenant's configuration: the Alertmanager YAML as `amtool check-config`
 * does (unknown fields, durations, matchers, group_by, receivers named once and every route,
 * inhibit rule and time interval reference defined), and Strata's extensions document
 * (notification-manager's objects, extra channels) with problems under `notification_manager`.
 * An Alertmanager YAML of an earlier build that still holds the extensions is read as if they
 * had been moved out. Throws {@link InvalidAlertmanagerConfigError} with every problem.
 */
export function parseAlertmanagerConfig(
  yamlText: string,
  notificationManager = '',
): AlertmanagerConfig {
  const split = splitLegacyConfig(yamlText, notificationManager);
  const c = new Checker();
  const doc = parseDocument(split.alertmanagerConfig, { uniqueKeys: true });
  const nmDoc = parseDocument(split.notificationManager, { uniqueKeys: true });
  if (doc.errors.length > 0 || nmDoc.errors.length > 0)
    throw new InvalidAlertmanagerConfigError([
      ...doc.errors.map((e) => ({ path: '', reason: e.message })),
      ...nmDoc.errors.map((e) => ({ path: NOTIFICATION_MANAGER_KEY, reason: e.message })),
    ]);
  const nm = withNotificationManager(
    c,
    c.obj(doc.toJS() as unknown, '', TOP_FIELDS),
    nmDoc.toJS() as unknown,
  );
  const top = nm.top;
  const global = c.obj(top.global, 'global', GLOBAL_FIELDS);
  const resolveTimeoutMs =
    c.duration(global.resolve_timeout, 'global.resolve_timeout') ?? 5 * 60_000;

  const timeIntervals = new Map<string, readonly TimeInterval[]>();
  for (const key of ['time_intervals', 'mute_time_intervals'] as const) {
    c.list(top[key], key).forEach((ti, i) => {
      const o = c.obj(ti, join(key, i), ['name', 'time_intervals']);
      const name = c.str(o.name, join(join(key, i), 'name'));
      if (!name) c.fail(join(join(key, i), 'name'), 'missing name in time interval');
      else if (timeIntervals.has(name))
        c.fail(join(join(key, i), 'name'), `time interval "${name}" is not unique`);
      else
        timeIntervals.set(
          name,
          parseTimeIntervals(c, o.time_intervals, join(join(key, i), 'time_intervals')),
        );
    });
  }

  const receivers = c
    .list(top.receivers, 'receivers')
    .map((r, i) => receiver(c, r, join('receivers', i), global));
  for (const extra of nm.channels) {
    const at = receivers.findIndex((r) => r.name === extra.name);
    const fields = ['name', ...NM_CHANNEL_KEYS];
    const parsed = parseNmChannels(c, c.obj(extra.raw, extra.path, fields), extra.path);
    if (at < 0 && extra.name !== '')
      c.fail(
        join(extra.path, 'name'),
        `receiver "${extra.name}" is not defined in alertmanager_config`,
      );
    else if (at >= 0)
      receivers[at] = {
        ...receivers[at],
        integrations: [...receivers[at].integrations, ...parsed],
      };
  }
  for (const extra of nm.integrations) {
    const at = receivers.findIndex((r) => r.name === extra.name);
    if (at >= 0)
      receivers[at] = {
        ...receivers[at],
        integrations: [...receivers[at].integrations, ...extra.configs],
      };
  }
  const names = new Set<string>();
  receivers.forEach((r, i) => {
    if (r.name === '') c.fail(join(join('receivers', i), 'name'), 'missing name in receiver');
    else if (names.has(r.name))
      c.fail(
        join(join('receivers', i), 'name'),
        `notification config name "${r.name}" is not unique`,
      );
    names.add(r.name);
  });

  if (top.route === undefined || top.route === null) c.fail('route', 'no routes provided');
  const rootRaw = c.obj(top.route, 'route', ROUTE_FIELDS);
  if (rootRaw.receiver === undefined)
    c.fail('route.receiver', 'root route must specify a default receiver');
  if (
    rootRaw.matchers !== undefined ||
    rootRaw.match !== undefined ||
    rootRaw.match_re !== undefined
  )
    c.fail('route', 'root route must not have any matchers');
  if (rootRaw.mute_time_intervals !== undefined || rootRaw.active_time_intervals !== undefined)
    c.fail('route', 'root route must not have any mute time intervals');
  const rootDefaults: RouteConfig = {
    receiver: '',
    groupBy: [],
    matchers: [],
    continue: false,
    groupWaitMs: 30_000,
    groupIntervalMs: 5 * 60_000,
    repeatIntervalMs: 4 * 3_600_000,
    muteTimeIntervals: [],
    activeTimeIntervals: [],
    routes: [],
  };
  const tenantRoot = route(c, top.route, 'route', rootDefaults, names, timeIntervals);
  // notification-manager's routes continue; the tenant's own tree then sits in one catch-all
  // child, so an alert they take still reaches the tenant's routes or default receiver.
  const root: RouteConfig =
    nm.routes.length === 0
      ? tenantRoot
      : {
          ...tenantRoot,
          routes: [
            ...nm.routes.map((r, i) =>
              route(
                c,
                r,
                join(join(NOTIFICATION_MANAGER_KEY, 'routes'), i),
                tenantRoot,
                names,
                timeIntervals,
              ),
            ),
            tenantRoot,
          ],
        };

  const inhibitRules = c.list(top.inhibit_rules, 'inhibit_rules').map((r, i) => {
    const p = join('inhibit_rules', i);
    const o = c.obj(r, p, INHIBIT_FIELDS);
    return {
      sourceMatchers: matcherFields(c, o, p, 'source_'),
      targetMatchers: matcherFields(c, o, p, 'target_'),
      equal: labelNames(c, o.equal, join(p, 'equal')),
    };
  });
  const templates = c
    .list(top.templates, 'templates')
    .map((t, i) => c.str(t, join('templates', i)) ?? '');

  if (c.problems.length > 0) throw new InvalidAlertmanagerConfigError(c.problems);
  return {
    resolveTimeoutMs,
    route: root,
    inhibitRules,
    receivers,
    timeIntervals,
    templates,
    nmSilences: nm.silences,
    original: split.alertmanagerConfig,
  };
}

function route(
  c: Checker,
  raw: unknown,
  path: string,
  parent: RouteConfig,
  receivers: ReadonlySet<string>,
  timeIntervals: ReadonlyMap<string, readonly TimeInterval[]>,
): RouteConfig {
  const o = c.obj(raw, path, ROUTE_FIELDS);
  const receiver = c.str(o.receiver, join(path, 'receiver')) ?? parent.receiver;
  if (o.receiver !== undefined && !receivers.has(receiver))
    c.fail(join(path, 'receiver'), `undefined receiver "${receiver}" used in route`);
  let groupBy: string[] | null = parent.groupBy === null ? null : [...parent.groupBy];
  if (o.group_by !== undefined) {
    const given = c
      .list(o.group_by, join(path, 'group_by'))
      .map((g, i) => c.str(g, join(join(path, 'group_by'), i)) ?? '');
    const seen = new Set<string>();
    for (const [i, g] of given.entries()) {
      const p = join(join(path, 'group_by'), i);
      if (g === '...') continue;
      if (!isValidLabelName(g)) c.fail(p, `invalid label name "${g}" in group_by list`);
      if (seen.has(g)) c.fail(p, `duplicated label "${g}" in group_by`);
      seen.add(g);
    }
    if (given.includes('...') && given.length > 1)
      c.fail(
        join(path, 'group_by'),
        'cannot have wildcard group_by (`...`) and other other labels at the same time',
      );
    groupBy = given.includes('...') ? null : given;
  }
  const groupIntervalMs =
    c.duration(o.group_interval, join(path, 'group_interval')) ?? parent.groupIntervalMs;
  const repeatIntervalMs =
    c.duration(o.repeat_interval, join(path, 'repeat_interval')) ?? parent.repeatIntervalMs;
  if (o.group_interval !== undefined && groupIntervalMs === 0)
    c.fail(join(path, 'group_interval'), 'group_interval cannot be zero');
  if (o.repeat_interval !== undefined && repeatIntervalMs === 0)
    c.fail(join(path, 'repeat_interval'), 'repeat_interval cannot be zero');
  const intervals = (key: 'mute_time_intervals' | 'active_time_intervals'): string[] =>
    c.list(o[key], join(path, key)).map((n, i) => {
      const name = c.str(n, join(join(path, key), i)) ?? '';
      if (!timeIntervals.has(name))
        c.fail(join(join(path, key), i), `undefined time interval "${name}" used in route`);
      return name;
    });
  const self: RouteConfig = {
    receiver,
    groupBy,
    matchers: matcherFields(c, o, path, ''),
    continue: c.bool(o.continue, join(path, 'continue'), false),
    groupWaitMs: c.duration(o.group_wait, join(path, 'group_wait')) ?? parent.groupWaitMs,
    groupIntervalMs,
    repeatIntervalMs,
    muteTimeIntervals: intervals('mute_time_intervals'),
    activeTimeIntervals: intervals('active_time_intervals'),
    routes: [],
  };
  const routes = c
    .list(o.routes, join(path, 'routes'))
    .map((r, i) => route(c, r, join(join(path, 'routes'), i), self, receivers, timeIntervals));
  return { ...self, routes };
}

/** `match`, `match_re` and `matchers` of a route or one side of an inhibit rule, sorted as Alertmanager sorts them. */
function matcherFields(c: Checker, o: Obj, path: string, prefix: string): Matcher[] {
  const out: Matcher[] = [];
  const eq = c.obj(
    o[`${prefix}match`],
    join(path, `${prefix}match`),
    Object.keys((o[`${prefix}match`] as Obj | undefined) ?? {}),
  );
  for (const [k, v] of Object.entries(eq)) {
    const p = join(join(path, `${prefix}match`), k);
    if (!isValidLabelName(k)) c.fail(p, `invalid label name "${k}"`);
    out.push(newMatcher(k, '=', String(v)));
  }
  const re = c.obj(
    o[`${prefix}match_re`],
    join(path, `${prefix}match_re`),
    Object.keys((o[`${prefix}match_re`] as Obj | undefined) ?? {}),
  );
  for (const [k, v] of Object.entries(re)) {
    const p = join(join(path, `${prefix}match_re`), k);
    if (!isValidLabelName(k)) c.fail(p, `invalid label name "${k}"`);
    try {
      out.push(newMatcher(k, '=~', String(v)));
    } catch (e) {
      c.fail(p, (e as Error).message);
    }
  }
  c.list(o[`${prefix}matchers`], join(path, `${prefix}matchers`)).forEach((m, i) => {
    const p = join(join(path, `${prefix}matchers`), i);
    const s = c.str(m, p);
    if (s === undefined) return;
    try {
      out.push(...parseMatchers(s));
    } catch (e) {
      if (e instanceof MatcherParseError) c.fail(p, e.message);
      else throw e;
    }
  });
  return out.sort(compareMatchers);
}

function labelNames(c: Checker, v: unknown, path: string): string[] {
  return c.list(v, path).map((n, i) => {
    const s = c.str(n, join(path, i)) ?? '';
    if (!isValidLabelName(s)) c.fail(join(path, i), `invalid label name "${s}"`);
    return s;
  });
}

function receiver(c: Checker, raw: unknown, path: string, global: Obj): ReceiverConfig {
  const o = c.obj(raw, path, ['name', ...CHANNEL_KEYS]);
  const name = c.str(o.name, join(path, 'name')) ?? '';
  const integrations: IntegrationConfig[] = [];
  c.list(o.webhook_configs, join(path, 'webhook_configs')).forEach((w, i) => {
    const p = join(join(path, 'webhook_configs'), i);
    const wo = c.obj(w, p, WEBHOOK_FIELDS);
    const url = c.str(wo.url, join(p, 'url'));
    if (url === undefined && wo.url_file === undefined)
      c.fail(p, 'one of url or url_file must be configured');
    else if (url !== undefined && !/^https?:\/\/[^/]/.test(url))
      c.fail(join(p, 'url'), `unsupported scheme "${url.split(':')[0]}" for URL`);
    const maxAlerts = wo.max_alerts ?? 0;
    if (typeof maxAlerts !== 'number' || !Number.isInteger(maxAlerts) || maxAlerts < 0)
      c.fail(join(p, 'max_alerts'), 'must be a non-negative integer');
    integrations.push({
      kind: 'webhook',
      sendResolved: c.bool(wo.send_resolved, join(p, 'send_resolved'), true),
      url: url ?? '',
      maxAlerts: Number(maxAlerts),
    });
  });
  c.list(o.email_configs, join(path, 'email_configs')).forEach((e, i) => {
    const p = join(join(path, 'email_configs'), i);
    const eo = c.obj(e, p, EMAIL_FIELDS);
    const to = c.str(eo.to, join(p, 'to'));
    if (!to) c.fail(join(p, 'to'), 'missing to address in email config');
    const from = c.str(eo.from, join(p, 'from')) ?? (global.smtp_from as string | undefined);
    if (!from) c.fail(join(p, 'from'), 'no global SMTP from set');
    const smarthost =
      c.str(eo.smarthost, join(p, 'smarthost')) ?? (global.smtp_smarthost as string | undefined);
    if (!smarthost) c.fail(join(p, 'smarthost'), 'no global SMTP smarthost set');
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(
      c.obj(eo.headers, join(p, 'headers'), Object.keys((eo.headers as Obj | undefined) ?? {})),
    ))
      headers[k[0].toUpperCase() + k.slice(1).toLowerCase()] = String(v);
    integrations.push({
      kind: 'email',
      sendResolved: c.bool(eo.send_resolved, join(p, 'send_resolved'), false),
      to: to ?? '',
      from: from ?? '',
      smarthost: smarthost ?? '',
      authUsername:
        c.str(eo.auth_username, join(p, 'auth_username')) ??
        (global.smtp_auth_username as string | undefined),
      authPassword:
        c.str(eo.auth_password, join(p, 'auth_password')) ??
        (global.smtp_auth_password as string | undefined),
      requireTls: c.bool(
        eo.require_tls,
        join(p, 'require_tls'),
        (global.smtp_require_tls as boolean | undefined) ?? true,
      ),
      headers,
      html: c.str(eo.html, join(p, 'html')) ?? '{{ template "email.default.html" . }}',
      text: c.str(eo.text, join(p, 'text')),
    });
  });
  integrations.push(...parseChatConfigs(c, o, path, global));
  return { name, integrations };
}
