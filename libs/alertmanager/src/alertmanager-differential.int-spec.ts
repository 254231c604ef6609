import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAlertmanager, type RunningAlertmanager } from '@strata/devstack';
import {
  type CapturedMail,
  type SmtpCapture,
  type VendorServer,
  type SinkRequest,
  type WebhookSink,
  startSmtpCapture,
  startVendorServer,
  startWebhookSink,
} from '../testing';
import { type PostableAlert } from './alert';
import { parseAlertmanagerConfig } from './config';
import { MemoryNotificationLog } from './nflog';
import { TenantAlertmanager } from './tenant-alertmanager';
import { sendIntegration } from './send';
import { TemplateSet } from './template/render';

const TICK = 2000;

// Both sides get this configuration with their own sink path. Groups flush at odd seconds after the
// first alert (group_wait 1s, group_interval 2s); every input lands at an even second, between ticks.
const config = (sink: string, side: string): string => `
route:
  receiver: hook
  group_by: [alertname]
  group_wait: 1s
  group_interval: 2s
  repeat_interval: 1h
  routes:
    - matchers: ['severity="page"']
      receiver: pager
      group_by: [alertname, cluster]
      continue: true
    - matchers: ['team=~"db|infra"', 'severity!="info"']
      receiver: hook
      group_by: ['...']
inhibit_rules:
  - source_matchers: ['severity="critical"']
    target_matchers: ['severity="warning"']
    equal: [cluster]
receivers:
  - name: hook
    webhook_configs: [{ url: '${sink}/${side}/hook' }]
  - name: pager
    webhook_configs: [{ url: '${sink}/${side}/pager', send_resolved: false }]
`;

interface Step {
  atMs: number;
  alerts?: PostableAlert[];
  silence?: { matchers: { name: string; value: string; isRegex: boolean; isEqual: boolean }[] };
}

function scenario(t0: number): Step[] {
  const iso = (ms: number): string => new Date(ms).toISOString();
  const firing = (labels: Record<string, string>, at: number): PostableAlert => ({
    labels,
    annotations: { summary: `${labels.alertname} on ${labels.cluster ?? '-'}` },
    startsAt: iso(t0 + at),
    endsAt: iso(t0 + at + 3_600_000),
    generatorURL: 'http://prometheus/graph',
  });
  const resolved = (a: PostableAlert, at: number): PostableAlert => ({
    ...a,
    endsAt: iso(t0 + at),
  });
  const lat1 = firing(
    { alertname: 'HighLatency', cluster: 'c1', severity: 'warning', job: 'api' },
    0,
  );
  const lat2 = firing(
    { alertname: 'HighLatency', cluster: 'c2', severity: 'warning', job: 'api', instance: 'b' },
    0,
  );
  const disk = firing({ alertname: 'DiskFull', cluster: 'c1', severity: 'page' }, 0);
  const db = firing(
    { alertname: 'Replication', team: 'db', severity: 'warning', cluster: 'c2' },
    0,
  );
  const outage = firing({ alertname: 'Outage', cluster: 'c1', severity: 'critical' }, 2000);
  const lat3 = firing(
    { alertname: 'HighLatency', cluster: 'c3', severity: 'warning', job: 'api', instance: 'a' },
    6000,
  );
  return [
    { atMs: 0, alerts: [lat1, lat2, disk, db] },
    { atMs: 2000, alerts: [outage, { ...disk, annotations: { summary: 'updated' } }] },
    {
      atMs: 4000,
      silence: { matchers: [{ name: 'alertname', value: 'Disk.*', isRegex: true, isEqual: true }] },
    },
    {
      atMs: 4000,
      alerts: [
        resolved(lat2, 4000),
        firing({ alertname: 'DiskFull', cluster: 'c2', severity: 'page' }, 4000),
      ],
    },
    { atMs: 6000, alerts: [lat3, resolved(db, 6000)] },
    { atMs: 8000, alerts: [resolved(outage, 8000)] },
    { atMs: 10000, alerts: [resolved(disk, 10000)] },
  ];
}

/** What must be equal on both sides: everything but the fields that name the sender. */
function normalise(r: SinkRequest, side: string, t0: number): unknown {
  const body = { ...(r.body as Record<string, unknown>) };
  delete body.externalURL;
  const tick = Math.round((r.at - t0 - 1000) / TICK);
  return { path: r.path.replace(`/${side}/`, '/'), tick, body };
}

