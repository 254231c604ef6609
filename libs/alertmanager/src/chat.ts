import { type Alert } from './alert';
import {
  type ChatConfig,
  type DiscordConfig,
  type PushoverConfig,
  type SlackConfig,
  type TelegramConfig,
  type WeChatConfig,
} from './chat-config';
import { type NotifyContext, NotifyError } from './integrations';
import { type TemplateData, templateData } from './template-data';
import { TemplateSet } from './template/render';

/** One HTTP request a chat integration makes. */
export interface ChatRequest {
  readonly url: string;
  readonly contentType: 'application/json' | 'application/x-www-form-urlencoded';
  readonly body: string;
  readonly authorization?: string;
}

/** Cuts a message to a vendor's limit, marking the cut as Alertmanager does. */
function truncate(s: string, max: number): string {
  const runes = [...s];
  return runes.length <= max ? s : `${runes.slice(0, max - 1).join('')}…`;
}

function omitEmpty(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(o).filter(([, v]) => v !== '' && v !== undefined && v !== false),
  );
}

type Render = (text: string, options?: { html?: boolean }) => Promise<string>;

async function slack(c: SlackConfig, r: Render): Promise<ChatRequest[]> {
  // Alertmanager's field order, and its omitempty: text, fallback, callback_id and footer are
  // always sent.
  const attachment = {
    ...omitEmpty({
      title: await r(c.title),
      title_link: await r(c.titleLink),
      pretext: await r(c.pretext),
    }),
    text: await r(c.text),
    fallback: await r(c.fallback),
    callback_id: await r(c.callbackId),
    footer: await r(c.footer),
    ...omitEmpty({ color: await r(c.color) }),
    mrkdwn_in: ['fallback', 'pretext', 'text'],
  };
  const body = {
    ...omitEmpty({
      channel: await r(c.channel),
      username: await r(c.username),
      icon_emoji: await r(c.iconEmoji),
      icon_url: await r(c.iconUrl),
    }),
    attachments: [attachment],
  };
  return [
    {
      url: c.apiUrl,
      contentType: 'application/json',
      body: JSON.stringify(body),
      ...(c.authorization === undefined ? {} : { authorization: c.authorization }),
    },
  ];
}

/** Discord's embed colours for firing and resolved groups. */
const DISCORD_RED = 0x992d22;
const DISCORD_GREEN = 0x2ecc71;

async function discord(c: DiscordConfig, r: Render, data: TemplateData): Promise<ChatRequest[]> {
  const embed = {
    title: truncate(await r(c.title), 256),
    description: truncate(await r(c.message), 4096),
    color: data.status === 'firing' ? DISCORD_RED : DISCORD_GREEN,
  };
  return [
    {
      url: c.webhookUrl,
      contentType: 'application/json',
      body: JSON.stringify({ content: '', embeds: [embed] }),
    },
  ];
}

async function telegram(c: TelegramConfig, r: Render): Promise<ChatRequest[]> {
  // The Bot API takes every parameter as a string, as Alertmanager's client sends them (keys in
  // Go's map order); link previews are off, as Alertmanager sets them.
  const body: Record<string, string> = {
    chat_id: String(c.chatId),
    ...(c.disableNotifications ? { disable_notification: 'true' } : {}),
    disable_web_page_preview: 'true',
    ...(c.parseMode ? { parse_mode: c.parseMode } : {}),
    // In HTML parse mode the message is rendered as Alertmanager renders it: values escaped.
    text: truncate(await r(c.message, { html: c.parseMode === 'HTML' }), 4096),
  };
  const base = c.apiUrl.replace(/\/$/, '');
  return [
    {
      url: `${base}/bot${c.botToken}/sendMessage`,
      contentType: 'application/json',
      body: JSON.stringify(body),
    },
  ];
}

async function pushover(c: PushoverConfig, r: Render): Promise<ChatRequest[]> {
  const form = new URLSearchParams({
    token: c.token,
    user: c.userKey,
    title: truncate(await r(c.title), 250),
    message: truncate(await r(c.message), 1024),
    url: truncate(await r(c.url), 512),
    priority: await r(c.priority),
  });
  if (c.sound) form.set('sound', c.sound);
  if (c.html) form.set('html', '1');
  return [
    { url: c.apiUrl, contentType: 'application/x-www-form-urlencoded', body: form.toString() },
  ];
}

/** The WeCom message for an access token (fetched first by {@link sendChat}). */
export async function wechatMessage(
  c: WeChatConfig,
  r: Render,
  accessToken: string,
): Promise<ChatRequest> {
  const content = await r(c.message);
  // Alertmanager's message struct: both contents always present, empty fields left out.
  const body = {
    text: { content: c.messageType === 'text' ? content : '' },
    ...omitEmpty({
      touser: await r(c.toUser),
      toparty: await r(c.toParty),
      totag: await r(c.toTag),
      agentid: await r(c.agentId),
    }),
    safe: '0',
    msgtype: c.messageType,
    markdown: { content: c.messageType === 'markdown' ? content : '' },
  };
  const base = c.apiUrl.endsWith('/') ? c.apiUrl : `${c.apiUrl}/`;
  return {
    url: `${base}message/send?access_token=${encodeURIComponent(accessToken)}`,
    contentType: 'application/json',
    body: JSON.stringify(body),
  };
}

