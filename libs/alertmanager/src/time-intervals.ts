import { type Checker, join } from './config-checker';

/** One `time_intervals` entry: every field given must hold (Alertmanager's `timeinterval.TimeInterval`). */
export interface TimeInterval {
  /** Minutes of the day, end exclusive. */
  readonly times: readonly { start: number; end: number }[];
  /** 0 = Sunday. */
  readonly weekdays: readonly [number, number][];
  /** Negative counts from the month's end (-1 = last day). */
  readonly daysOfMonth: readonly [number, number][];
  /** 1 = January. */
  readonly months: readonly [number, number][];
  readonly years: readonly [number, number][];
  readonly location: string;
}

const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];
const FIELDS = ['times', 'weekdays', 'days_of_month', 'months', 'years', 'location'];

function ranges(
  c: Checker,
  v: unknown,
  path: string,
  parse: (s: string) => number | null,
  what: string,
): [number, number][] {
  return c.list(v, path).flatMap((item, i) => {
    const s = String(item).toLowerCase();
    const [a, b = a] = s.split(':');
    const lo = parse(a);
    const hi = parse(b);
    if (lo === null || hi === null) {
      c.fail(join(path, i), `invalid ${what} "${String(item)}"`);
      return [];
    }
    return [[lo, hi] as [number, number]];
  });
}

function minutes(s: unknown): number | null {
  const m = /^(\d{1,2}):(\d{2})$/.exec(String(s));
  if (!m) return null;
  const v = Number(m[1]) * 60 + Number(m[2]);
  return Number(m[2]) < 60 && v <= 1440 ? v : null;
}

/** Parses one named entry's list of intervals, reporting problems on the checker. */
export function parseTimeIntervals(c: Checker, raw: unknown, path: string): TimeInterval[] {
  return c.list(raw, path).map((item, i) => {
    const p = join(path, i);
    const o = c.obj(item, p, FIELDS);
    const times = c.list(o.times, join(p, 'times')).flatMap((t, j) => {
      const tp = join(join(p, 'times'), j);
      const to = c.obj(t, tp, ['start_time', 'end_time']);
      const start = minutes(to.start_time);
      const end = minutes(to.end_time);
      if (start === null || end === null || end <= start) {
        c.fail(tp, 'start_time and end_time must be HH:MM with start before end');
        return [];
      }
      return [{ start, end }];
    });
    const location = c.str(o.location, join(p, 'location')) ?? 'UTC';
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: location });
    } catch {
      c.fail(join(p, 'location'), `unknown time zone ${location}`);
    }
    const num = (lo: number, hi: number) => (s: string) =>
      /^-?\d+$/.test(s) && Number(s) >= lo && Number(s) <= hi ? Number(s) : null;
    return {
      times,
      weekdays: ranges(
        c,
        o.weekdays,
        join(p, 'weekdays'),
        (s) => (DAYS.indexOf(s) >= 0 ? DAYS.indexOf(s) : null),
        'weekday',
      ),
      daysOfMonth: ranges(
        c,
        o.days_of_month,
        join(p, 'days_of_month'),
        (s) => (num(-31, 31)(s) === 0 ? null : num(-31, 31)(s)),
        'day of month',
      ),
      months: ranges(
        c,
        o.months,
        join(p, 'months'),
        (s) => (MONTHS.indexOf(s) >= 0 ? MONTHS.indexOf(s) + 1 : num(1, 12)(s)),
        'month',
      ),
      years: ranges(c, o.years, join(p, 'years'), num(1, 9999), 'year'),
      location,
    };
  });
}

function localParts(
  ms: number,
  zone: string,
): { y: number; mo: number; d: number; wd: number; min: number; daysInMonth: number } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      weekday: 'long',
    })
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  );
  const y = Number(parts.year);
  const mo = Number(parts.month);
  return {
    y,
    mo,
    d: Number(parts.day),
    wd: DAYS.indexOf(String(parts.weekday).toLowerCase()),
    min: Number(parts.hour) * 60 + Number(parts.minute),
    daysInMonth: new Date(Date.UTC(y, mo, 0)).getUTCDate(),
  };
}

const inRanges = (rs: readonly [number, number][], v: number): boolean =>
  rs.length === 0 || rs.some(([a, b]) => v >= a && v <= b);

/** Whether `ms` falls in any of the intervals (Alertmanager's `ContainsTime`). */
export function intervalsContain(intervals: readonly TimeInterval[], ms: number): boolean {
  return intervals.some((ti) => {
    const t = localParts(ms, ti.location);
    if (ti.times.length > 0 && !ti.times.some((r) => t.min >= r.start && t.min < r.end))
      return false;
    if (!inRanges(ti.weekdays, t.wd)) return false;
    const dom = ti.daysOfMonth.map(
      ([a, b]) =>
        [a < 0 ? t.daysInMonth + a + 1 : a, b < 0 ? t.daysInMonth + b + 1 : b] as [number, number],
    );
    if (!inRanges(dom, t.d)) return false;
    if (!inRanges(ti.months, t.mo)) return false;
    return inRanges(ti.years, t.y);
  });
}
