import { createHmac } from 'node:crypto';
import { type Alert } from './alert';
import { type Checker, type Obj, join } from './config-checker';
import { type NotifyContext, NotifyError } from './integrations';
import { templateData } from './template-data';
import { TemplateSet } from './template/render';

/**
 * DingTalk's custom robot (`dingtalk_configs`, a Strata extension after notification-manager):
 * `msgtype` markdown or text, signed with HMAC-SHA256 over `timestamp\nsecret` when a secret is set.
 */
export interface DingTalkConfig {
  readonly kind: 'dingtalk';
  readonly sendResolved: boolean;
  readonly webhookUrl: string;
  readonly secret: string;
  readonly messageType: 'markdown' | 'text';
  readonly title: string;
  readonly message: string;
  readonly atMobiles: readonly string[];
  readonly atAll: boolean;
}

/** Feishu's (Lark's) custom bot (`feishu_configs`): `msg_type` text or post, optionally signed. */
export interface FeishuConfig {
  readonly kind: 'feishu';
  readonly sendResolved: boolean;
  readonly webhookUrl: string;
  readonly secret: string;
  readonly messageType: 'text' | 'post';
  readonly title: string;
  readonly message: string;
}

/**
 * A generic SMS gateway (`sms_configs`): Strata POSTs `{"phoneNumbers": [...], "message": "..."}`
 * as JSON to `url`, the shape notification-manager's SMS providers are fronted with.
 */
export interface SmsConfig {
  readonly kind: 'sms';
  readonly sendResolved: boolean;
  readonly url: string;
  readonly phoneNumbers: readonly string[];
  readonly message: string;
}

/** One of notification-manager's channels that Alertmanager lacks. */
export type NmChannelConfig = DingTalkConfig | FeishuConfig | SmsConfig;

/** The receiver keys of these channels. */
export const NM_CHANNEL_KEYS = ['dingtalk_configs', 'feishu_configs', 'sms_configs'] as const;

function strings(c: Checker, v: unknown, path: string): string[] {
  return c.list(v, path).flatMap((s, i) => {
    const x = c.str(typeof s === 'number' ? String(s) : s, join(path, i));
    return x === undefined ? [] : [x];
  });
}

function url(c: Checker, o: Obj, path: string, key: string): string {
  const v = c.str(o[key], join(path, key));
  if (!v) c.fail(join(path, key), `missing ${key}`);
  else if (!/^https?:\/\/[^/]/.test(v))
    c.fail(join(path, key), `unsupported scheme "${v.split(':')[0]}" for URL`);
  return v ?? '';
}

function oneOf<T extends string>(
  c: Checker,
  o: Obj,
  path: string,
  allowed: readonly T[],
  dflt: T,
): T {
  const v = c.str(o.message_type, join(path, 'message_type')) ?? dflt;
  if (!(allowed as readonly string[]).includes(v)) {
    c.fail(join(path, 'message_type'), `message type "${v}" does not exist`);
    return dflt;
  }
  return v as T;
}

/** The DingTalk, Feishu and SMS integrations of one receiver, checked, defaults applied. */
export function parseNmChannels(c: Checker, o: Obj, path: string): NmChannelConfig[] {
  const each = <T>(key: string, fields: string[], f: (x: Obj, p: string) => T): T[] =>
    c.list(o[key], join(path, key)).map((raw, i) => {
      const p = join(join(path, key), i);
      return f(c.obj(raw, p, ['send_resolved', ...fields]), p);
    });
  const sendResolved = (x: Obj, p: string) =>
    c.bool(x.send_resolved, join(p, 'send_resolved'), true);
  return [
    ...each(
      'dingtalk_configs',
      ['webhook_url', 'secret', 'message_type', 'title', 'message', 'at_mobiles', 'at_all'],
      (x, p): DingTalkConfig => ({
        kind: 'dingtalk',
        sendResolved: sendResolved(x, p),
        webhookUrl: url(c, x, p, 'webhook_url'),
        secret: c.str(x.secret, join(p, 'secret')) ?? '',
        messageType: oneOf(c, x, p, ['markdown', 'text'], 'markdown'),
        title: c.str(x.title, join(p, 'title')) ?? '{{ template "dingtalk.default.title" . }}',
        message:
          c.str(x.message, join(p, 'message')) ?? '{{ template "dingtalk.default.message" . }}',
        atMobiles: strings(c, x.at_mobiles, join(p, 'at_mobiles')),
        atAll: c.bool(x.at_all, join(p, 'at_all'), false),
      }),
    ),
    ...each(
      'feishu_configs',
      ['webhook_url', 'secret', 'message_type', 'title', 'message'],
      (x, p): FeishuConfig => ({
        kind: 'feishu',
        sendResolved: sendResolved(x, p),
        webhookUrl: url(c, x, p, 'webhook_url'),
        secret: c.str(x.secret, join(p, 'secret')) ?? '',
        messageType: oneOf(c, x, p, ['text', 'post'], 'text'),
        title: c.str(x.title, join(p, 'title')) ?? '{{ template "feishu.default.title" . }}',
        message:
          c.str(x.message, join(p, 'message')) ?? '{{ template "feishu.default.message" . }}',
      }),
    ),
    ...each('sms_configs', ['url', 'phone_numbers', 'message'], (x, p): SmsConfig => {
      const phoneNumbers = strings(c, x.phone_numbers, join(p, 'phone_numbers'));
      if (phoneNumbers.length === 0) c.fail(join(p, 'phone_numbers'), 'missing phone_numbers');
      return {
        kind: 'sms',
        sendResolved: sendResolved(x, p),
        url: url(c, x, p, 'url'),
        phoneNumbers,
        message: c.str(x.message, join(p, 'message')) ?? '{{ template "sms.default.message" . }}',
      };
    }),
  ];
}

