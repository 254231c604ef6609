import { ALERT_BATCH_LIMIT, alertBatchesOf, type PostedAlert } from './notification-api';

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
