import { parseAlertmanagerConfig } from './config';
import { type IntegrationConfig } from './config';
import { InvalidAlertmanagerConfigError } from './config-errors';
import { MemoryNotificationLog } from './nflog';
import { TenantAlertmanager } from './tenant-alertmanager';

const AM = `
route:
  receiver: ops
  group_by: [alertname]
  group_wait: 0s
receivers:
  - name: ops
    webhook_configs: [{ url: 'http://127.0.0.1:9/ops' }]
`;

/** Two of notification-manager's tenants (users), each owning namespaces, and a global receiver. */
const NM = `
tenants:
  - { name: alice, namespaces: [shop, cart] }
  - { name: bob, namespaces: [billing] }
receivers:
  - name: alice-mail
    labels: { type: tenant, user: alice }
    email: { to: [alice@example.com], emailConfigSelector: { matchLabels: { type: global } } }
  - name: bob-mail
    labels: { type: tenant, user: bob }
    email: { to: [bob@example.com], emailConfigSelector: { matchLabels: { type: global } } }
  - name: global-mail
    labels: { type: global }
    email:
      to: [admin@example.com]
      alertSelector: { matchLabels: { severity: critical } }
      emailConfigSelector: { matchLabels: { type: global } }
  - name: cpu-oncall
    labels: { type: global, team: cpu }
    email:
      to: [cpu@example.com]
      alertSelector: { matchLabels: { never: matches } }
      emailConfigSelector: { matchLabels: { type: global } }
configs:
  - name: smtp
    labels: { type: global }
    email: { from: nm@example.com, smartHost: { host: 127.0.0.1, port: 2525 }, requireTLS: false }
`;

const order = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

interface Sent {
  receiver: string;
  alertnames: string[];
}

/** Posts alerts at a given wall-clock time and collects what each receiver is sent. */
async function deliveries(
  nm: string,
  alerts: Array<Record<string, string>>,
  at = Date.now(),
): Promise<Sent[]> {
  const sent: Sent[] = [];
  const offset = at - Date.now();
  const am = new TenantAlertmanager('acme', parseAlertmanagerConfig(AM, nm), {
    nflog: new MemoryNotificationLog(),
    externalURL: 'http://strata/alertmanager',
    now: () => Date.now() + offset,
    send: (_config: IntegrationConfig, posted, ctx) => {
      sent.push({ receiver: ctx.receiver, alertnames: posted.map((a) => a.labels.alertname) });
      return Promise.resolve();
    },
  });
  await am.post(alerts.map((labels) => ({ labels })));
  await new Promise((r) => setTimeout(r, 300));
  await am.stop();
  return sent
    .map((s) => ({ ...s, alertnames: [...s.alertnames].sort() }))
    .sort((a, b) => order(a.receiver + a.alertnames[0], b.receiver + b.alertnames[0]));
}

function problemsOf(nm: string): unknown {
  try {
    parseAlertmanagerConfig(AM, nm);
  } catch (e) {
    if (e instanceof InvalidAlertmanagerConfigError) return e.problems;
    throw e;
  }
  return [];
}

const ALERTS: Array<Record<string, string>> = [
  { alertname: 'ShopDown', namespace: 'shop' },
  { alertname: 'CartSlow', namespace: 'cart', severity: 'critical' },
  { alertname: 'InvoiceLate', namespace: 'billing' },
  { alertname: 'NodeDown', severity: 'critical' },
  { alertname: 'CPUThrottlingHigh', namespace: 'shop' },
];

