import { parseAlertmanagerConfig } from './config';
import { type EmailConfig, type IntegrationConfig } from './config';
import { InvalidAlertmanagerConfigError } from './config-errors';
import { renderEmail, type RenderedEmail } from './email';
import { MemoryNotificationLog } from './nflog';
import { maskSecrets } from './secrets';
import { TenantAlertmanager } from './tenant-alertmanager';

/** KubeSphere's documented `global-receiver`, with two Configs of which its selector picks one. */
const CONFIG = `
route:
  receiver: ops
  group_by: [alertname]
  group_wait: 0s
receivers:
  - name: ops
notification_manager:
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

interface Sent {
  receiver: string;
  smarthost: string;
  mail: RenderedEmail;
  alertnames: string[];
}

async function deliveries(alerts: Array<Record<string, string>>): Promise<Sent[]> {
  const sent: Sent[] = [];
  const am = new TenantAlertmanager('acme', parseAlertmanagerConfig(CONFIG), {
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

  it('is translated onto Alertmanager’s model: a receiver and a continuing first-level route each', async () => {
    const am = parseAlertmanagerConfig(CONFIG);
    expect(am.receivers.map((r) => r.name)).toEqual([
      'ops',
      'nm/global-receiver',
      'nm/shop-critical',
    ]);
    expect(am.route.receiver).toBe('ops');
    expect(am.route.routes.map((r) => [r.receiver, r.continue])).toEqual([
      ['nm/global-receiver', true],
      ['nm/shop-critical', true],
    ]);
  });

  it('refuses bad selectors with their paths and masks the configs’ passwords', () => {
    const bad = CONFIG.replace('operator: DoesNotExist', 'operator: Missing').replace(
      'matchLabels: { type: tenant, user: test }',
      'matchLabels: { type: nobody }',
    );
    let problems: unknown = [];
    try {
      parseAlertmanagerConfig(bad);
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
        reason: 'selects no config of notification_manager.configs',
      },
    ]);
    expect(maskSecrets(CONFIG)).not.toContain('hunter2');
  });
});
