/** A five-field cron schedule (minute hour day-of-month month day-of-week), evaluated in UTC. */
export interface CronSchedule {
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly daysOfMonth: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  readonly daysOfWeek: ReadonlySet<number>;
  /** Whether day-of-month and day-of-week were each restricted (then either may match, as cron does). */
  readonly domStar: boolean;
  readonly dowStar: boolean;
}

const FIELDS: ReadonlyArray<readonly [string, number, number]> = [
  ['minute', 0, 59],
  ['hour', 0, 23],
  ['day of month', 1, 31],
  ['month', 1, 12],
  ['day of week', 0, 7],
];
const NAMES: Readonly<Record<string, number>> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
  sun: 0,
  mon: 1,
  tue: 2,
  wed: 3,
  thu: 4,
  fri: 5,
  sat: 6,
};

/** Why a cron expression was refused. */
export class CronParseError extends Error {}

function field(text: string, [what, lo, hi]: readonly [string, number, number]): Set<number> {
  const out = new Set<number>();
  const num = (s: string): number => {
    const v = NAMES[s.toLowerCase()] ?? (/^\d+$/.test(s) ? Number(s) : NaN);
    if (!Number.isInteger(v) || v < lo || v > hi)
      throw new CronParseError(`${what} "${s}" is not between ${lo} and ${hi}`);
    return v;
  };
  for (const part of text.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new CronParseError(`bad step in "${part}"`);
    let [from, to] = [lo, hi];
    if (range !== '*') {
      const [a, b] = range.split('-');
      from = num(a);
      to = b === undefined ? (stepText === undefined ? from : hi) : num(b);
      if (to < from) throw new CronParseError(`${what} range "${range}" runs backwards`);
    }
    for (let v = from; v <= to; v += step) out.add(v);
  }
  return out;
}

/** Parses a five-field cron expression (`*`, lists, ranges, steps, month and day names). */
export function parseCron(text: string): CronSchedule {
  const parts = text.trim().split(/\s+/);
  if (parts.length !== 5)
    throw new CronParseError(
      `expected 5 fields (minute hour day month weekday), got ${parts.length}`,
    );
  const [minutes, hours, daysOfMonth, months, dow] = parts.map((p, i) => field(p, FIELDS[i]));
  // Sunday is both 0 and 7.
  if (dow.has(7)) dow.add(0);
  return {
    minutes,
    hours,
    daysOfMonth,
    months,
    daysOfWeek: dow,
    domStar: parts[2].startsWith('*'),
    dowStar: parts[4].startsWith('*'),
  };
}

/** Whether the schedule fires at the minute starting at `ms` (UTC). */
export function cronFiresAt(s: CronSchedule, ms: number): boolean {
  const d = new Date(ms);
  if (!s.minutes.has(d.getUTCMinutes()) || !s.hours.has(d.getUTCHours())) return false;
  if (!s.months.has(d.getUTCMonth() + 1)) return false;
  const dom = s.daysOfMonth.has(d.getUTCDate());
  const dow = s.daysOfWeek.has(d.getUTCDay());
  if (s.domStar || s.dowStar) return dom && dow;
  return dom || dow;
}

/** The latest firing at or before `now` no earlier than `now - withinMs`, or null. */
export function lastFiring(s: CronSchedule, now: number, withinMs: number): number | null {
  const first = now - withinMs;
  for (
    let m = Math.floor(now / 60_000) * 60_000;
    m >= first && m > now - 32 * 86_400_000;
    m -= 60_000
  )
    if (cronFiresAt(s, m)) return m;
  return null;
}
