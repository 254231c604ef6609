import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { acceptAlert } from './alert';
import { type ChatConfig } from './chat-config';
import { chatRequests, sendChat } from './chat';
import { parseAlertmanagerConfig } from './config';
import { InvalidAlertmanagerConfigError } from './config-errors';
import { type NotifyContext } from './integrations';

const ctx: NotifyContext = {
  tenantId: 'acme',
  receiver: 'chat',
  groupKey: '{}:{alertname="DiskFull"}',
  groupLabels: { alertname: 'DiskFull' },
  externalURL: 'http://strata/alertmanager',
  now: Date.now(),
  signal: new AbortController().signal,
};
const alerts = [
  acceptAlert(
    { labels: { alertname: 'DiskFull', instance: 'db1' }, annotations: { summary: 'a<b' } },
    Date.now(),
    300_000,
  ),
];

function integrations(receiver: string): ChatConfig[] {
  const c = parseAlertmanagerConfig(
    `route: {receiver: chat}\nreceivers:\n  - name: chat\n${receiver}`,
  );
  return c.receivers[0].integrations as ChatConfig[];
}

describe('chat integrations', () => {
  it('renders each vendor’s documented request', async () => {
    const [slack, discord, telegram, pushover] = integrations(`
    slack_configs: [{ api_url: 'http://x/slack', channel: '#ops' }]
    discord_configs: [{ webhook_url: 'http://x/discord' }]
    telegram_configs: [{ api_url: 'http://x/tg', bot_token: 'T0K', chat_id: -100 }]
    pushover_configs: [{ user_key: 'u', token: 't' }]
`);
    const [s] = await chatRequests(slack as never, alerts, ctx);
    expect(s.url).toBe('http://x/slack');
    expect(JSON.parse(s.body)).toMatchObject({
      channel: '#ops',
      username: 'Strata',
      attachments: [
        {
          title: '[FIRING:1] DiskFull (db1)',
          color: 'danger',
          title_link: 'http://strata/alertmanager/#/alerts?receiver=chat',
          mrkdwn_in: ['fallback', 'pretext', 'text'],
        },
      ],
    });
    const [d] = await chatRequests(discord as never, alerts, ctx);
    expect(JSON.parse(d.body)).toMatchObject({
      embeds: [{ title: '[FIRING:1] DiskFull (db1)', color: 0x992d22 }],
    });
    const [t] = await chatRequests(telegram as never, alerts, ctx);
    expect(t.url).toBe('http://x/tg/botT0K/sendMessage');
    // Every parameter a string, as Alertmanager's Bot API client sends them.
    const tg = JSON.parse(t.body) as { chat_id: string; parse_mode: string; text: string };
    expect(tg).toMatchObject({
      chat_id: '-100',
      parse_mode: 'HTML',
      disable_web_page_preview: 'true',
    });
    expect(tg.text).toContain('a&lt;b');
    const [p] = await chatRequests(pushover as never, alerts, ctx);
    expect(p.url).toBe('https://api.pushover.net/1/messages.json');
    expect(Object.fromEntries(new URLSearchParams(p.body))).toMatchObject({
      token: 't',
      user: 'u',
      priority: '2',
      title: '[FIRING:1] DiskFull (db1)',
    });
  });

  it('takes a WeCom token first, then sends the application message', async () => {
    const seen: { url: string; body: string }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ url: req.url ?? '', body });
        res.setHeader('content-type', 'application/json');
        res.end(
          req.url?.startsWith('/cgi-bin/gettoken')
            ? '{"errcode":0,"access_token":"AT"}'
            : '{"errcode":0,"errmsg":"ok"}',
        );
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    try {
      const [wechat] = integrations(
        `    wechat_configs: [{ api_url: 'http://127.0.0.1:${port}/cgi-bin/', api_secret: s3, corp_id: corp, agent_id: '1000002' }]\n`,
      );
      await sendChat(wechat, alerts, ctx);
      expect(seen[0].url).toBe('/cgi-bin/gettoken?corpid=corp&corpsecret=s3');
      expect(seen[1].url).toBe('/cgi-bin/message/send?access_token=AT');
      // Alertmanager's default addressee is empty (the application's visible range).
      expect(JSON.parse(seen[1].body)).toEqual({
        text: { content: expect.stringContaining('[FIRING:1] DiskFull (db1)') as string },
        agentid: '1000002',
        markdown: { content: '' },
        msgtype: 'text',
        safe: '0',
      });
    } finally {
      server.close();
    }
  });

  it('refuses chat configs missing what the vendor needs', () => {
    expect(() =>
      integrations(
        `    telegram_configs: [{ bot_token: x }]\n    slack_configs: [{ channel: '#a' }]\n`,
      ),
    ).toThrow(InvalidAlertmanagerConfigError);
  });
});
