import { createHmac } from 'node:crypto';
import {
  type SmtpCapture,
  type VendorRequest,
  type VendorServer,
  startSmtpCapture,
  startVendorServer,
} from '../testing';
import { acceptAlert } from './alert';
import { type AlertmanagerConfig, parseAlertmanagerConfig } from './config';
import { InvalidAlertmanagerConfigError } from './config-errors';
import { type NotifyContext } from './integrations';
import { MemoryNotificationLog } from './nflog';
import { maskSecrets } from './secrets';
import { sendIntegration } from './send';
import { TenantAlertmanager } from './tenant-alertmanager';

const AM = 'route: {receiver: ops}\nreceivers: [{name: ops}]\n';
const NOW = Date.now();
const alerts = [
  acceptAlert(
    {
      labels: { alertname: 'DiskFull', instance: 'db1', namespace: 'shop' },
      annotations: { summary: 'disk 95%' },
    },
    NOW,
    300_000,
  ),
];

function context(receiver: string): NotifyContext {
  return {
    tenantId: 'acme',
    receiver,
    groupKey: '{}/{}:{alertname="DiskFull"}',
    groupLabels: { alertname: 'DiskFull' },
    externalURL: 'http://strata/alertmanager',
    now: Date.now(),
    signal: new AbortController().signal,
  };
}

/** Sends the alerts through every integration the receiver `nm/<name>` got from the document. */
async function deliver(config: AlertmanagerConfig, name: string): Promise<number> {
  const receiver = config.receivers.find((r) => r.name === `nm/${name}`);
  if (receiver === undefined) throw new Error(`no receiver nm/${name}`);
  for (const integration of receiver.integrations)
    await sendIntegration(integration, alerts, context(receiver.name));
  return receiver.integrations.length;
}

const sign = (key: string, data: string) => createHmac('sha256', key).update(data).digest('base64');

interface Case {
  readonly channel: string;
  /** The Receiver's channel object and the Config it selects, pointing at the local server. */
  readonly receiver: (url: string) => string;
  readonly config?: (url: string) => string;
  /** The vendor's answer, checked as the vendor's API checks a request. */
  readonly vendor: (req: VendorRequest) => { status?: number; body: unknown };
  /** Integrations the receiver gets (one per selected Config and target). */
  readonly integrations: number;
  /** What every request must be, as the vendor documents it. */
  readonly check: (requests: readonly VendorRequest[]) => void;
  /** Credentials that must not appear in a masked read. */
  readonly secrets: readonly string[];
}

const ok = { body: { ok: true, errcode: 0, code: 0 } };