/** DingTalk's signature: base64 HMAC-SHA256 keyed by the secret over `timestamp\nsecret` (milliseconds). */
export function dingTalkSign(secret: string, timestampMs: number): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
}

/** Feishu's signature: base64 HMAC-SHA256 keyed by `timestamp\nsecret` (seconds) over nothing. */
export function feishuSign(secret: string, timestampSeconds: number): string {
  return createHmac('sha256', `${timestampSeconds}\n${secret}`).update('').digest('base64');
}

/** One HTTP request of these channels. */
export interface NmRequest {
  readonly url: string;
  readonly body: Record<string, unknown>;
}

/** The request a channel makes for these alerts at `ctx.now`. */
export async function nmChannelRequest(
  config: NmChannelConfig,
  alerts: readonly Alert[],
  ctx: NotifyContext,
): Promise<NmRequest> {
  const templates = ctx.templates ?? new TemplateSet();
  const data = templateData(ctx.receiver, ctx.groupLabels, alerts, ctx.externalURL, ctx.now);
  const r = (text: string) => templates.render(text, data);
  switch (config.kind) {
    case 'dingtalk': {
      const target = new URL(config.webhookUrl);
      if (config.secret) {
        target.searchParams.set('timestamp', String(ctx.now));
        target.searchParams.set('sign', dingTalkSign(config.secret, ctx.now));
      }
      const at = { atMobiles: config.atMobiles, isAtAll: config.atAll };
      const body =
        config.messageType === 'markdown'
          ? {
              msgtype: 'markdown',
              markdown: { title: await r(config.title), text: await r(config.message) },
              at,
            }
          : { msgtype: 'text', text: { content: await r(config.message) }, at };
      return { url: target.toString(), body };
    }
    case 'feishu': {
      const seconds = Math.floor(ctx.now / 1000);
      const signed = config.secret
        ? { timestamp: String(seconds), sign: feishuSign(config.secret, seconds) }
        : {};
      const text = await r(config.message);
      const content =
        config.messageType === 'text'
          ? { text }
          : {
              post: {
                zh_cn: {
                  title: await r(config.title),
                  content: text.split('\n').map((line) => [{ tag: 'text', text: line }]),
                },
              },
            };
      return {
        url: config.webhookUrl,
        body: { ...signed, msg_type: config.messageType, content },
      };
    }
    case 'sms':
      return {
        url: config.url,
        body: { phoneNumbers: config.phoneNumbers, message: await r(config.message) },
      };
  }
}

/**
 * Delivers through DingTalk, Feishu or an SMS gateway. Both robots answer 200 with an error code
 * in the body (`errcode`, `code`/`StatusCode`): a non-zero one is a failure not worth retrying.
 */
export async function sendNmChannel(
  config: NmChannelConfig,
  alerts: readonly Alert[],
  ctx: NotifyContext,
): Promise<void> {
  const req = await nmChannelRequest(config, alerts, ctx);
  const host = new URL(req.url).host;
  let res: Response;
  try {
    res = await fetch(req.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(req.body),
      signal: ctx.signal,
    });
  } catch (e) {
    throw new NotifyError(`${config.kind} ${host}: ${(e as Error).message}`, true);
  }
  const text = await res.text();
  if (res.status < 200 || res.status >= 300)
    throw new NotifyError(
      `${config.kind}: unexpected status code ${res.status} from ${host}`,
      res.status >= 500 || res.status === 429,
    );
  let reply: {
    errcode?: number;
    errmsg?: string;
    code?: number;
    msg?: string;
    StatusCode?: number;
  };
  try {
    reply = JSON.parse(text) as typeof reply;
  } catch {
    return;
  }
  const code = reply.errcode ?? reply.code ?? reply.StatusCode ?? 0;
  if (code !== 0)
    throw new NotifyError(`${config.kind}: ${reply.errmsg ?? reply.msg ?? `code ${code}`}`, false);
}
