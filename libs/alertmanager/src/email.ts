import { createTransport } from 'nodemailer';
import MimeNode from 'nodemailer/lib/mime-node';
import { type Alert } from './alert';
import { type EmailConfig } from './config';
import { type NotifyContext, NotifyError } from './integrations';
import { templateData } from './template-data';
import { TemplateSet } from './template/render';

const DEFAULT_SUBJECT = '{{ template "email.default.subject" . }}';

/** The message an email integration sends, rendered with the tenant's templates. */
export interface RenderedEmail {
  from: string;
  to: string;
  subject: string;
  /** Absent when the configuration's `html` is empty, as Alertmanager then sends no HTML part. */
  html?: string;
  text?: string;
  headers: Record<string, string>;
}

/** Renders subject, bodies and headers as Alertmanager's email integration does. */
export async function renderEmail(
  config: EmailConfig,
  alerts: readonly Alert[],
  ctx: NotifyContext,
): Promise<RenderedEmail> {
  const templates = ctx.templates ?? new TemplateSet();
  const data = templateData(ctx.receiver, ctx.groupLabels, alerts, ctx.externalURL, ctx.now);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(config.headers)) headers[k] = await templates.render(v, data);
  const subject = headers.Subject ?? (await templates.render(DEFAULT_SUBJECT, data));
  delete headers.Subject;
  delete headers.To;
  delete headers.From;
  return {
    from: await templates.render(config.from, data),
    to: await templates.render(config.to, data),
    subject,
    // The HTML body escapes what its actions print, as Alertmanager's html/template does.
    ...(config.html !== ''
      ? { html: await templates.render(config.html, data, { html: true }) }
      : {}),
    ...(config.text ? { text: await templates.render(config.text, data) } : {}),
    headers,
  };
}

/**
 * The message as Alertmanager's email notifier builds it: always `multipart/alternative`, the text
 * part (if any) before the HTML part (the preferred one last, RFC 2046 5.1.4), each
 * `charset=UTF-8` and quoted-printable; nodemailer adds Date, Message-ID and MIME-Version.
 */
export function composeEmail(mail: RenderedEmail): MimeNode {
  const root = new MimeNode('multipart/alternative');
  root.setHeader({ From: mail.from, To: mail.to, Subject: mail.subject, ...mail.headers });
  const part = (type: string, body: string): void => {
    root
      .createChild(`${type}; charset=UTF-8`)
      .setHeader('Content-Transfer-Encoding', 'quoted-printable')
      .setContent(body);
  };
  if (mail.text !== undefined) part('text/plain', mail.text);
  if (mail.html !== undefined) part('text/html', mail.html);
  return root;
}

/**
 * Sends the notification over SMTP with nodemailer: STARTTLS required unless `require_tls: false`,
 * implicit TLS on port 465, AUTH when a user name is set. SMTP 5xx answers are not retried.
 */
export async function sendEmail(
  config: EmailConfig,
  alerts: readonly Alert[],
  ctx: NotifyContext,
): Promise<void> {
  const mail = await renderEmail(config, alerts, ctx);
  const message = composeEmail(mail);
  const [host, portText] = splitHostPort(config.smarthost);
  const port = Number(portText || 25);
  const transport = createTransport({
    host,
    port,
    secure: port === 465,
    requireTLS: port !== 465 && config.requireTls,
    ignoreTLS: port !== 465 && !config.requireTls,
    ...(config.authUsername
      ? { auth: { user: config.authUsername, pass: config.authPassword ?? '' } }
      : {}),
    connectionTimeout: 10_000,
  });
  try {
    await transport.sendMail({ envelope: message.getEnvelope(), raw: await message.build() });
  } catch (e) {
    const code = (e as { responseCode?: number }).responseCode;
    throw new NotifyError(
      `email to ${mail.to}: ${(e as Error).message}`,
      code === undefined || code < 500,
    );
  } finally {
    transport.close();
  }
}

function splitHostPort(hostPort: string): [string, string] {
  const m = /^\[(.*)\]:(\d+)$/.exec(hostPort) ?? /^(.*):(\d+)$/.exec(hostPort);
  return m ? [m[1], m[2]] : [hostPort, ''];
}