const CASES: readonly Case[] = [
  {
    channel: 'webhook',
    receiver: (url) => `{ url: '${url}/hook', httpConfig: { bearerToken: { value: WH-TOKEN } } }`,
    vendor: () => ok,
    integrations: 1,
    secrets: ['WH-TOKEN'],
    check: ([req]) => {
      expect(req.path).toBe('/hook');
      expect(req.headers.authorization).toBe('Bearer WH-TOKEN');
      expect(req.body).toMatchObject({
        version: '4',
        status: 'firing',
        receiver: 'nm/pager',
        groupKey: '{}/{}:{alertname="DiskFull"}',
        alerts: [{ labels: { alertname: 'DiskFull', instance: 'db1' }, status: 'firing' }],
      });
    },
  },
  {
    channel: 'slack',
    receiver: () =>
      `{ channels: ['#ops', '#db'], slackConfigSelector: { matchLabels: { type: slack } } }`,
    config: (url) => `{ slackTokenSecret: xoxb-SLACK, apiUrl: '${url}/api/chat.postMessage' }`,
    // Slack's chat.postMessage: a bot token as Bearer, a channel, and text or attachments.
    vendor: (req) =>
      req.headers.authorization === 'Bearer xoxb-SLACK'
        ? { body: { ok: true } }
        : { body: { ok: false, error: 'not_authed' } },
    integrations: 2,
    secrets: ['xoxb-SLACK'],
    check: (requests) => {
      expect(requests.map((r) => r.headers.authorization)).toEqual([
        'Bearer xoxb-SLACK',
        'Bearer xoxb-SLACK',
      ]);
      expect(requests.map((r) => (r.body as { channel: string }).channel)).toEqual(['#ops', '#db']);
      const body = requests[0].body as { attachments: Array<{ title: string; text: string }> };
      expect(requests[0].path).toBe('/api/chat.postMessage');
      expect(body.attachments[0].title).toBe('[FIRING:1] DiskFull (db1 shop)');
    },
  },
  {
    channel: 'dingtalk',
    receiver: (url) =>
      `{ chatbot: { webhook: { value: '${url}/robot/send?access_token=DT-TOKEN' }, secret: { value: DT-SEC }, atMobiles: ['13800000000'] } }`,
    // DingTalk's robot: access_token in the query, timestamp (ms) and sign over `timestamp\nsecret`.
    vendor: ({ query }) =>
      query.get('access_token') === 'DT-TOKEN' &&
      query.get('sign') === sign('DT-SEC', `${query.get('timestamp') ?? ''}\nDT-SEC`)
        ? { body: { errcode: 0, errmsg: 'ok' } }
        : { body: { errcode: 310000, errmsg: 'sign not match' } },
    integrations: 1,
    secrets: ['DT-TOKEN', 'DT-SEC'],
    check: ([req]) => {
      expect(req.body).toMatchObject({
        msgtype: 'markdown',
        markdown: { title: '[FIRING:1] DiskFull (db1 shop)' },
        at: { atMobiles: ['13800000000'], isAtAll: false },
      });
    },
  },
  {
    channel: 'feishu',
    receiver: (url) =>
      `{ chatbot: { webhook: '${url}/open-apis/bot/v2/hook/FS-HOOK', secret: FS-SEC }, template: nm.default.text }`,
    // Feishu's bot: timestamp (s) and sign keyed by `timestamp\nsecret` in the body.
    vendor: ({ body }) => {
      const b = body as { timestamp: string; sign: string };
      return b.sign === createHmac('sha256', `${b.timestamp}\nFS-SEC`).update('').digest('base64')
        ? { body: { code: 0, msg: 'success' } }
        : { body: { code: 19021, msg: 'sign match fail' } };
    },
    integrations: 1,
    secrets: ['FS-HOOK', 'FS-SEC'],
    check: ([req]) => {
      expect(req.path).toBe('/open-apis/bot/v2/hook/FS-HOOK');
      const b = req.body as { msg_type: string; content: { text: string } };
      expect(b.msg_type).toBe('text');
      expect(b.content.text).toContain('DiskFull');
    },
  },
  {
    channel: 'wechat',
    receiver: () =>
      `{ toUser: [alice, bob], toParty: ['2'], wechatConfigSelector: { matchLabels: { type: wecom } } }`,
    config: (url) =>
      `{ wechatApiUrl: '${url}/cgi-bin/', wechatApiCorpId: CORP, wechatApiAgentId: '1000002', wechatApiSecret: { value: WX-SECRET } }`,
    // WeCom: gettoken with corpid and corpsecret, then message/send with that access token.
    vendor: ({ path, query }) =>
      path.endsWith('/gettoken')
        ? query.get('corpsecret') === 'WX-SECRET'
          ? { body: { errcode: 0, access_token: 'AT' } }
          : { body: { errcode: 40001, errmsg: 'invalid credential' } }
        : query.get('access_token') === 'AT'
          ? { body: { errcode: 0, errmsg: 'ok' } }
          : { body: { errcode: 40014, errmsg: 'invalid access_token' } },
    integrations: 1,
    secrets: ['WX-SECRET'],
    check: ([token, message]) => {
      expect(token.query.get('corpid')).toBe('CORP');
      expect(message.path).toBe('/cgi-bin/message/send');
      expect(message.body).toMatchObject({
        touser: 'alice|bob',
        toparty: '2',
        agentid: '1000002',
        msgtype: 'text',
      });
    },
  },
  {
    channel: 'telegram',
    receiver: () =>
      `{ channels: ['@ops', '-1001234'], telegramConfigSelector: { matchLabels: { type: tg } } }`,
    config: (url) => `{ token: { value: '123:TG-TOKEN' }, apiUrl: '${url}' }`,
    // The Bot API: /bot<token>/sendMessage with chat_id a number or @channelusername.
    vendor: ({ path }) =>
      path === '/bot123:TG-TOKEN/sendMessage'
        ? { body: { ok: true, result: {} } }
        : { status: 401, body: { ok: false, description: 'Unauthorized' } },
    integrations: 2,
    secrets: ['TG-TOKEN'],
    check: (requests) => {
      expect(requests.map((r) => (r.body as { chat_id: string }).chat_id)).toEqual([
        '@ops',
        '-1001234',
      ]);
      expect(requests[0].body).toMatchObject({ parse_mode: 'HTML' });
    },
  },
  {
    channel: 'discord',
    receiver: (url) => `{ webhook: { value: '${url}/api/webhooks/1/DC-TOKEN' } }`,
    vendor: ({ path }) =>
      path === '/api/webhooks/1/DC-TOKEN'
        ? { status: 204, body: '' }
        : { status: 401, body: { message: '401: Unauthorized' } },
    integrations: 1,
    secrets: ['DC-TOKEN'],
    check: ([req]) => {
      const b = req.body as { content: string; embeds: Array<{ title: string; color: number }> };
      expect(b.content).toBe('');
      expect(b.embeds[0]).toMatchObject({
        title: '[FIRING:1] DiskFull (db1 shop)',
        color: 0x992d22,
      });
    },
  },
  {
    channel: 'sms',
    receiver: () =>
      `{ phoneNumbers: ['+8613800000000'], smsConfigSelector: { matchLabels: { type: sms } } }`,
    config: (url) => `{ url: '${url}/sms' }`,
    vendor: () => ({ body: {} }),
    integrations: 1,
    secrets: [],
    check: ([req]) => {
      expect(req.body).toEqual({
        phoneNumbers: ['+8613800000000'],
        message: '[FIRING:1] DiskFull (db1 shop)',
      });
    },
  },
  {
    channel: 'pushover',
    receiver: () =>
      `{ profiles: [{ userKey: { value: PO-USER }, sound: siren }], pushoverConfigSelector: { matchLabels: { type: po } } }`,
    config: (url) =>
      `{ pushoverTokenSecret: { value: PO-TOKEN }, apiUrl: '${url}/1/messages.json' }`,
    // Pushover's messages API: a form with token, user and message.
    vendor: ({ body }) => {
      const form = new URLSearchParams(String(body));
      return form.get('token') === 'PO-TOKEN' && form.get('user') === 'PO-USER'
        ? { body: { status: 1 } }
        : { status: 400, body: { status: 0, errors: ['application token is invalid'] } };
    },
    integrations: 1,
    secrets: ['PO-TOKEN', 'PO-USER'],
    check: ([req]) => {
      const form = new URLSearchParams(String(req.body));
      expect(req.path).toBe('/1/messages.json');
      expect(form.get('title')).toBe('[FIRING:1] DiskFull (db1 shop)');
      expect(form.get('sound')).toBe('siren');
      expect(form.get('priority')).toBe('2');
    },
  },
];

