import { parseAlertmanagerConfig } from './config';
import { InvalidAlertmanagerConfigError } from './config-errors';

function problems(yaml: string): { path: string; reason: string }[] {
  try {
    parseAlertmanagerConfig(yaml);
  } catch (e) {
    if (e instanceof InvalidAlertmanagerConfigError) return [...e.problems];
    throw e;
  }
  return [];
}

describe('Alertmanager configuration checks', () => {
  it('applies Alertmanager’s defaults and inherits route options', () => {
    const c = parseAlertmanagerConfig(`
route:
  receiver: a
  group_by: [alertname]
  group_wait: 10s
  routes:
    - receiver: b
      matchers: ['severity=~"page|critical"', 'team="db"']
      group_by: ['...']
      continue: true
receivers: [{name: a}, {name: b, webhook_configs: [{url: 'http://x/hook'}]}]
`);
    expect(c.resolveTimeoutMs).toBe(300_000);
    expect(c.route).toMatchObject({
      groupWaitMs: 10_000,
      groupIntervalMs: 300_000,
      repeatIntervalMs: 14_400_000,
    });
    const child = c.route.routes[0];
    expect(child).toMatchObject({
      receiver: 'b',
      groupBy: null,
      groupWaitMs: 10_000,
      continue: true,
    });
    // Sorted by name as Alertmanager sorts them, which route keys depend on.
    expect(child.matchers.map((m) => m.name)).toEqual(['severity', 'team']);
    expect(c.receivers[1].integrations[0]).toMatchObject({
      kind: 'webhook',
      sendResolved: true,
      maxAlerts: 0,
    });
  });

  it('names every problem with its path', () => {
    expect(
      problems(`
route:
  receiver: nobody
  group_by: [a, a]
  group_interval: 0s
  routes:
    - matchers: ['x=~"("']
      mute_time_intervals: [never]
      repeat_interval: 5 minutes
receivers:
  - name: a
    webhook_configs: [{send_resolved: true}]
    colour: red
  - name: a
`),
    ).toEqual(
      expect.arrayContaining([
        {
          path: 'receivers[0].webhook_configs[0]',
          reason: 'one of url or url_file must be configured',
        },
        { path: 'receivers[0].colour', reason: 'field not found' },
        { path: 'receivers[1].name', reason: 'notification config name "a" is not unique' },
        { path: 'route.receiver', reason: 'undefined receiver "nobody" used in route' },
        { path: 'route.group_by[1]', reason: 'duplicated label "a" in group_by' },
        { path: 'route.group_interval', reason: 'group_interval cannot be zero' },
        expect.objectContaining({ path: 'route.routes[0].matchers[0]' }),
        {
          path: 'route.routes[0].mute_time_intervals[0]',
          reason: 'undefined time interval "never" used in route',
        },
        {
          path: 'route.routes[0].repeat_interval',
          reason: 'not a valid duration string: "5 minutes"',
        },
      ]),
    );
  });

  it('needs a root route with a receiver and no matchers', () => {
    expect(problems('receivers: [{name: a}]\n')).toEqual([
      { path: 'route', reason: 'no routes provided' },
      { path: 'route.receiver', reason: 'root route must specify a default receiver' },
    ]);
    expect(
      problems('route: {receiver: a, matchers: [\'x="1"\']}\nreceivers: [{name: a}]\n'),
    ).toEqual([{ path: 'route', reason: 'root route must not have any matchers' }]);
  });
});
