import { type Checker, type Obj, join } from './config-checker';

/** Slack (`slack_configs`): an incoming-webhook message with one attachment. */
export interface SlackConfig {
  readonly kind: 'slack';
  readonly sendResolved: boolean;
  readonly apiUrl: string;
  readonly channel: string;
  readonly username: string;
  readonly color: string;
  readonly title: string;
  readonly titleLink: string;
  readonly pretext: string;
  readonly text: string;
  readonly fallback: string;
  readonly callbackId: string;
  readonly footer: string;
  readonly iconEmoji: string;
  readonly iconUrl: string;
  /** The `Authorization` header value: a bot token for Slack's `chat.postMessage` (notification-manager's). */
  readonly authorization?: string;
}

/** Discord (`discord_configs`): a webhook message with one embed. */
export interface DiscordConfig {
  readonly kind: 'discord';
  readonly sendResolved: boolean;
  readonly webhookUrl: string;
  readonly title: string;
  readonly message: string;
}

/** Telegram (`telegram_configs`): the Bot API's `sendMessage`. */
export interface TelegramConfig {
  readonly kind: 'telegram';
  readonly sendResolved: boolean;
  readonly apiUrl: string;
  readonly botToken: string;
  /** A numeric id, or `@channelusername` (notification-manager's channels). */
  readonly chatId: number | string;
  readonly message: string;
  readonly parseMode: string;
  readonly disableNotifications: boolean;
}

/** WeCom (`wechat_configs`): an application message after `gettoken`. */
export interface WeChatConfig {
  readonly kind: 'wechat';
  readonly sendResolved: boolean;
  readonly apiUrl: string;
  readonly apiSecret: string;
  readonly corpId: string;
  readonly agentId: string;
  readonly toUser: string;
  readonly toParty: string;
  readonly toTag: string;
  readonly message: string;
  readonly messageType: 'text' | 'markdown';
}

/** Pushover (`pushover_configs`): the messages API. */
export interface PushoverConfig {
  readonly kind: 'pushover';
  readonly sendResolved: boolean;
  readonly apiUrl: string;
  readonly userKey: string;
  readonly token: string;
  readonly title: string;
  readonly message: string;
  readonly url: string;
  readonly priority: string;
  readonly sound: string;
  readonly html: boolean;
}

/** One chat integration. */
export type ChatConfig =
  SlackConfig | DiscordConfig | TelegramConfig | WeChatConfig | PushoverConfig;

const COMMON = ['send_resolved', 'http_config'];

function str(c: Checker, o: Obj, path: string, key: string, dflt: string): string {
  return c.str(o[key], join(path, key)) ?? dflt;
}

function required(
  c: Checker,
  o: Obj,
  path: string,
  key: string,
  dflt: string | undefined,
  reason: string,
): string {
  const v = c.str(o[key], join(path, key)) ?? dflt;
  if (!v) c.fail(join(path, key), reason);
  return v ?? '';
}

function each(
  c: Checker,
  o: Obj,
  path: string,
  key: string,
  fields: readonly string[],
  f: (o: Obj, p: string) => ChatConfig,
): ChatConfig[] {
  return c.list(o[key], join(path, key)).map((raw, i) => {
    const p = join(join(path, key), i);
    return f(c.obj(raw, p, [...COMMON, ...fields]), p);
  });
}