describe("notification-manager's tenants, routers and silences", () => {
  it("sends a tenant receiver only its own namespaces' alerts; a global one what its selector allows", async () => {
    const sent = await deliveries(NM, ALERTS);
    expect(sent).toEqual([
      { receiver: 'nm/alice-mail', alertnames: ['CPUThrottlingHigh'] },
      { receiver: 'nm/alice-mail', alertnames: ['CartSlow'] },
      { receiver: 'nm/alice-mail', alertnames: ['ShopDown'] },
      { receiver: 'nm/bob-mail', alertnames: ['InvoiceLate'] },
      { receiver: 'nm/global-mail', alertnames: ['CartSlow'] },
      { receiver: 'nm/global-mail', alertnames: ['NodeDown'] },
      ...ALERTS.map((a) => ({ receiver: 'ops', alertnames: [a.alertname] })).sort((a, b) =>
        order(a.alertnames[0], b.alertnames[0]),
      ),
    ]);
  });

  it('routes only the alerts a Router selects to the receivers it names, once each', async () => {
    const routed = `${NM}
routers:
  - name: cpu
    alertSelector:
      matchExpressions: [{ key: alertname, operator: In, values: [CPUThrottlingHigh] }]
    receivers: { name: [cpu-oncall, alice-mail], type: email }
  - name: by-label
    alertSelector: { matchLabels: { alertname: CPUThrottlingHigh } }
    receivers: { selector: { matchLabels: { team: cpu } } }
`;
    const sent = await deliveries(routed, ALERTS);
    const of = (r: string) => sent.filter((s) => s.receiver === r).map((s) => s.alertnames);
    // Its own selector matches nothing: only what the routers send it.
    expect(of('nm/cpu-oncall')).toEqual([['CPUThrottlingHigh']]);
    // Picked by a router and by its namespaces: sent once.
    expect(of('nm/alice-mail')).toEqual([['CPUThrottlingHigh'], ['CartSlow'], ['ShopDown']]);
    expect(of('nm/bob-mail')).toEqual([['InvoiceLate']]);
    const regex = `${NM}
routers:
  - name: by-regex
    alertSelector: { matchLabels: { alertname: NodeDown } }
    receivers: { regexName: '^bob' }
`;
    expect((await deliveries(regex, ALERTS)).filter((s) => s.receiver === 'nm/bob-mail')).toEqual([
      { receiver: 'nm/bob-mail', alertnames: ['InvoiceLate'] },
      { receiver: 'nm/bob-mail', alertnames: ['NodeDown'] },
    ]);
  });

  it('mutes with a scheduled Silence only during its window, and a tenant Silence only that user', async () => {
    const silenced = `${NM}
silences:
  - name: nightly
    labels: { type: global }
    matcher: { matchExpressions: [{ key: namespace, operator: In, values: [shop] }] }
    schedule: '0 22 * * *'
    duration: 1h
  - name: bob-quiet
    labels: { type: tenant, user: bob }
    matcher: {}
  - name: off
    enabled: false
    matcher: { matchLabels: { alertname: NodeDown } }
`;
    const inWindow = await deliveries(silenced, ALERTS, Date.parse('2026-12-05T22:30:00Z'));
    const names = (sent: Sent[], r: string) =>
      sent.filter((s) => s.receiver === r).flatMap((s) => s.alertnames);
    // namespace=shop muted for every receiver, the rest sent; bob's receiver muted entirely.
    expect(names(inWindow, 'nm/alice-mail')).toEqual(['CartSlow']);
    expect(names(inWindow, 'ops').sort()).toEqual(['CartSlow', 'InvoiceLate', 'NodeDown']);
    expect(names(inWindow, 'nm/bob-mail')).toEqual([]);
    expect(names(inWindow, 'nm/global-mail').sort()).toEqual(['CartSlow', 'NodeDown']);
    const after = await deliveries(silenced, ALERTS, Date.parse('2026-12-05T23:00:00Z'));
    expect(names(after, 'nm/alice-mail').sort()).toEqual([
      'CPUThrottlingHigh',
      'CartSlow',
      'ShopDown',
    ]);
    expect(names(after, 'nm/bob-mail')).toEqual([]);
    const once = `${NM}
silences:
  - name: maintenance
    matcher: { matchLabels: { alertname: NodeDown } }
    startsAt: '2026-12-05T10:00:00Z'
    duration: 2h
`;
    const during = await deliveries(once, ALERTS, Date.parse('2026-12-05T11:59:00Z'));
    expect(names(during, 'ops')).not.toContain('NodeDown');
    const before = await deliveries(once, ALERTS, Date.parse('2026-12-05T09:59:00Z'));
    expect(names(before, 'ops')).toContain('NodeDown');
  });

  it('refuses bad routers, tenants and silences with their paths', () => {
    expect(
      problemsOf(`${NM.replace('[billing] }', '[billing] }\n  - { name: alice }')}
routers:
  - name: r
    receivers: { name: [nobody], regexName: '(', type: fax }
silences:
  - name: s
    labels: { type: tenant }
    schedule: '61 * * * *'
  - name: t
    startsAt: yesterday
`),
    ).toEqual([
      { path: 'notification_manager.tenants[2].name', reason: 'tenant "alice" is not unique' },
      {
        path: 'notification_manager.routers[0].receivers.name[0]',
        reason: 'receiver "nobody" is not defined',
      },
      expect.objectContaining({ path: 'notification_manager.routers[0].receivers.regexName' }),
      {
        path: 'notification_manager.routers[0].receivers.type',
        reason: expect.stringContaining('type must be one of') as string,
      },
      {
        path: 'notification_manager.silences[0].labels.user',
        reason: 'a tenant object names its user',
      },
      {
        path: 'notification_manager.silences[0].duration',
        reason: 'a scheduled silence needs the duration of each window',
      },
      {
        path: 'notification_manager.silences[0].schedule',
        reason: 'minute "61" is not between 0 and 59',
      },
      {
        path: 'notification_manager.silences[1].startsAt',
        reason: 'not an RFC 3339 time: "yesterday"',
      },
    ]);
  });
});
