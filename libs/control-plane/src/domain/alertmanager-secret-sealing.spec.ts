import { mapSecrets } from '@strata/alertmanager';
import { type AlertmanagerConfigEvent, SECRET_MASK } from '@strata/contracts';
import { SecretKeyring } from '@strata/service-kit';
import { sealAlertmanagerSecrets } from './alertmanager-secret-sealing';

const ring = SecretKeyring.parse(SecretKeyring.generateKey());

const yaml = (password: string) => `global:
  smtp_auth_password: ${password}
route:
  receiver: team
receivers:
  - name: team
    slack_configs:
      - api_url: https://hooks.slack.com/services/T0/B0/${password}
        channel: '#alerts'
    webhook_configs:
      - url: http://127.0.0.1:9/hook
        http_config:
          basic_auth:
            username: strata
            password: ${password}
`;

const configured = (password: string, nm = ''): AlertmanagerConfigEvent => ({
  type: 'AlertmanagerConfigured',
  data: {
    tenantId: 'acme',
    alertmanagerConfig: yaml(password),
    templateFiles: {},
    ...(nm ? { notificationManager: nm } : {}),
  },
});

const stored = (e: AlertmanagerConfigEvent[]) => {
  const data = (e[0] as Extract<AlertmanagerConfigEvent, { type: 'AlertmanagerConfigured' }>).data;
  const { tenantId: _t, ...config } = data;
  return config;
};

describe('sealing Alertmanager receivers’ credentials before they are stored', () => {
  it('seals every credential of both documents for the tenant, keeping the rest as written', () => {
    const nm = 'receivers:\n  - name: ding\n    dingtalk:\n      secret: s3cr3t\n';
    const [event] = sealAlertmanagerSecrets([configured('hunter2', nm)], null, ring, 'acme');
    const config = stored([event]);
    expect(JSON.stringify(config)).not.toContain('hunter2');
    expect(config.notificationManager).not.toContain('s3cr3t');
    expect(config.alertmanagerConfig).toContain('http://127.0.0.1:9/hook');
    expect(config.alertmanagerConfig).toContain("channel: '#alerts'");
    const opened: string[] = [];
    mapSecrets(config.alertmanagerConfig, (v) => (opened.push(ring.open(v, 'acme')), v));
    expect(opened).toEqual([
      'hunter2',
      'https://hooks.slack.com/services/T0/B0/hunter2',
      'hunter2',
    ]);
    expect(() => mapSecrets(config.alertmanagerConfig, (v) => ring.open(v, 'globex'))).toThrow();
  });

  it('appends nothing for the same credentials written again, and seals changed ones anew', () => {
    const first = stored(sealAlertmanagerSecrets([configured('hunter2')], null, ring, 'acme'));
    const again = sealAlertmanagerSecrets([configured('hunter2')], first, ring, 'acme');
    expect(again).toEqual([]);
    const changed = stored(sealAlertmanagerSecrets([configured('n3w')], first, ring, 'acme'));
    expect(changed.alertmanagerConfig).not.toBe(first.alertmanagerConfig);
    expect(changed.alertmanagerConfig).not.toContain('n3w');
  });

  it('keeps the mask as written, and stores as given without a key', () => {
    const [masked] = sealAlertmanagerSecrets([configured(SECRET_MASK)], null, ring, 'acme');
    expect(stored([masked]).alertmanagerConfig).toContain(`smtp_auth_password: ${SECRET_MASK}`);
    expect(stored([masked]).alertmanagerConfig).toContain(`password: ${SECRET_MASK}`);
    expect(sealAlertmanagerSecrets([configured('hunter2')], null, null, 'acme')).toEqual([
      configured('hunter2'),
    ]);
  });
});