/** The chat integrations of one receiver, checked as Alertmanager 0.25 checks them, defaults applied. */
export function parseChatConfigs(c: Checker, o: Obj, path: string, global: Obj): ChatConfig[] {
  const bool = (x: Obj, p: string, dflt: boolean): boolean =>
    c.bool(x.send_resolved, join(p, 'send_resolved'), dflt);
  return [
    ...each(
      c,
      o,
      path,
      'slack_configs',
      [
        'api_url',
        'api_url_file',
        'channel',
        'username',
        'color',
        'title',
        'title_link',
        'pretext',
        'text',
        'fallback',
        'icon_emoji',
        'icon_url',
        'short_fields',
        'footer',
        'fields',
        'actions',
        'link_names',
        'mrkdwn_in',
        'callback_id',
        'image_url',
        'thumb_url',
      ],
      (x, p) => ({
        kind: 'slack',
        sendResolved: bool(x, p, false),
        apiUrl: required(
          c,
          x,
          p,
          'api_url',
          global.slack_api_url as string | undefined,
          'no global Slack API URL set either inline or in a file',
        ),
        channel: str(c, x, p, 'channel', ''),
        username: str(c, x, p, 'username', '{{ template "slack.default.username" . }}'),
        color: str(c, x, p, 'color', '{{ if eq .Status "firing" }}danger{{ else }}good{{ end }}'),
        title: str(c, x, p, 'title', '{{ template "slack.default.title" . }}'),
        titleLink: str(c, x, p, 'title_link', '{{ template "slack.default.titlelink" . }}'),
        pretext: str(c, x, p, 'pretext', '{{ template "slack.default.pretext" . }}'),
        text: str(c, x, p, 'text', '{{ template "slack.default.text" . }}'),
        fallback: str(c, x, p, 'fallback', '{{ template "slack.default.fallback" . }}'),
        callbackId: str(c, x, p, 'callback_id', '{{ template "slack.default.callbackid" . }}'),
        footer: str(c, x, p, 'footer', '{{ template "slack.default.footer" . }}'),
        iconEmoji: str(c, x, p, 'icon_emoji', '{{ template "slack.default.iconemoji" . }}'),
        iconUrl: str(c, x, p, 'icon_url', '{{ template "slack.default.iconurl" . }}'),
      }),
    ),
    ...each(c, o, path, 'discord_configs', ['webhook_url', 'title', 'message'], (x, p) => ({
      kind: 'discord',
      sendResolved: bool(x, p, true),
      webhookUrl: required(
        c,
        x,
        p,
        'webhook_url',
        undefined,
        'one of webhook_url or webhook_url_file must be configured',
      ),
      title: str(c, x, p, 'title', '{{ template "discord.default.title" . }}'),
      message: str(c, x, p, 'message', '{{ template "discord.default.message" . }}'),
    })),
    ...each(
      c,
      o,
      path,
      'telegram_configs',
      ['api_url', 'bot_token', 'chat_id', 'message', 'disable_notifications', 'parse_mode'],
      (x, p) => {
        const chatId = x.chat_id;
        if (typeof chatId !== 'number' || chatId === 0)
          c.fail(join(p, 'chat_id'), 'missing chat_id on telegram_config');
        return {
          kind: 'telegram',
          sendResolved: bool(x, p, true),
          apiUrl: str(
            c,
            x,
            p,
            'api_url',
            (global.telegram_api_url as string | undefined) ?? 'https://api.telegram.org',
          ),
          botToken: required(
            c,
            x,
            p,
            'bot_token',
            undefined,
            'missing bot_token on telegram_config',
          ),
          chatId: Number(chatId ?? 0),
          message: str(c, x, p, 'message', '{{ template "telegram.default.message" . }}'),
          parseMode: str(c, x, p, 'parse_mode', 'HTML'),
          disableNotifications: c.bool(
            x.disable_notifications,
            join(p, 'disable_notifications'),
            false,
          ),
        };
      },
    ),
    ...each(
      c,
      o,
      path,
      'wechat_configs',
      [
        'api_secret',
        'api_url',
        'corp_id',
        'agent_id',
        'to_user',
        'to_party',
        'to_tag',
        'message',
        'message_type',
      ],
      (x, p) => {
        const messageType = str(c, x, p, 'message_type', 'text');
        if (messageType !== 'text' && messageType !== 'markdown')
          c.fail(join(p, 'message_type'), `weChat message type "${messageType}" does not exist`);
        return {
          kind: 'wechat',
          sendResolved: bool(x, p, false),
          apiUrl: str(
            c,
            x,
            p,
            'api_url',
            (global.wechat_api_url as string | undefined) ?? 'https://qyapi.weixin.qq.com/cgi-bin/',
          ),
          apiSecret: required(
            c,
            x,
            p,
            'api_secret',
            global.wechat_api_secret as string | undefined,
            'no global Wechat ApiSecret set',
          ),
          corpId: required(
            c,
            x,
            p,
            'corp_id',
            global.wechat_api_corp_id as string | undefined,
            'no global Wechat CorpID set',
          ),
          agentId: str(c, x, p, 'agent_id', '{{ template "wechat.default.agent_id" . }}'),
          toUser: str(c, x, p, 'to_user', '{{ template "wechat.default.to_user" . }}'),
          toParty: str(c, x, p, 'to_party', '{{ template "wechat.default.to_party" . }}'),
          toTag: str(c, x, p, 'to_tag', '{{ template "wechat.default.to_tag" . }}'),
          message: str(c, x, p, 'message', '{{ template "wechat.default.message" . }}'),
          messageType: messageType === 'markdown' ? 'markdown' : 'text',
        };
      },
    ),
    ...each(
      c,
      o,
      path,
      'pushover_configs',
      [
        'user_key',
        'token',
        'title',
        'message',
        'url',
        'url_title',
        'sound',
        'priority',
        'retry',
        'expire',
        'html',
      ],
      (x, p) => ({
        kind: 'pushover',
        sendResolved: bool(x, p, true),
        apiUrl: 'https://api.pushover.net/1/messages.json',
        userKey: required(c, x, p, 'user_key', undefined, 'missing user key in Pushover config'),
        token: required(c, x, p, 'token', undefined, 'missing token in Pushover config'),
        title: str(c, x, p, 'title', '{{ template "pushover.default.title" . }}'),
        message: str(c, x, p, 'message', '{{ template "pushover.default.message" . }}'),
        url: str(c, x, p, 'url', '{{ template "pushover.default.url" . }}'),
        priority: str(c, x, p, 'priority', '{{ if eq .Status "firing" }}2{{ else }}0{{ end }}'),
        sound: str(c, x, p, 'sound', ''),
        html: c.bool(x.html, join(p, 'html'), false),
      }),
    ),
  ];
}
