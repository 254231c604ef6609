import { startAlertmanager, type RunningAlertmanager } from '@strata/devstack';
import { startWebhookSink, type SinkRequest, type WebhookSink } from '../testing';
import { type PostableAlert } from './alert';
import { parseAlertmanagerConfig } from './config';
import { MemoryNotificationLog } from './nflog';
import { TenantAlertmanager } from './tenant-alertmanager';
import { sendIntegration } from './send';

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
