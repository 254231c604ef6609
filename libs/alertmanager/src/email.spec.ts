import { type AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { acceptAlert } from './alert';
import { type EmailConfig, parseAlertmanagerConfig } from './config';
import { sendEmail } from './email';
import { type NotifyContext, NotifyError } from './integrations';
import { TemplateSet } from './template/render';

interface Received {
  from: string;
  to: string[];
  raw: string;
  user?: string;
}

async function smtp(
  options: { rejectWith?: number } = {},
): Promise<{ port: number; mails: Received[]; close(): Promise<void> }> {
  const mails: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onAuth(auth, _session, cb) {
      if (auth.username === 'am' && auth.password === 'secret') cb(null, { user: auth.username });
      else cb(new Error('bad credentials'));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (options.rejectWith) {
          const err = new Error('mailbox unavailable') as Error & { responseCode: number };
          err.responseCode = options.rejectWith;
          return cb(err);
        }
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          user: session.user as string | undefined,
        });
        cb();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.server.address() as AddressInfo;
  return { port, mails, close: () => new Promise<void>((r) => server.close(() => r())) };
}

function emailConfig(port: number, extra = ''): EmailConfig {
  const c = parseAlertmanagerConfig(`
route: {receiver: mail}
receivers:
  - name: mail
    email_configs:
      - to: ops@example.com
        from: alerts@example.com
        smarthost: 127.0.0.1:${port}
        auth_username: am
        auth_password: secret
        require_tls: false
${extra}`);
  return c.receivers[0].integrations[0] as EmailConfig;
}

const ctx = (templates?: TemplateSet): NotifyContext => ({
  tenantId: 'acme',
  receiver: 'mail',
  groupKey: '{}:{alertname="DiskFull"}',
  groupLabels: { alertname: 'DiskFull' },
  externalURL: 'http://strata/alertmanager',
  now: Date.now(),
  signal: new AbortController().signal,
  ...(templates ? { templates } : {}),
});

const alerts = [
  acceptAlert(
    {
      labels: { alertname: 'DiskFull', instance: 'db1', team: 'db' },
      annotations: { summary: 'disk <full>' },
    },
    Date.now(),
    300_000,
  ),
  acceptAlert(
    { labels: { alertname: 'DiskFull', instance: 'db2', team: 'db' } },
    Date.now(),
    300_000,
  ),
];

describe('email integration against a real SMTP server (smtp-server)', () => {
  it('authenticates and sends Alertmanager’s subject with an HTML body that escapes values', async () => {
    const server = await smtp();
    try {
      await sendEmail(emailConfig(server.port), alerts, ctx());
      expect(server.mails).toHaveLength(1);
      const [mail] = server.mails;
      expect(mail).toMatchObject({
        from: 'alerts@example.com',
        to: ['ops@example.com'],
        user: 'am',
      });
      expect(mail.raw).toContain('Subject: [FIRING:2] DiskFull (db)');
      // A lone HTML body is still one part of multipart/alternative, as Alertmanager sends it.
      expect(mail.raw).toMatch(/^Content-Type: multipart\/alternative;/m);
      expect(mail.raw).toMatch(
        /\r\nContent-Type: text\/html; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n/,
      );
      expect(mail.raw).not.toContain('text/plain');
      expect(mail.raw).toContain('disk &lt;full&gt;');
    } finally {
      await server.close();
    }
  });

  it('renders custom headers and text with the tenant’s template files', async () => {
    const server = await smtp();
    try {
      const config = emailConfig(
        server.port,
        `        headers: { subject: '{{ template "my.subject" . }}' }\n        text: '{{ range .Alerts }}{{ .Labels.instance | toUpper }};{{ end }}'\n`,
      );
      const templates = new TemplateSet({
        'my.tmpl':
          '{{ define "my.subject" }}{{ len .Alerts.Firing }} on {{ .CommonLabels.team }}{{ end }}',
      });
      await sendEmail(config, alerts, ctx(templates));
      expect(server.mails[0].raw).toContain('Subject: 2 on db');
      expect(server.mails[0].raw).toContain('DB1;DB2;');
    } finally {
      await server.close();
    }
  });

  it('sends the text part first and no HTML part when the html template is empty', async () => {
    const server = await smtp();
    try {
      const both = emailConfig(server.port, `        text: 'plain'\n`);
      const textOnly = emailConfig(server.port, `        text: 'plain'\n        html: ''\n`);
      await sendEmail(both, alerts, ctx());
      await sendEmail(textOnly, alerts, ctx());
      const types = server.mails.map((m) => m.raw.match(/(?<=Content-Type: )[^;\r\n]+/g));
      expect(types).toEqual([
        ['multipart/alternative', 'text/plain', 'text/html'],
        ['multipart/alternative', 'text/plain'],
      ]);
    } finally {
      await server.close();
    }
  });

  it('reports a permanent SMTP refusal as not retryable', async () => {
    const server = await smtp({ rejectWith: 550 });
    try {
      const sent = sendEmail(emailConfig(server.port), alerts, ctx());
      await expect(sent).rejects.toBeInstanceOf(NotifyError);
      await expect(sent).rejects.toMatchObject({ retry: false });
    } finally {
      await server.close();
    }
  });
});
