import { type ChatConfig, parseChatConfigs } from './chat-config';
import { type Checker, type Obj, join } from './config-checker';
import { type IntegrationConfig } from './config';
import { parseNmChannels } from './nm-channels';
import { SELECTOR_FIELDS, labelMap, quote, selectorMatchers, selects } from './nm-selectors';

/** notification-manager's channels, each a key of a Receiver and of a Config. */
export const NM_RECEIVER_CHANNELS = [
  'email',
  'webhook',
  'slack',
  'dingtalk',
  'feishu',
  'wechat',
  'telegram',
  'discord',
  'sms',
  'pushover',
] as const;

/** One of notification-manager's channels. */
export type NmReceiverChannel = (typeof NM_RECEIVER_CHANNELS)[number];

/** A Config object: one channel's server settings and credentials, picked by a receiver's selector. */
export interface NmConfig {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly channel: NmReceiverChannel;
  readonly spec: Obj;
  readonly path: string;
}

/** What a Receiver's channel becomes on Alertmanager's model. */
export interface NmReceiverDelivery {
  readonly channel: NmReceiverChannel;
  /** Its `alertSelector` as Alertmanager matchers. */
  readonly matchers: string[];
  /** Alertmanager receiver keys (email goes through `email_configs`). */
  readonly am: Obj;
  /** Integrations built here, added to the receiver after Alertmanager's are parsed. */
  readonly integrations: readonly IntegrationConfig[];
}

/** The fields of each channel's Config (KubeSphere's names; `apiUrl` lets a local server stand in). */
const CONFIG_FIELDS: Record<NmReceiverChannel, readonly string[]> = {
  email: [
    'from',
    'smartHost',
    'authUsername',
    'authPassword',
    'authIdentity',
    'requireTLS',
    'hello',
  ],
  webhook: ['httpConfig'],
  slack: ['slackTokenSecret', 'apiUrl'],
  dingtalk: [],
  feishu: [],
  wechat: ['wechatApiUrl', 'wechatApiCorpId', 'wechatApiAgentId', 'wechatApiSecret'],
  telegram: ['token', 'apiUrl'],
  discord: [],
  sms: ['url'],
  pushover: ['pushoverTokenSecret', 'apiUrl'],
};

/** Channels whose credentials sit in the Receiver (a chatbot's or webhook's URL): no Config needed. */
const CONFIG_OPTIONAL = new Set<NmReceiverChannel>(['webhook', 'dingtalk', 'feishu', 'discord']);

const COMMON_FIELDS = ['alertSelector', 'template', 'sendResolved', 'enabled'];
const RECEIVER_FIELDS: Record<NmReceiverChannel, readonly string[]> = {
  email: ['to', 'subjectTemplate'],
  webhook: ['url', 'httpConfig'],
  slack: ['channels'],
  dingtalk: ['chatbot', 'titleTemplate'],
  feishu: ['chatbot', 'titleTemplate'],
  wechat: ['toUser', 'toParty', 'toTag'],
  telegram: ['channels'],
  discord: ['webhook', 'titleTemplate'],
  sms: ['phoneNumbers'],
  pushover: ['profiles'],
};

/** Slack's Web API method a bot token posts to. */
const SLACK_POST_MESSAGE = 'https://slack.com/api/chat.postMessage';
const PUSHOVER_MESSAGES = 'https://api.pushover.net/1/messages.json';

/** The selector key of a channel (`emailConfigSelector`, `slackConfigSelector`...). */
export function configSelectorKey(channel: NmReceiverChannel): string {
  return `${channel}ConfigSelector`;
}

/**
 * A credential as notification-manager writes it: a string or `{value}`. `valueFrom` (a
 * Kubernetes Secret) is refused: there is no cluster to read it from.
 */
export function credential(c: Checker, raw: unknown, path: string): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw === 'string') return raw;
  const o = c.obj(raw, path, ['value', 'valueFrom']);
  if (o.valueFrom !== undefined)
    c.fail(join(path, 'valueFrom'), 'secrets are not read from Kubernetes here: give value');
  return c.str(o.value, join(path, 'value'));
}

function requiredCredential(c: Checker, raw: unknown, path: string): string {
  const v = credential(c, raw, path);
  if (!v) c.fail(path, 'missing credential');
  return v ?? '';
}

function httpUrl(c: Checker, raw: unknown, path: string): string {
  const v = credential(c, raw, path);
  if (!v) c.fail(path, 'missing URL');
  else if (!/^https?:\/\/[^/]/.test(v))
    c.fail(path, `unsupported scheme "${v.split(':')[0]}" for URL`);
  return v ?? '';
}

