import { createHmac } from 'node:crypto';
import { startVendorServer, type VendorServer } from '../testing';
import { acceptAlert } from './alert';
import { parseAlertmanagerConfig } from './config';
import { InvalidAlertmanagerConfigError } from './config-errors';
import { type NotifyContext, NotifyError } from './integrations';
import { type NmChannelConfig } from './nm-channels';
import { maskSecrets } from './secrets';
import { sendIntegration } from './send';

const NOW = Date.now();
const ctx: NotifyContext = {
  tenantId: 'acme',
  receiver: 'im',
  groupKey: '{}:{alertname="DiskFull"}',
  groupLabels: { alertname: 'DiskFull' },
  externalURL: 'http://strata/alertmanager',
  now: NOW,
  signal: new AbortController().signal,
};
const alerts = [
  acceptAlert(
    { labels: { alertname: 'DiskFull', instance: 'db1' }, annotations: { summary: 'disk 95%' } },
    NOW,
    300_000,
  ),
];

/** The channels added, in the extensions document, to the Alertmanager receiver `im`. */
function integrations(receiver: string): NmChannelConfig[] {
  const c = parseAlertmanagerConfig(
    'route: {receiver: im}\nreceivers:\n  - name: im\n',
    `alertmanager_receivers:\n  - name: im\n${receiver}`,
  );
  return c.receivers[0].integrations as NmChannelConfig[];
}

function problems(receiver: string): { path: string; reason: string }[] {
  try {
    integrations(receiver);
  } catch (e) {
    if (e instanceof InvalidAlertmanagerConfigError) return [...e.problems];
    throw e;
  }
  return [];
}

/**
 * DingTalk's robot as its documentation describes it: `access_token` in the query; when signed,
 * `timestamp` (ms, within an hour) and `sign` = base64(HmacSHA256(secret, timestamp + "\n" + secret));
 * errors come back as 200 with a non-zero `errcode`.
 */
function dingTalk(secret: string) {
  return startVendorServer(({ query, body }) => {
    const b = body as { msgtype?: string; markdown?: { title?: string; text?: string } };
    if (query.get('access_token') !== 'TOKEN')
      return { body: { errcode: 300001, errmsg: 'token is not exist' } };
    const ts = query.get('timestamp') ?? '';
    const expected = createHmac('sha256', secret).update(`${ts}\n${secret}`).digest('base64');
    if (query.get('sign') !== expected || Math.abs(Date.now() - Number(ts)) > 3_600_000)
      return { body: { errcode: 310000, errmsg: 'sign not match' } };
    if (b.msgtype !== 'markdown' || !b.markdown?.title || !b.markdown.text)
      return { body: { errcode: 40035, errmsg: 'invalid msgtype' } };
    return { body: { errcode: 0, errmsg: 'ok' } };
  });
}

/**
 * Feishu's custom bot: `timestamp` (s) and `sign` = base64(HmacSHA256(key = timestamp + "\n" + secret,
 * empty message)) in the body, `msg_type` with a matching `content`; errors as `code` in a 200.
 */
function feishu(secret: string) {
  return startVendorServer(({ body }) => {
    const b = body as {
      timestamp?: string;
      sign?: string;
      msg_type?: string;
      content?: { text?: string };
    };
    const expected = createHmac('sha256', `${b.timestamp}\n${secret}`).update('').digest('base64');
    if (b.sign !== expected || Math.abs(Date.now() / 1000 - Number(b.timestamp)) > 3600)
      return {
        body: {
          code: 19021,
          msg: 'sign match fail or timestamp is not within one hour from current time',
        },
      };
    if (b.msg_type !== 'text' || typeof b.content?.text !== 'string')
      return { body: { code: 9499, msg: 'Bad Request' } };
    return { body: { StatusCode: 0, StatusMessage: 'success', code: 0, msg: 'success' } };
  });
}

