import { type TemplateAlert, type TemplateData } from '../template-data';
import { TemplateSet } from './render';

const alert = (startsAt: string): TemplateAlert => ({
  status: 'firing',
  labels: { alertname: 'DiskFull' },
  annotations: {},
  startsAt,
  endsAt: '0001-01-01T00:00:00Z',
  generatorURL: '',
  fingerprint: '0000000000000001',
});

const data = (startsAt: string): TemplateData => ({
  receiver: 'hook',
  status: 'firing',
  alerts: [alert(startsAt)],
  groupLabels: { alertname: 'DiskFull' },
  commonLabels: { alertname: 'DiskFull', bytes: '2048', ratio: '0.1234' },
  commonAnnotations: {},
  externalURL: 'http://am',
});

const start = '{{ (index .Alerts 0).StartsAt';

// Outputs as Go's time package and Prometheus' helpers print them (zone abbreviations from tzdata).
const cases: Array<[string, string, string]> = [
  [
    `${start} | date "2006-01-02 15:04:05 MST" }}`,
    '2024-03-31T00:30:00Z',
    '2024-03-31 00:30:00 UTC',
  ],
  [`${start} | date "Mon Jan _2 3:04PM Z07:00" }}`, '2024-03-31T00:30:00Z', 'Sun Mar 31 12:30AM Z'],
  [
    `${start} | tz "Europe/Berlin" | date "15:04 MST -07:00" }}`,
    '2024-03-31T00:30:00Z',
    '01:30 CET +01:00',
  ],
  // Berlin's clocks go forward at 01:00 UTC that day.
  [
    `${start} | tz "Europe/Berlin" | date "15:04 MST -0700" }}`,
    '2024-03-31T01:30:00Z',
    '03:30 CEST +0200',
  ],
  [
    `${start} | tz "America/New_York" | date "2006-01-02 15:04 MST Z07:00" }}`,
    '2024-01-15T12:00:00Z',
    '2024-01-15 07:00 EST -05:00',
  ],
  [
    `${start} | tz "Asia/Kolkata" | date "15:04 MST -07:00" }}`,
    '2024-03-31T00:30:00Z',
    '06:00 IST +05:30',
  ],
  [`${start} | tz "Asia/Tokyo" }}`, '2024-03-31T00:30:00Z', '2024-03-31 09:30:00 +0900 JST'],
  [
    '{{ ((index .Alerts 0).StartsAt | tz "Asia/Tokyo").UTC }}',
    '2024-03-31T00:30:00Z',
    '2024-03-31 00:30:00 +0000 UTC',
  ],
  [`${start} | tz "UTC" | date "15:04 MST Z07:00" }}`, '2024-03-31T00:30:00Z', '00:30 UTC Z'],
  [
    '{{ humanize 1234567 }} {{ humanize 0.000123 }} {{ humanize "0" }}',
    '2024-03-31T00:30:00Z',
    '1.235M 123u 0',
  ],
  [
    '{{ .CommonLabels.bytes | humanize1024 }} {{ humanize1024 1048576 }}',
    '2024-03-31T00:30:00Z',
    '2ki 1Mi',
  ],
  [
    '{{ humanizeDuration 3661 }} {{ humanizeDuration 0.25 }} {{ humanizeDuration 90061 }}',
    '2024-03-31T00:30:00Z',
    '1h 1m 1s 250ms 1d 1h 1m 1s',
  ],
  ['{{ .CommonLabels.ratio | humanizePercentage }}', '2024-03-31T00:30:00Z', '12.34%'],
  [
    '{{ humanizeTimestamp 1711845000 }} {{ humanizeTimestamp "NaN" }}',
    '2024-03-31T00:30:00Z',
    '2024-03-31 00:30:00 +0000 UTC NaN',
  ],
];

describe("Alertmanager's date, tz and humanize* template functions", () => {
  it.each(cases)('%s at %s renders %j', async (text, startsAt, expected) => {
    await expect(new TemplateSet().render(text, data(startsAt))).resolves.toBe(expected);
  });

  it.each([
    [`${start} | tz "Mars/Olympus" }}`, 'error calling tz: unknown time zone Mars/Olympus'],
    [
      '{{ humanize "many" }}',
      'error calling humanize: strconv.ParseFloat: parsing "many": invalid syntax',
    ],
    ['{{ date "15:04" "yesterday" }}', 'can\'t handle "yesterday" for arg of type time.Time'],
  ])('%s fails with %j', async (text, message) => {
    await expect(new TemplateSet().render(text, data('2024-03-31T00:30:00Z'))).rejects.toThrow(
      message,
    );
  });
});