function strings(c: Checker, raw: unknown, path: string): string[] {
  return c.list(raw, path).map(String);
}

/** The Configs of the extensions document, each holding exactly one channel. */
export function parseNmConfigs(c: Checker, raw: unknown, path: string): NmConfig[] {
  return c.list(raw, path).flatMap((item, i) => {
    const p = join(path, i);
    const o = c.obj(item, p, ['name', 'labels', ...NM_RECEIVER_CHANNELS]);
    const present = NM_RECEIVER_CHANNELS.filter((k) => o[k] !== undefined);
    if (present.length !== 1) {
      c.fail(p, `a config holds exactly one channel of ${NM_RECEIVER_CHANNELS.join(', ')}`);
      return [];
    }
    const channel = present[0];
    return [
      {
        name: c.str(o.name, join(p, 'name')) ?? '',
        labels: labelMap(c, o.labels, join(p, 'labels')),
        channel,
        spec: c.obj(o[channel], join(p, channel), CONFIG_FIELDS[channel]),
        path: join(p, channel),
      },
    ];
  });
}

/** The channel a Receiver holds (exactly one of {@link NM_RECEIVER_CHANNELS}). */
export function receiverChannelOf(c: Checker, o: Obj, path: string): NmReceiverChannel | null {
  const present = NM_RECEIVER_CHANNELS.filter((k) => o[k] !== undefined);
  if (present.length === 1) return present[0];
  c.fail(
    path,
    present.length === 0
      ? `a receiver needs a channel: one of ${NM_RECEIVER_CHANNELS.join(', ')}`
      : `a receiver holds one channel, not ${present.join(' and ')}`,
  );
  return null;
}

/**
 * One Receiver's channel on Alertmanager's model: the Configs its `<channel>ConfigSelector` picks
 * (one integration each) with the receiver's own targets, defaults as notification-manager's.
 */
