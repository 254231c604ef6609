import {
  ALERT_BATCH_LIMIT,
  alertBatchesOf,
  alertBatchText,
  type PostedAlert,
} from './notification-api';

describe('alertBatchesOf', () => {
  const alert = (i: number): PostedAlert => ({ labels: { alertname: `a${i}` } });

  it('stores a large post as several messages, in order, every alert once, with one receive time', () => {
    const alerts = Array.from({ length: 2 * ALERT_BATCH_LIMIT + 1 }, (_, i) => alert(i));
    const batches = alertBatchesOf('team-a', 1234, alerts);
    expect(batches.map((b) => b.alerts.length)).toEqual([ALERT_BATCH_LIMIT, ALERT_BATCH_LIMIT, 1]);
    expect(batches.flatMap((b) => b.alerts)).toEqual(alerts);
    expect(new Set(batches.map((b) => `${b.tenantId}@${b.receivedAt}`))).toEqual(
      new Set(['team-a@1234']),
    );
  });

  it('stores nothing for an empty post', () => {
    expect(alertBatchesOf('team-a', 1, [])).toEqual([]);
  });
});

describe('alertBatchText', () => {
  it('writes the posts as posted into the message alertBatchesOf makes of their alerts', () => {
    const posts: PostedAlert[][] = [
      [{ labels: { alertname: 'A', note: 'ünïcode "quoted" \\ \n' }, annotations: { s: '<b>' } }],
      [],
      [
        { labels: { alertname: 'B' }, startsAt: '2026-12-05T10:00:00Z' },
        { labels: { alertname: 'C', empty: '' }, generatorURL: 'http://x/?a=1&b=2' },
      ],
    ];
    const texts = [`  ${JSON.stringify(posts[0], null, 2)}\n`, '[ ]', JSON.stringify(posts[2])];
    const [expected] = alertBatchesOf('team-a', 1234, posts.flat());
    expect(JSON.parse(alertBatchText('team-a', 1234, texts))).toEqual(expected);
    expect(JSON.parse(alertBatchText('team-a', 5, ['[]']))).toEqual({
      tenantId: 'team-a',
      receivedAt: 5,
      alerts: [],
    });
  });
});