function byGroup(items: unknown[]): Map<string, unknown[]> {
  const out = new Map<string, unknown[]>();
  for (const i of items) {
    const key = `${(i as { path: string }).path} ${(i as { body: { groupKey: string } }).body.groupKey}`;
    out.set(key, [...(out.get(key) ?? []), i]);
  }
  return out;
}

describe('notification against Debian Alertmanager, same config and timed alerts', () => {
  let sink: WebhookSink;
  let am: RunningAlertmanager;
  let strata: TenantAlertmanager;

  beforeAll(async () => {
    sink = await startWebhookSink();
    am = await startAlertmanager({ config: config(sink.url, 'am') });
    strata = new TenantAlertmanager('acme', parseAlertmanagerConfig(config(sink.url, 'strata')), {
      nflog: new MemoryNotificationLog(),
      send: sendIntegration,
      externalURL: 'http://strata',
    });
  });

  afterAll(async () => {
    await strata?.stop();
    await am?.stop();
    await sink?.close();
  });

  it('sends the same groups, alerts, order and webhook bodies on the same ticks', async () => {
    const t0 = Date.now();
    for (const step of scenario(t0)) {
      const wait = t0 + step.atMs - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (step.alerts) {
        const res = await fetch(`${am.url}/api/v2/alerts`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(step.alerts),
        });
        expect(res.status).toBe(200);
        strata.post(step.alerts);
      }
      if (step.silence) {
        const silence = {
          ...step.silence,
          startsAt: new Date().toISOString(),
          endsAt: new Date(Date.now() + 3_600_000).toISOString(),
          createdBy: 'spec',
          comment: 'mid-way',
        };
        const res = await fetch(`${am.url}/api/v2/silences`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(silence),
        });
        expect(res.status).toBe(200);
        await strata.silences.set({
          ...silence,
          startsAt: Date.parse(silence.startsAt),
          endsAt: Date.parse(silence.endsAt),
        });
      }
    }
    await new Promise((r) => setTimeout(r, 3 * TICK));

    const side = (s: string): unknown[] =>
      sink.requests.filter((r) => r.path.startsWith(`/${s}/`)).map((r) => normalise(r, s, t0));
    const amSent = side('am');
    const strataSent = side('strata');
    // The scenario exercises grouping, a continue route, inhibition, a silence, resolution and re-firing.
    expect(amSent.length).toBeGreaterThanOrEqual(6);
    expect(byGroup(strataSent)).toEqual(byGroup(amSent));
    const sortKey = (i: unknown): string => JSON.stringify(i);
    expect(strataSent.map(sortKey).sort()).toEqual(amSent.map(sortKey).sort());
  }, 60_000);
});

// Every channel of Alertmanager's that Strata renders, with Alertmanager's default templates.
const channelsConfig = (vendor: string, side: string, smtpPort: number, templates = ''): string => `
templates: [${JSON.stringify(templates)}]
route:
  receiver: all
  group_by: [alertname]
  group_wait: 1s
  group_interval: 2s
receivers:
  - name: all
    webhook_configs: [{ url: '${vendor}/${side}/hook' }]
    slack_configs: [{ api_url: '${vendor}/${side}/slack', channel: '#ops', send_resolved: true }]
    discord_configs: [{ webhook_url: '${vendor}/${side}/discord' }]
    telegram_configs: [{ api_url: '${vendor}/${side}/telegram', bot_token: TOKEN, chat_id: 42 }]
    wechat_configs:
      - { api_url: '${vendor}/${side}/wechat/', api_secret: S, corp_id: C, to_user: '@all', agent_id: '1000002', send_resolved: true }
    email_configs:
      - to: ops@example.com
        from: alerts@example.com
        smarthost: '127.0.0.1:${smtpPort}'
        require_tls: false
        send_resolved: true
        headers: { X-Group: '{{ .GroupLabels.alertname }}' }
        html: '{{ template "differential.html" . }}'
        text: '{{ template "differential.text" . }}'
`;

/**
 * The email bodies come from a template file on both sides: Alertmanager's default HTML email is
 * its own stylesheet-laden page, which Strata does not reproduce. Values land in HTML text, where
 * html/template escapes them.
 */