export function receiverDelivery(
  c: Checker,
  channel: NmReceiverChannel,
  raw: unknown,
  path: string,
  configs: readonly NmConfig[],
): NmReceiverDelivery {
  const selectorKey = configSelectorKey(channel);
  const e = c.obj(raw, path, [...COMMON_FIELDS, selectorKey, ...RECEIVER_FIELDS[channel]]);
  const matchers = selectorMatchers(c, e.alertSelector, join(path, 'alertSelector'));
  const selectorPath = join(path, selectorKey);
  let chosen: (NmConfig | null)[] = [null];
  if (e[selectorKey] !== undefined || !CONFIG_OPTIONAL.has(channel)) {
    const selector = c.obj(e[selectorKey], selectorPath, SELECTOR_FIELDS);
    selectorMatchers(c, selector, selectorPath);
    chosen = configs.filter((s) => s.channel === channel && selects(selector, s.labels));
    if (chosen.length === 0)
      c.fail(selectorPath, `selects no ${channel} config of notification_manager.configs`);
  }
  const sendResolved = c.bool(e.sendResolved, join(path, 'sendResolved'), true);
  const enabled = c.bool(e.enabled, join(path, 'enabled'), true);
  const template = c.str(e.template, join(path, 'template'));
  const title = c.str(e.titleTemplate, join(path, 'titleTemplate'));
  const ref = (name: string): string => `{{ template ${quote(name)} . }}`;
  const message = (key: string): Obj => (template === undefined ? {} : { [key]: ref(template) });
  const titled = (key: string): Obj => (title === undefined ? {} : { [key]: ref(title) });
  const out = (am: Obj, integrations: IntegrationConfig[] = []): NmReceiverDelivery => ({
    channel,
    matchers,
    am,
    integrations: enabled ? integrations : [],
  });
  // Alertmanager's parsers check the synthesized entries and apply their defaults; what they
  // could refuse was checked above at the receiver's own paths.
  const chat = (key: string, entries: Obj[]): ChatConfig[] =>
    parseChatConfigs(c, { [key]: entries }, path, {});

  switch (channel) {
    case 'email': {
      const to = strings(c, e.to, join(path, 'to'));
      if (to.length === 0) c.fail(join(path, 'to'), 'missing to addresses');
      const html = template ?? 'nm.default.html';
      const subject =
        c.str(e.subjectTemplate, join(path, 'subjectTemplate')) ?? 'nm.default.subject';
      const am = {
        email_configs: chosen.flatMap((s) =>
          s === null ? [] : [emailConfig(s.spec, to, sendResolved, html, subject)],
        ),
      };
      return out(enabled ? am : {});
    }
    case 'webhook': {
      const url = httpUrl(c, e.url, join(path, 'url'));
      return out(
        {},
        chosen.map((s) => ({
          kind: 'webhook' as const,
          sendResolved,
          url,
          maxAlerts: 0,
          ...bearer(c, e.httpConfig, join(path, 'httpConfig'), s),
        })),
      );
    }
    case 'slack': {
      const channels = strings(c, e.channels, join(path, 'channels'));
      if (channels.length === 0) c.fail(join(path, 'channels'), 'missing channels');
      return out(
        {},
        chosen.flatMap((s) => {
          if (s === null) return [];
          const token = requiredCredential(
            c,
            s.spec.slackTokenSecret,
            join(s.path, 'slackTokenSecret'),
          );
          const apiUrl = c.str(s.spec.apiUrl, join(s.path, 'apiUrl')) ?? SLACK_POST_MESSAGE;
          return chat(
            'slack_configs',
            channels.map((ch) => ({
              api_url: apiUrl,
              channel: ch,
              send_resolved: sendResolved,
              ...message('text'),
              ...titled('title'),
            })),
          ).map((x) => ({ ...x, authorization: `Bearer ${token}` }));
        }),
      );
    }
    case 'discord': {
      const webhook = httpUrl(c, e.webhook, join(path, 'webhook'));
      return out(
        {},
        chat('discord_configs', [
          {
            webhook_url: webhook,
            send_resolved: sendResolved,
            ...message('message'),
            ...titled('title'),
          },
        ]),
      );
    }
    case 'telegram': {
      const channels = strings(c, e.channels, join(path, 'channels'));
      if (channels.length === 0) c.fail(join(path, 'channels'), 'missing channels');
      return out(
        {},
        chosen.flatMap((s) => {
          if (s === null) return [];
          const token = requiredCredential(c, s.spec.token, join(s.path, 'token'));
          const apiUrl = c.str(s.spec.apiUrl, join(s.path, 'apiUrl'));
          // Telegram takes a numeric chat id or `@channelusername`; Alertmanager's field is numeric,
          // so the entry carries a placeholder and the real id is set after parsing.
          return channels.flatMap((ch) =>
            chat('telegram_configs', [
              {
                bot_token: token,
                chat_id: 1,
                send_resolved: sendResolved,
                ...(apiUrl === undefined ? {} : { api_url: apiUrl }),
                ...message('message'),
              },
            ]).map((x) => ({ ...x, chatId: /^-?\d+$/.test(ch) ? Number(ch) : ch })),
          );
        }),
      );
    }
    case 'wechat': {
      const targets = ['toUser', 'toParty', 'toTag'].map((k) =>
        strings(c, e[k], join(path, k)).join('|'),
      );
      if (targets.every((t) => t === ''))
        c.fail(path, 'needs at least one of toUser, toParty, toTag');
      return out(
        {},
        chosen.flatMap((s) => {
          if (s === null) return [];
          const secret = requiredCredential(
            c,
            s.spec.wechatApiSecret,
            join(s.path, 'wechatApiSecret'),
          );
          const corpId = c.str(s.spec.wechatApiCorpId, join(s.path, 'wechatApiCorpId'));
          if (!corpId) c.fail(join(s.path, 'wechatApiCorpId'), 'missing wechatApiCorpId');
          const agentId = c.str(s.spec.wechatApiAgentId, join(s.path, 'wechatApiAgentId'));
          if (!agentId) c.fail(join(s.path, 'wechatApiAgentId'), 'missing wechatApiAgentId');
          const apiUrl = c.str(s.spec.wechatApiUrl, join(s.path, 'wechatApiUrl'));
          return chat('wechat_configs', [
            {
              api_secret: secret,
              corp_id: corpId ?? '',
              agent_id: agentId ?? '',
              ...(apiUrl === undefined ? {} : { api_url: apiUrl }),
              to_user: targets[0],
              to_party: targets[1],
              to_tag: targets[2],
              send_resolved: sendResolved,
              ...message('message'),
            },
          ]);
        }),
      );
    }
    case 'pushover': {
      const profiles = c.list(e.profiles, join(path, 'profiles'));
      if (profiles.length === 0) c.fail(join(path, 'profiles'), 'missing profiles');
      const users = profiles.map((raw, i) => {
        const p = join(join(path, 'profiles'), i);
        const o = c.obj(raw, p, ['userKey', 'title', 'sound']);
        return {
          user_key: requiredCredential(c, o.userKey, join(p, 'userKey')),
          ...(o.title === undefined ? {} : { title: c.str(o.title, join(p, 'title')) }),
          ...(o.sound === undefined ? {} : { sound: c.str(o.sound, join(p, 'sound')) }),
        };
      });
      return out(
        {},
        chosen.flatMap((s) => {
          if (s === null) return [];
          const token = requiredCredential(
            c,
            s.spec.pushoverTokenSecret,
            join(s.path, 'pushoverTokenSecret'),
          );
          const apiUrl = c.str(s.spec.apiUrl, join(s.path, 'apiUrl')) ?? PUSHOVER_MESSAGES;
          return chat(
            'pushover_configs',
            users.map((u) => ({ ...u, token, send_resolved: sendResolved, ...message('message') })),
          ).map((x) => ({ ...x, apiUrl }));
        }),
      );
    }
    case 'dingtalk':
    case 'feishu': {
      const bp = join(path, 'chatbot');
      const bot = c.obj(e.chatbot, bp, ['webhook', 'secret', 'atMobiles', 'atAll']);
      if (channel === 'feishu' && (bot.atMobiles !== undefined || bot.atAll !== undefined))
        c.fail(bp, 'atMobiles and atAll are DingTalk fields');
      const entry = {
        webhook_url: httpUrl(c, bot.webhook, join(bp, 'webhook')),
        secret: credential(c, bot.secret, join(bp, 'secret')) ?? '',
        send_resolved: sendResolved,
        ...(bot.atMobiles === undefined ? {} : { at_mobiles: bot.atMobiles }),
        ...(bot.atAll === undefined ? {} : { at_all: bot.atAll }),
        ...message('message'),
        ...titled('title'),
      };
      return out({}, parseNmChannels(c, { [`${channel}_configs`]: [entry] }, path));
    }
    case 'sms': {
      const phoneNumbers = strings(c, e.phoneNumbers, join(path, 'phoneNumbers'));
      if (phoneNumbers.length === 0) c.fail(join(path, 'phoneNumbers'), 'missing phoneNumbers');
      return out(
        {},
        chosen.flatMap((s) => {
          if (s === null) return [];
          const url = httpUrl(c, s.spec.url, join(s.path, 'url'));
          return parseNmChannels(
            c,
            {
              sms_configs: [
                {
                  url,
                  phone_numbers: phoneNumbers,
                  send_resolved: sendResolved,
                  ...message('message'),
                },
              ],
            },
            path,
          );
        }),
      );
    }
  }
}