/** The extensions document with one receiver `pager` of the case's channel and its Config. */
function document(k: Case, url: string): string {
  const label: Record<string, string> = {
    slack: 'slack',
    wechat: 'wecom',
    telegram: 'tg',
    sms: 'sms',
    pushover: 'po',
  };
  return [
    'receivers:',
    `  - name: pager`,
    `    labels: { type: global }`,
    `    ${k.channel}: ${k.receiver(url)}`,
    ...(k.config === undefined
      ? []
      : [
          'configs:',
          `  - name: ${k.channel}-config`,
          `    labels: { type: ${label[k.channel]} }`,
          `    ${k.channel}: ${k.config(url)}`,
        ]),
  ].join('\n');
}

describe('notification-manager receivers: every channel the service delivers', () => {
  const servers: VendorServer[] = [];
  let smtp: SmtpCapture | undefined;
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await smtp?.close();
  });

  it.each(CASES.map((k) => [k.channel, k] as const))(
    "%s: a receiver and its selected config deliver the vendor's wire format, credentials masked",
    async (_channel, k) => {
      const server = await startVendorServer(k.vendor);
      servers.push(server);
      const doc = document(k, server.url);
      const config = parseAlertmanagerConfig(AM, doc);
      expect(await deliver(config, 'pager')).toBe(k.integrations);
      k.check(server.requests);
      const masked = maskSecrets(doc);
      for (const secret of k.secrets) expect(masked).not.toContain(secret);
      expect(masked.includes('<secret>')).toBe(k.secrets.length > 0);
    },
  );

  it('email: one mail per selected SMTP config, the password masked', async () => {
    smtp = await startSmtpCapture();
    const doc = `
receivers:
  - name: pager
    labels: { type: global }
    email: { to: [ops@example.com], emailConfigSelector: { matchLabels: { type: smtp } } }
configs:
  - name: smtp
    labels: { type: smtp }
    email:
      from: nm@example.com
      smartHost: { host: 127.0.0.1, port: ${smtp.port} }
      requireTLS: false
      authPassword: { value: SMTP-PASS }
`;
    const config = parseAlertmanagerConfig(AM, doc);
    expect(await deliver(config, 'pager')).toBe(1);
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0].envelopeTo).toEqual(['ops@example.com']);
    expect(smtp.mails[0].envelopeFrom).toBe('nm@example.com');
    expect(smtp.mails[0].parts['text/html']).toContain('DiskFull');
    expect(maskSecrets(doc)).not.toContain('SMTP-PASS');
  });

  it('picks configs by selector and channel: one integration per matching config, none when disabled', () => {
    const config = parseAlertmanagerConfig(
      AM,
      `
receivers:
  - name: pager
    labels: { type: global }
    slack: { channels: ['#ops'], slackConfigSelector: { matchLabels: { team: db } } }
  - name: off
    labels: { type: global }
    slack: { enabled: false, channels: ['#ops'], slackConfigSelector: { matchLabels: { team: db } } }
configs:
  - { name: a, labels: { team: db }, slack: { slackTokenSecret: A } }
  - { name: b, labels: { team: db }, slack: { slackTokenSecret: B } }
  - { name: c, labels: { team: web }, slack: { slackTokenSecret: C } }
  - { name: d, labels: { team: db }, telegram: { token: D } }
`,
    );
    const integrations = config.receivers.find((r) => r.name === 'nm/pager')?.integrations ?? [];
    expect(integrations.map((i) => ('authorization' in i ? i.authorization : ''))).toEqual([
      'Bearer A',
      'Bearer B',
    ]);
    // A disabled receiver's channel sends nothing.
    expect(config.receivers.find((r) => r.name === 'nm/off')?.integrations).toEqual([]);
  });

  it("fails a Slack delivery that the Web API refuses with ok: false, and doesn't retry it", async () => {
    const server = await startVendorServer(() => ({ body: { ok: false, error: 'invalid_auth' } }));
    servers.push(server);
    const config = parseAlertmanagerConfig(
      AM,
      document(CASES.find((k) => k.channel === 'slack') as Case, server.url),
    );
    await expect(deliver(config, 'pager')).rejects.toMatchObject({
      message: 'slack: invalid_auth',
      retry: false,
    });
  });

  it('lets a Router pick receivers by channel type', async () => {
    const sent: string[] = [];
    const am = new TenantAlertmanager(
      'acme',
      parseAlertmanagerConfig(
        'route: {receiver: ops, group_wait: 0s}\nreceivers: [{name: ops}]\n',
        `
receivers:
  - name: hook
    labels: { type: global }
    webhook: { url: 'http://127.0.0.1:9/hook', alertSelector: { matchLabels: { never: matches } } }
  - name: bot
    labels: { type: global }
    discord: { webhook: 'http://127.0.0.1:9/discord', alertSelector: { matchLabels: { never: matches } } }
routers:
  - name: webhooks-only
    alertSelector: { matchLabels: { team: db } }
    receivers: { type: webhook }
`,
      ),
      {
        nflog: new MemoryNotificationLog(),
        externalURL: 'http://strata/alertmanager',
        send: (_config, _alerts, ctx) => {
          sent.push(ctx.receiver);
          return Promise.resolve();
        },
      },
    );
    await am.post([{ labels: { alertname: 'DbSlow', team: 'db' } }]);
    await new Promise((r) => setTimeout(r, 300));
    await am.stop();
    expect(sent).toEqual(['nm/hook']);
  });

  it('refuses bad receivers and configs with their paths', () => {
    let problems: unknown = [];
    try {
      parseAlertmanagerConfig(
        AM,
        `
receivers:
  - { name: none, labels: { type: global } }
  - name: two
    labels: { type: global }
    webhook: { url: 'http://x' }
    discord: { webhook: 'http://y' }
  - name: noconfig
    labels: { type: global }
    slack: { channels: ['#ops'] }
  - name: k8s
    labels: { type: global }
    discord: { webhook: { valueFrom: { secretKeyRef: { name: s, key: k } } } }
configs:
  - { name: both, labels: {}, slack: {}, sms: {} }
`,
      );
    } catch (e) {
      if (e instanceof InvalidAlertmanagerConfigError) problems = e.problems;
    }
    expect(problems).toEqual(
      expect.arrayContaining([
        {
          path: 'notification_manager.configs[0]',
          reason:
            'a config holds exactly one channel of email, webhook, slack, dingtalk, feishu, wechat, telegram, discord, sms, pushover',
        },
        {
          path: 'notification_manager.receivers[0]',
          reason:
            'a receiver needs a channel: one of email, webhook, slack, dingtalk, feishu, wechat, telegram, discord, sms, pushover',
        },
        {
          path: 'notification_manager.receivers[1]',
          reason: 'a receiver holds one channel, not webhook and discord',
        },
        {
          path: 'notification_manager.receivers[2].slack.slackConfigSelector',
          reason: 'selects no slack config of notification_manager.configs',
        },
        {
          path: 'notification_manager.receivers[3].discord.webhook.valueFrom',
          reason: 'secrets are not read from Kubernetes here: give value',
        },
      ]),
    );
  });
});
