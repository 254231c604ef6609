import { alertmanagerConfigViewAfter, type StoredControlEvent } from './views';

/** An event as an earlier build stored it: Strata's extensions inside the Alertmanager YAML. */
const legacy: StoredControlEvent = {
  type: 'AlertmanagerConfigured',
  data: {
    tenantId: 'acme',
    alertmanagerConfig: [
      'route: {receiver: im}',
      'receivers:',
      '  - name: im',
      '    dingtalk_configs: [{webhook_url: "http://x/robot", secret: SEC}]',
      'notification_manager:',
      '  receivers: []',
      '',
    ].join('\n'),
    templateFiles: {},
  },
  position: 1,
  version: 1,
  recordedAt: '2026-12-01T00:00:00.000Z',
};

describe('the Alertmanager configuration view', () => {
  it('reads an earlier build’s event with the extensions moved beside the Alertmanager YAML', () => {
    const view = alertmanagerConfigViewAfter(null, legacy);
    expect(view?.alertmanagerConfig).toBe('route: { receiver: im }\nreceivers:\n  - name: im\n');
    expect(view?.notificationManager).toBe(
      'receivers: []\nalertmanager_receivers:\n  - name: im\n    dingtalk_configs:\n      - webhook_url: http://x/robot\n        secret: SEC\n',
    );
    expect(view?.version).toBe(1);
  });
});