/** The webhook's bearer token: the receiver's `httpConfig`, else its Config's. */
function bearer(
  c: Checker,
  raw: unknown,
  path: string,
  config: NmConfig | null,
): { authorization?: string } {
  const own = c.obj(raw, path, ['bearerToken']);
  const fromConfig =
    config === null
      ? {}
      : c.obj(config.spec.httpConfig, join(config.path, 'httpConfig'), ['bearerToken']);
  const token =
    credential(c, own.bearerToken, join(path, 'bearerToken')) ??
    (config === null
      ? undefined
      : credential(
          c,
          fromConfig.bearerToken,
          join(join(config.path, 'httpConfig'), 'bearerToken'),
        ));
  return token ? { authorization: `Bearer ${token}` } : {};
}

function emailConfig(
  s: Obj,
  to: readonly string[],
  sendResolved: boolean,
  template: string,
  subject: string,
): Obj {
  const host = (s.smartHost ?? {}) as Obj;
  const password =
    typeof s.authPassword === 'object' && s.authPassword !== null
      ? (s.authPassword as Obj).value
      : s.authPassword;
  return {
    to: to.join(', '),
    send_resolved: sendResolved,
    ...(s.from !== undefined ? { from: s.from } : {}),
    ...(host.host !== undefined
      ? { smarthost: `${String(host.host)}:${String(host.port ?? 25)}` }
      : {}),
    ...(s.authUsername !== undefined ? { auth_username: s.authUsername } : {}),
    ...(password !== undefined ? { auth_password: password } : {}),
    ...(s.authIdentity !== undefined ? { auth_identity: s.authIdentity } : {}),
    ...(s.hello !== undefined ? { hello: s.hello } : {}),
    ...(s.requireTLS !== undefined ? { require_tls: s.requireTLS } : {}),
    html: `{{ template ${quote(template)} . }}`,
    headers: { Subject: `{{ template ${quote(subject)} . }}` },
  };
}