/** The requests a chat integration makes for these alerts (WeCom's token request excluded). */
export async function chatRequests(
  c: Exclude<ChatConfig, WeChatConfig>,
  alerts: readonly Alert[],
  ctx: NotifyContext,
): Promise<ChatRequest[]> {
  const templates = ctx.templates ?? new TemplateSet();
  const data = templateData(ctx.receiver, ctx.groupLabels, alerts, ctx.externalURL, ctx.now);
  const r: Render = (text, options) => templates.render(text, data, options);
  switch (c.kind) {
    case 'slack':
      return slack(c, r);
    case 'discord':
      return discord(c, r, data);
    case 'telegram':
      return telegram(c, r);
    case 'pushover':
      return pushover(c, r);
  }
}

async function post(req: ChatRequest, signal: AbortSignal): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(req.url, {
      method: 'POST',
      headers: {
        'Content-Type': req.contentType,
        ...(req.authorization === undefined ? {} : { Authorization: req.authorization }),
      },
      body: req.body,
      signal,
    });
  } catch (e) {
    throw new NotifyError(`${new URL(req.url).host}: ${(e as Error).message}`, true);
  }
  const text = await res.text();
  if (res.status < 200 || res.status >= 300)
    throw new NotifyError(
      `unexpected status code ${res.status} from ${new URL(req.url).host}`,
      res.status >= 500 || res.status === 429,
    );
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Delivers through a chat integration: 2xx is delivered, 5xx/429/network errors are retried. */
export async function sendChat(
  c: ChatConfig,
  alerts: readonly Alert[],
  ctx: NotifyContext,
): Promise<void> {
  if (c.kind !== 'wechat') {
    for (const req of await chatRequests(c, alerts, ctx)) {
      const reply = await post(req, ctx.signal);
      // Slack's Web API (a bot token, as notification-manager posts) answers refusals as 200 with
      // `ok: false`; incoming webhooks answer plain text.
      if (c.kind === 'slack' && c.authorization !== undefined) {
        const r = reply as { ok?: boolean; error?: string } | null;
        if (typeof r === 'object' && r !== null && r.ok === false)
          throw new NotifyError(`slack: ${r.error ?? 'not ok'}`, false);
      }
    }
    return;
  }
  const base = c.apiUrl.endsWith('/') ? c.apiUrl : `${c.apiUrl}/`;
  const cacheKey = `${base}\u0000${c.corpId}\u0000${c.apiSecret}`;
  const accessToken = await wechatToken(base, c, cacheKey, ctx.signal);
  const templates = ctx.templates ?? new TemplateSet();
  const data = templateData(ctx.receiver, ctx.groupLabels, alerts, ctx.externalURL, ctx.now);
  const reply = (await post(
    await wechatMessage(c, (t) => templates.render(t, data), accessToken),
    ctx.signal,
  )) as { errcode?: number; errmsg?: string };
  if (reply.errcode === WECHAT_TOKEN_EXPIRED) {
    wechatTokens.delete(cacheKey);
    throw new NotifyError(`wechat: ${reply.errmsg ?? reply.errcode}`, true);
  }
  if (reply.errcode !== undefined && reply.errcode !== 0)
    throw new NotifyError(`wechat: ${reply.errmsg ?? reply.errcode}`, false);
}

/** WeCom's answer when the access token has expired: fetch another and retry. */
const WECHAT_TOKEN_EXPIRED = 42001;
/** How long a WeCom access token is reused, as Alertmanager reuses it. */
const WECHAT_TOKEN_TTL_MS = 2 * 3_600_000;
const wechatTokens = new Map<string, { token: string; at: number }>();

/** A WeCom access token, fetched with `gettoken` once and reused for two hours. */
async function wechatToken(
  base: string,
  c: WeChatConfig,
  cacheKey: string,
  signal: AbortSignal,
): Promise<string> {
  const cached = wechatTokens.get(cacheKey);
  if (cached !== undefined && Date.now() - cached.at < WECHAT_TOKEN_TTL_MS) return cached.token;
  const tokenRes = await fetch(
    `${base}gettoken?corpid=${encodeURIComponent(c.corpId)}&corpsecret=${encodeURIComponent(c.apiSecret)}`,
    { signal },
  ).catch((e: Error) => {
    throw new NotifyError(`wechat gettoken: ${e.message}`, true);
  });
  const token = (await tokenRes.json().catch(() => ({}))) as {
    access_token?: string;
    errcode?: number;
    errmsg?: string;
  };
  if (!token.access_token)
    throw new NotifyError(
      `wechat gettoken: ${token.errmsg ?? `status ${tokenRes.status}`}`,
      tokenRes.status >= 500,
    );
  wechatTokens.set(cacheKey, { token: token.access_token, at: Date.now() });
  return token.access_token;
}
