import { parseAlertmanagerConfig } from './config';
import { type InvalidAlertmanagerConfigError } from './config-errors';
import { intervalsContain } from './time-intervals';

const config = (intervals: string) =>
  parseAlertmanagerConfig(`
route: {receiver: a, routes: [{receiver: a, matchers: ['x="1"'], mute_time_intervals: [office]}]}
receivers: [{name: a}]
time_intervals:
  - name: office
    time_intervals:
${intervals}`);

describe('time intervals', () => {
  it('matches times, weekdays, days of month counted from the end, months and zones', () => {
    const office = config(`      - times: [{start_time: '09:00', end_time: '17:00'}]
        weekdays: ['monday:friday']
        location: Europe/Berlin
      - days_of_month: ['-1']
        months: ['december']
`).timeIntervals.get('office')!;
    // Tuesday 2026-03-03 08:30 UTC is 09:30 in Berlin.
    expect(intervalsContain(office, Date.parse('2026-03-03T08:30:00Z'))).toBe(true);
    expect(intervalsContain(office, Date.parse('2026-03-03T07:30:00Z'))).toBe(false);
    // Saturday.
    expect(intervalsContain(office, Date.parse('2026-03-07T10:00:00Z'))).toBe(false);
    // The last day of December, any time.
    expect(intervalsContain(office, Date.parse('2026-12-31T23:00:00Z'))).toBe(true);
    expect(intervalsContain(office, Date.parse('2026-12-30T23:00:00Z'))).toBe(false);
  });

  it('refuses malformed intervals with their paths', () => {
    try {
      config(
        `      - times: [{start_time: '18:00', end_time: '09:00'}]\n        weekdays: [funday]\n        location: Mars/Olympus\n`,
      );
      throw new Error('accepted');
    } catch (e) {
      expect((e as InvalidAlertmanagerConfigError).problems).toEqual([
        {
          path: 'time_intervals[0].time_intervals[0].times[0]',
          reason: 'start_time and end_time must be HH:MM with start before end',
        },
        {
          path: 'time_intervals[0].time_intervals[0].location',
          reason: 'unknown time zone Mars/Olympus',
        },
        {
          path: 'time_intervals[0].time_intervals[0].weekdays[0]',
          reason: 'invalid weekday "funday"',
        },
      ]);
    }
  });
});
