import { Labels } from '@strata/promql';
import { toNotifierAlert } from './notifier-alert';

describe('toNotifierAlert', () => {
  const base = {
    labels: Labels.fromRecord({ alertname: 'Down', job: 'api' }),
    annotations: { summary: 'api is down', empty: '' },
    state: 'firing' as const,
    value: 1,
    activeAt: Date.UTC(2026, 0, 1, 12, 0),
    firedAt: Date.UTC(2026, 0, 1, 12, 5),
    resolvedAt: null,
    lastSentAt: Date.UTC(2026, 0, 1, 12, 5),
    validUntil: Date.UTC(2026, 0, 1, 12, 9),
    keepFiringSince: null,
  };

  it('starts at the firing time, ends at validUntil, and links to the expression', () => {
    expect(toNotifierAlert(base, 'up{job="api"} == 0', 'http://ruler.example.com')).toEqual({
      labels: { alertname: 'Down', job: 'api' },
      annotations: { summary: 'api is down', empty: '' },
      startsAt: '2026-01-01T12:05:00.000Z',
      endsAt: '2026-01-01T12:09:00.000Z',
      generatorURL:
        'http://ruler.example.com/graph?g0.expr=up%7Bjob%3D%22api%22%7D+%3D%3D+0&g0.tab=1',
    });
  });

  it('ends a resolved alert at its resolution', () => {
    const resolved = {
      ...base,
      state: 'inactive' as const,
      resolvedAt: Date.UTC(2026, 0, 1, 12, 7),
    };
    expect(toNotifierAlert(resolved, 'x', '').endsAt).toBe('2026-01-01T12:07:00.000Z');
  });
});
