import { parse } from 'yaml';
import { parseAlertmanagerConfig } from './config';
import { type EmailConfig, type IntegrationConfig } from './config';
import { InvalidAlertmanagerConfigError } from './config-errors';
import { renderEmail, type RenderedEmail } from './email';
import { MemoryNotificationLog } from './nflog';
import { splitLegacyConfig } from './legacy-config';
import { maskSecrets } from './secrets';
import { checkTenantConfig } from './tenant-config';
import { TenantAlertmanager } from './tenant-alertmanager';

/** KubeSphere's documented `global-receiver`, with two Configs of which its selector picks one. */
const AM = `
route:
  receiver: ops
  group_by: [alertname]
  group_wait: 0s
receivers:
  - name: ops
`;

/** Strata's extensions document beside it. */
const NM = `
receivers:
  - name: global-receiver
    email:
      to: [admin@example.com]
      alertSelector:
        matchExpressions: [{ key: namespace, operator: DoesNotExist }]
      emailConfigSelector:
        matchLabels: { type: tenant, user: test }
      template: nm.default.html
      subjectTemplate: nm.default.subject
  - name: shop-critical
    email:
      to: [shop@example.com]
      alertSelector:
        matchLabels: { severity: critical }
        matchExpressions:
          - { key: namespace, operator: In, values: [shop, cart] }
          - { key: team, operator: NotIn, values: [infra] }
      emailConfigSelector:
        matchExpressions: [{ key: user, operator: In, values: [test] }]
configs:
  - name: test-user
    labels: { type: tenant, user: test }
    email:
      from: nm@example.com
      smartHost: { host: 127.0.0.1, port: 2525 }
      authUsername: nm
      authPassword: hunter2
      requireTLS: false
  - name: other-user
    labels: { type: tenant, user: other }
    email: { from: other@example.com, smartHost: { host: 10.0.0.1, port: 25 } }
`;

/** The same, as earlier builds kept it: the extensions inside the Alertmanager YAML. */
const LEGACY = `${AM}notification_manager:\n${NM.split('\n')
  .map((l) => `  ${l}`)
  .join('\n')}`;

interface Sent {
  receiver: string;
  smarthost: string;
  mail: RenderedEmail;
  alertnames: string[];
}

async function deliveries(alerts: Array<Record<string, string>>): Promise<Sent[]> {
  const sent: Sent[] = [];
  const am = new TenantAlertmanager('acme', parseAlertmanagerConfig(AM, NM), {
    nflog: new MemoryNotificationLog(),
    externalURL: 'http://strata/alertmanager',
    send: async (config: IntegrationConfig, posted, ctx) => {
      const email = config as EmailConfig;
      sent.push({
        receiver: ctx.receiver,
        smarthost: email.smarthost,
        mail: await renderEmail(email, posted, ctx),
        alertnames: posted.map((a) => a.labels.alertname),
      });
    },
  });
  am.post(alerts.map((labels) => ({ labels })));
  await new Promise((r) => setTimeout(r, 300));
  await am.stop();
  return sent.sort((a, b) =>
    (a.receiver + a.alertnames[0]).localeCompare(b.receiver + b.alertnames[0]),
  );
}

describe("notification-manager's receivers and configs", () => {
  it('sends a global receiver what its alertSelector allows, through the configs its selector picks', async () => {
    const sent = await deliveries([
      { alertname: 'NodeDown', severity: 'critical' },
      { alertname: 'PodCrash', severity: 'critical', namespace: 'shop' },
      { alertname: 'PodSlow', severity: 'critical', namespace: 'shop', team: 'infra' },
      { alertname: 'CartDown', severity: 'warning', namespace: 'cart' },
    ]);
    expect(sent.map((s) => [s.receiver, s.alertnames])).toEqual([
      ['nm/global-receiver', ['NodeDown']],
      ['nm/shop-critical', ['PodCrash']],
    ]);
    const global = sent[0];
    // Only the Config labelled type=tenant, user=test: its server and sender.
    expect(global.smarthost).toBe('127.0.0.1:2525');
    expect(global.mail).toMatchObject({
      from: 'nm@example.com',
      to: 'admin@example.com',
      subject: '[FIRING:1] NodeDown (critical)',
    });
    expect(global.mail.html).toContain('<!DOCTYPE html>');
    expect(global.mail.html).toContain('severity=critical');
  });

  it('is translated onto Alertmanager’s model: a receiver and a continuing first-level route each, then the tenant’s tree', async () => {
    const am = parseAlertmanagerConfig(AM, NM);
    expect(am.receivers.map((r) => r.name)).toEqual([
      'ops',
      'nm/global-receiver',
      'nm/shop-critical',
    ]);
    expect(am.route.receiver).toBe('ops');
    expect(am.route.routes.map((r) => [r.receiver, r.continue])).toEqual([
      ['nm/global-receiver', true],
      ['nm/shop-critical', true],
      // The tenant's own tree, in one catch-all child, so the default receiver still gets what
      // no route of its own takes.
      ['ops', false],
    ]);
  });

  it('reads a configuration of an earlier build, with the extensions inside the Alertmanager YAML, as the split one', () => {
    const split = splitLegacyConfig(LEGACY);
    expect(parse(split.alertmanagerConfig)).toEqual(parse(AM));
    expect(parse(split.notificationManager)).toEqual(parse(NM));
    const legacy = parseAlertmanagerConfig(LEGACY);
    const current = parseAlertmanagerConfig(AM, NM);
    expect(legacy.receivers).toEqual(current.receivers);
    expect(legacy.original).toBe(split.alertmanagerConfig);
    // Writing it in the old form now is refused where the extension sits.
    expect(checkTenantConfig(LEGACY, {})).toEqual([
      {
        path: 'notification_manager',
        reason: expect.stringContaining('belongs in the notification_manager document') as string,
      },
    ]);
    expect(checkTenantConfig(AM, {}, NM)).toEqual([]);
  });

  it('refuses bad selectors with their paths and masks the configs’ passwords', () => {
    const bad = NM.replace('operator: DoesNotExist', 'operator: Missing').replace(
      'matchLabels: { type: tenant, user: test }',
      'matchLabels: { type: nobody }',
    );
    let problems: unknown = [];
    try {
      parseAlertmanagerConfig(AM, bad);
    } catch (e) {
      if (!(e instanceof InvalidAlertmanagerConfigError)) throw e;
      problems = e.problems;
    }
    expect(problems).toEqual([
      {
        path: 'notification_manager.receivers[0].email.alertSelector.matchExpressions[0].operator',
        reason: 'operator must be one of In, NotIn, Exists, DoesNotExist',
      },
      {
        path: 'notification_manager.receivers[0].email.emailConfigSelector',
        reason: 'selects no email config of notification_manager.configs',
      },
    ]);
    expect(maskSecrets(NM)).not.toContain('hunter2');
  });
});