const EMAIL_TEMPLATES = `{{ define "differential.html" }}<h1>{{ template "__subject" . }}</h1>
{{ range .Alerts }}<p>{{ .Labels.instance }}: {{ .Annotations.description }}</p>
{{ end }}{{ end }}
{{ define "differential.text" }}{{ range .Alerts }}{{ .Status }} {{ .Labels.instance }}: {{ .Annotations.description }}
{{ end }}{{ end }}
`;

describe('rendered notifications against Debian Alertmanager, every channel alike', () => {
  let vendor: VendorServer;
  const mail: Record<string, SmtpCapture> = {};
  let am: RunningAlertmanager;
  let strata: TenantAlertmanager;
  let templatesDir = '';

  beforeAll(async () => {
    // Each API answers as its vendor does, so neither side retries.
    vendor = await startVendorServer((req) => {
      if (req.path.includes('/telegram/'))
        return {
          body: { ok: true, result: { message_id: 1, date: 0, chat: { id: 42, type: 'group' } } },
        };
      if (req.path.includes('/wechat/'))
        return { body: { errcode: 0, errmsg: 'ok', access_token: 'wx-token', expires_in: 7200 } };
      return { body: {} };
    });
    for (const side of ['am', 'strata']) mail[side] = await startSmtpCapture();
    templatesDir = mkdtempSync(join(tmpdir(), 'strata-am-templates-'));
    writeFileSync(join(templatesDir, 'differential.tmpl'), EMAIL_TEMPLATES);
    am = await startAlertmanager({
      config: channelsConfig(
        vendor.url,
        'am',
        mail.am.port,
        join(templatesDir, 'differential.tmpl'),
      ),
    });
    // The same external URL on both sides: it is the one field that names the sender.
    strata = new TenantAlertmanager(
      'acme',
      parseAlertmanagerConfig(channelsConfig(vendor.url, 'strata', mail.strata.port)),
      { nflog: new MemoryNotificationLog(), send: sendIntegration, externalURL: am.url },
    );
    strata.templates = new TemplateSet({ 'differential.tmpl': EMAIL_TEMPLATES });
  });

  afterAll(async () => {
    await strata?.stop();
    await am?.stop();
    await vendor?.close();
    await Promise.all(Object.values(mail).map((m) => m.close()));
    rmSync(templatesDir, { recursive: true, force: true });
  });

  it('sends the same Slack, Discord, Telegram, WeCom, email and webhook bodies, firing and resolved', async () => {
    // Started now, so both wait group_wait and flush the two together: an alert that started
    // longer ago than group_wait makes Alertmanager flush its group at once, on another goroutine,
    // which on a loaded machine can send the first alert of a post alone.
    const startsAt = new Date().toISOString();
    const alert = (instance: string, endsAt?: string): PostableAlert => ({
      labels: { alertname: 'DiskFull', severity: 'critical', instance },
      annotations: { summary: `disk full on ${instance}`, description: 'less than 5% <free>' },
      startsAt,
      ...(endsAt ? { endsAt } : {}),
      generatorURL: 'http://prometheus/graph?g0.expr=up',
    });
    const post = async (alerts: PostableAlert[]): Promise<void> => {
      const res = await fetch(`${am.url}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(alerts),
      });
      expect(res.status).toBe(200);
      await strata.post(alerts);
    };
    const sides = (): { am: unknown[]; strata: unknown[] } => {
      const of = (side: string): unknown[] =>
        vendor.requests
          .filter((r) => r.path.startsWith(`/${side}/`))
          .map((r) => {
            const body = r.body as Record<string, unknown>;
            // The fields that name the sender: the webhook's URL, Slack's user name.
            if (r.path.endsWith('/hook')) delete body.externalURL;
            if (r.path.endsWith('/slack')) delete body.username;
            return {
              path: r.path.slice(side.length + 1),
              query: Object.fromEntries(r.query),
              contentType: r.headers['content-type'],
              body,
            };
          })
          .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      return { am: of('am'), strata: of('strata') };
    };
    const waitFor = async (n: number, emails: number): Promise<void> => {
      for (const deadline = Date.now() + 20_000; Date.now() < deadline;) {
        const now = sides();
        const mails = Math.min(mail.am.mails.length, mail.strata.mails.length);
        if (now.am.length >= n && now.strata.length >= n && mails >= emails) return;
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error(`not every side sent ${n} requests and ${emails} mails`);
    };
    await post([alert('db1'), alert('db2')]);
    // webhook, slack, discord, telegram, wechat gettoken + send: six requests a side.
    await waitFor(6, 1);
    const firing = sides();
    expect(firing.am.map((r) => (r as { path: string }).path)).toEqual([
      '/discord',
      '/hook',
      '/slack',
      '/telegram/botTOKEN/sendMessage',
      '/wechat/gettoken',
      '/wechat/message/send',
    ]);
    expect(firing.strata).toEqual(firing.am);
    const seen = (m: CapturedMail): unknown => [
      m.headers.subject,
      m.headers.from,
      m.headers.to,
      m.headers['x-group'],
      m.headers['mime-version'],
      m.parts,
      // Text part then HTML part in multipart/alternative, each UTF-8 and quoted-printable.
      m.structure,
    ];
    expect(mail.strata.mails.map(seen)).toEqual(mail.am.mails.map(seen));
    // html/template's escaping in the HTML part, none in the text part.
    expect(mail.am.mails[0].parts['text/html']).toContain('less than 5% &lt;free&gt;');
    expect(mail.am.mails[0].parts['text/plain']).toContain('less than 5% <free>');

    // Resolved: every channel here sends it (Slack, WeCom and email by send_resolved: true).
    const ended = new Date().toISOString();
    await post([alert('db1', ended), alert('db2', ended)]);
    await waitFor(11, 2);
    const after = sides();
    expect(after.am.length).toBe(11);
    expect(after.strata).toEqual(after.am);
    expect(mail.strata.mails.map(seen)).toEqual(mail.am.mails.map(seen));
    expect(mail.am.mails[1].headers.subject).toBe('[RESOLVED] DiskFull (critical)');
  }, 60_000);
});

/**
 * An HTML email whose values land in every context Alertmanager's templates put them: element
 * text, a `<title>`, double-, single- and unquoted attributes, URL attributes (at the start, after
 * a path, in the query and fragment), a comment, `safeHtml` in text and in an attribute, and a
 * trailing `html`; and in the JavaScript and CSS contexts: values, strings and regexps in
 * `<script>` and `onclick`, values, strings, `url(...)` and comments in `<style>` and `style`.
 */
const HOSTILE_TEMPLATES = `{{ define "hostile.html" }}<html><head><title>{{ .CommonLabels.alertname }}: {{ template "__subject" . }}</title>
<style>h1 { color: {{ .CommonLabels.severity }}; font-family: "{{ .CommonLabels.alertname }}"; background: url('{{ .ExternalURL }}/bg.png?a={{ .CommonLabels.alertname }}') } /* {{ .Status }} */</style>
<script>var group = {{ .GroupLabels }}, status = "{{ .Status }}", firing = {{ len .Alerts.Firing }}, re = /{{ .CommonLabels.alertname }}/, alerts = []; // {{ .Receiver }}
</script></head>
<body><!-- {{ .CommonLabels.alertname }} is dropped with the comment -->
{{ range .Alerts }}<div class="{{ .Labels.severity }}" data-v='{{ .Labels.value }}' title={{ .Labels.value }}>
<a href="{{ .Labels.link }}">{{ .Labels.value }}</a> <a href='{{ .GeneratorURL }}'>source</a>
<a href="http://strata.example/alerts?filter={{ .Labels.value }}&amp;x=1#{{ .Labels.instance }}">search</a>
<img src="/static/{{ .Labels.value }}.png" alt="{{ .Labels.instance }}">
<p>{{ .Annotations.description | safeHtml }}</p>
<p title="{{ .Annotations.description | safeHtml }}">{{ .Annotations.summary | html }}</p>
<textarea>{{ .Labels.value }}</textarea>
<button onclick="show({{ .Labels }}, '{{ .Labels.value }}', {{ .StartsAt }})" style="color: {{ .Labels.severity }}; width: {{ .Labels.width }}; content: '{{ .Labels.value }}'">details</button>
<script>alerts.push({ fingerprint: {{ .Fingerprint }}, value: "{{ .Labels.value }}", match: /^{{ .Labels.instance }}$/ });</script>
</div>
{{ end }}</body></html>{{ end }}`;

const hostileConfig = (smtpPort: number, templates = ''): string => `
templates: [${JSON.stringify(templates)}]
route:
  receiver: mail
  group_by: [alertname]
  group_wait: 1s
receivers:
  - name: mail
    email_configs:
      - to: ops@example.com
        from: alerts@example.com
        smarthost: '127.0.0.1:${smtpPort}'
        require_tls: false
        html: '{{ template "hostile.html" . }}'
`;

describe('HTML email with hostile values against Debian Alertmanager (html/template escaping)', () => {
  const mail: Record<string, SmtpCapture> = {};
  let am: RunningAlertmanager;
  let strata: TenantAlertmanager;
  let templatesDir = '';

  beforeAll(async () => {
    for (const side of ['am', 'strata']) mail[side] = await startSmtpCapture();
    templatesDir = mkdtempSync(join(tmpdir(), 'strata-am-hostile-'));
    writeFileSync(join(templatesDir, 'hostile.tmpl'), HOSTILE_TEMPLATES);
    am = await startAlertmanager({
      config: hostileConfig(mail.am.port, join(templatesDir, 'hostile.tmpl')),
    });
    strata = new TenantAlertmanager(
      'acme',
      parseAlertmanagerConfig(hostileConfig(mail.strata.port)),
      { nflog: new MemoryNotificationLog(), send: sendIntegration, externalURL: am.url },
    );
    strata.templates = new TemplateSet({ 'hostile.tmpl': HOSTILE_TEMPLATES });
  });

  afterAll(async () => {
    await strata?.stop();
    await am?.stop();
    await Promise.all(Object.values(mail).map((m) => m.close()));
    rmSync(templatesDir, { recursive: true, force: true });
  });

  it('renders the same HTML body, byte for byte', async () => {
    // Started now, as in the channel bodies' test above: both flush the four together.
    const startsAt = new Date().toISOString();
    const alerts: PostableAlert[] = [
      {
        labels: {
          alertname: 'Inject<b>',
          instance: 'db1',
          severity: 'x" onmouseover="alert(1)',
          value: `a b&c=d+e'f"g<h>\`i`,
          link: 'javascript:alert(document.cookie)',
          width: 'expression(alert(1))',
        },
        annotations: { description: '<b>bold</b> & <i>it</i>', summary: '<script>x()</script>' },
        startsAt,
        generatorURL: 'http://prometheus/graph?g0.expr=up{job="a b"}',
      },
      {
        labels: {
          alertname: 'Inject<b>',
          instance: 'db2 #2',
          severity: 'critical',
          value: 'ü€\ttab/%41%zz',
          link: 'HTTPS://ok.example/p a?q=<x>&y=%41%zz#frag',
          width: '10px',
        },
        annotations: { description: '5 < 6 "q"', summary: "'quote' + plus" },
        startsAt,
        generatorURL: 'vbscript:msgbox',
      },
      {
        labels: {
          alertname: 'Inject<b>',
          instance: 'db3',
          severity: 'warning',
          value: '../x:y',
          link: 'data:text/html;base64,PHNjcmlwdD4=',
          width: '\\3c /style\\3e',
        },
        annotations: { description: '', summary: '' },
        startsAt,
        generatorURL: '/relative/path:with-colon',
      },
      {
        labels: {
          alertname: 'Inject<b>',
          instance: 'db4',
          severity: 'info',
          value: '',
          link: 'mailto:ops@example.com?subject=a b',
        },
        annotations: {},
        startsAt,
      },
    ];
    const res = await fetch(`${am.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(alerts),
    });
    expect(res.status).toBe(200);
    await strata.post(alerts);
    for (const deadline = Date.now() + 20_000; Date.now() < deadline;) {
      if (mail.am.mails.length > 0 && mail.strata.mails.length > 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const html = (side: string): string => mail[side].mails[0]?.parts['text/html'] ?? '';
    // Alertmanager sends a lone HTML body as the one part of a multipart/alternative message.
    expect(mail.strata.mails[0].structure).toEqual(mail.am.mails[0].structure);
    expect(html('am')).toContain('#ZgotmplZ');
    expect(html('am')).not.toContain('<script>x()');
    // The value filter refused `expression(...)` in a style attribute.
    expect(html('am')).toContain('width: ZgotmplZ');
    expect(html('strata')).toBe(html('am'));
  }, 40_000);
});