describe('DingTalk, Feishu and SMS channels', () => {
  const servers: VendorServer[] = [];
  afterAll(() => Promise.all(servers.map((s) => s.close())));
  const now = { ...ctx, now: Date.now() };

  it('signs and shapes a DingTalk markdown message as the robot API checks it', async () => {
    const server = await dingTalk('SEC123');
    servers.push(server);
    const [good, badSecret] = integrations(`
    dingtalk_configs:
      - webhook_url: '${server.url}/robot/send?access_token=TOKEN'
        secret: SEC123
        at_mobiles: ['13800000000']
      - webhook_url: '${server.url}/robot/send?access_token=TOKEN'
        secret: WRONG`);
    await sendIntegration(good, alerts, now);
    const sent = server.requests[0].body as {
      msgtype: string;
      markdown: { title: string; text: string };
      at: unknown;
    };
    expect(sent.markdown.title).toBe('[FIRING:1] DiskFull (db1)');
    expect(sent.markdown.text).toContain('alertname=DiskFull instance=db1');
    expect(sent.markdown.text).toContain('summary: disk 95%');
    expect(sent.at).toEqual({ atMobiles: ['13800000000'], isAtAll: false });
    // A refused signature is a failure, and not one that retrying would fix.
    const failure = await sendIntegration(badSecret, alerts, now).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(NotifyError);
    expect(failure).toMatchObject({ message: 'dingtalk: sign not match', retry: false });
  });

  it('sends DingTalk text messages unsigned when no secret is set', async () => {
    const server = await startVendorServer(() => ({ body: { errcode: 0, errmsg: 'ok' } }));
    servers.push(server);
    const [c] = integrations(`
    dingtalk_configs: [{ webhook_url: '${server.url}/robot/send?access_token=T', message_type: text, message: 'hi {{ .CommonLabels.instance }}' }]`);
    await sendIntegration(c, alerts, now);
    expect(server.requests[0].query.has('sign')).toBe(false);
    expect(server.requests[0].body).toEqual({
      msgtype: 'text',
      text: { content: 'hi db1' },
      at: { atMobiles: [], isAtAll: false },
    });
  });

  it('signs a Feishu text message in its body as the bot API checks it', async () => {
    const server = await feishu('FS-SECRET');
    servers.push(server);
    const [good, bad] = integrations(`
    feishu_configs:
      - { webhook_url: '${server.url}/open-apis/bot/v2/hook/abc', secret: FS-SECRET }
      - { webhook_url: '${server.url}/open-apis/bot/v2/hook/abc', secret: nope }`);
    await sendIntegration(good, alerts, now);
    const body = server.requests[0].body as { msg_type: string; content: { text: string } };
    expect(server.requests[0].path).toBe('/open-apis/bot/v2/hook/abc');
    expect(body.msg_type).toBe('text');
    expect(body.content.text).toContain('[FIRING:1] DiskFull (db1)');
    await expect(sendIntegration(bad, alerts, now)).rejects.toMatchObject({ retry: false });
  });

  it('renders a Feishu post as lines of text elements', async () => {
    const server = await startVendorServer(() => ({ body: { code: 0, msg: 'success' } }));
    servers.push(server);
    const [c] = integrations(`
    feishu_configs: [{ webhook_url: '${server.url}/hook', message_type: post, title: 'T {{ .Status }}', message: "a\\nb" }]`);
    await sendIntegration(c, alerts, now);
    expect(server.requests[0].body).toEqual({
      msg_type: 'post',
      content: {
        post: {
          zh_cn: {
            title: 'T firing',
            content: [[{ tag: 'text', text: 'a' }], [{ tag: 'text', text: 'b' }]],
          },
        },
      },
    });
  });

  it('posts the numbers and the message to an SMS gateway, retrying its 5xx', async () => {
    let fail = true;
    const server = await startVendorServer(() => {
      if (fail) {
        fail = false;
        return { status: 503, body: {} };
      }
      return { body: {} };
    });
    servers.push(server);
    const [c] = integrations(`
    sms_configs: [{ url: '${server.url}/sms', phone_numbers: ['+8613800000000', 13900000000] }]`);
    await expect(sendIntegration(c, alerts, now)).rejects.toMatchObject({ retry: true });
    await sendIntegration(c, alerts, now);
    expect(server.requests[1].body).toEqual({
      phoneNumbers: ['+8613800000000', '13900000000'],
      message: '[FIRING:1] DiskFull (db1)',
    });
  });

  it('refuses bad channel settings with their paths, and masks the signing secrets', () => {
    expect(
      problems(`
    dingtalk_configs: [{ webhook_url: 'ftp://x', message_type: card }]
    feishu_configs: [{ secret: s }]
    sms_configs: [{ url: 'http://x/sms', phone_numbers: [] }]`),
    ).toEqual([
      {
        path: 'notification_manager.alertmanager_receivers[0].dingtalk_configs[0].webhook_url',
        reason: 'unsupported scheme "ftp" for URL',
      },
      {
        path: 'notification_manager.alertmanager_receivers[0].dingtalk_configs[0].message_type',
        reason: 'message type "card" does not exist',
      },
      {
        path: 'notification_manager.alertmanager_receivers[0].feishu_configs[0].webhook_url',
        reason: 'missing webhook_url',
      },
      {
        path: 'notification_manager.alertmanager_receivers[0].sms_configs[0].phone_numbers',
        reason: 'missing phone_numbers',
      },
    ]);
    expect(problems('')).toEqual([]);
    expect(() =>
      parseAlertmanagerConfig(
        'route: {receiver: im}\nreceivers: [{name: im}]\n',
        'alertmanager_receivers: [{name: nobody, sms_configs: [{url: "http://x", phone_numbers: [1]}]}]',
      ),
    ).toThrow(
      'notification_manager.alertmanager_receivers[0].name: receiver "nobody" is not defined in alertmanager_config',
    );
    const masked = maskSecrets(
      'alertmanager_receivers:\n  - name: im\n    dingtalk_configs: [{webhook_url: "http://x?access_token=T", secret: SEC}]\n',
    );
    expect(masked).not.toContain('SEC');
    expect(masked).not.toContain('access_token=T');
  });
});
