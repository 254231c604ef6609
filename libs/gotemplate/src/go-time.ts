import { GoCallError } from './funcs';
import { GO_UTC, type GoLocation } from './go-zone';
import { GoObject, type GoValue } from './values';

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const NS_PER_S = 1_000_000_000n;

/** A Go enum printed by name (time.Month, time.Weekday). */
class GoNamedInt extends GoObject {
  constructor(
    readonly typeName: string,
    private readonly name: string,
  ) {
    super();
  }
  method(): null {
    return null;
  }
  string(): string {
    return this.name;
  }
}

/** A `*time.Time` with nanosecond precision in a location (UTC unless `tz` moved it), as `toTime` returns. */
export class GoTime extends GoObject {
  readonly typeName = '*time.Time';

  constructor(
    readonly unixNanos: bigint,
    readonly location: GoLocation = GO_UTC,
  ) {
    super();
  }

  /** The wall clock in the time's location, as UTC fields of `date`, and the zone in force. */
  private parts(): { date: Date; nanos: number; offset: number; abbreviation: string } {
    let secs = this.unixNanos / NS_PER_S;
    let nanos = this.unixNanos % NS_PER_S;
    if (nanos < 0n) {
      nanos += NS_PER_S;
      secs -= 1n;
    }
    const ms = Number(secs) * 1000;
    const offset = this.location.offsetAt(ms);
    return {
      date: new Date(ms + offset * 1000),
      nanos: Number(nanos),
      offset,
      abbreviation: this.location.abbreviationAt(ms),
    };
  }

  /** Go's Time.String: `2006-01-02 15:04:05.999999999 -0700 MST`. */
  string(): string {
    return this.format('2006-01-02 15:04:05.999999999 -0700 MST');
  }

  method(name: string): ((...args: GoValue[]) => GoValue) | null {
    const { date, nanos } = this.parts();
    const secs = (this.unixNanos - BigInt(nanos)) / NS_PER_S;
    const utc = this.location === GO_UTC ? this : new GoTime(this.unixNanos);
    const methods: Record<string, (...args: GoValue[]) => GoValue> = {
      String: () => this.string(),
      Format: (layout) => {
        if (typeof layout !== 'string')
          throw new GoCallError('wrong type for value; expected string');
        return this.format(layout);
      },
      Unix: () => secs,
      UnixMilli: () => this.unixNanos / 1_000_000n,
      UnixMicro: () => this.unixNanos / 1000n,
      UnixNano: () => this.unixNanos,
      Year: () => BigInt(date.getUTCFullYear()),
      Month: () => new GoNamedInt('time.Month', MONTHS[date.getUTCMonth()]),
      Day: () => BigInt(date.getUTCDate()),
      Hour: () => BigInt(date.getUTCHours()),
      Minute: () => BigInt(date.getUTCMinutes()),
      Second: () => BigInt(date.getUTCSeconds()),
      Nanosecond: () => BigInt(nanos),
      Weekday: () => new GoNamedInt('time.Weekday', DAYS[date.getUTCDay()]),
      YearDay: () =>
        BigInt(
          Math.floor((date.getTime() - Date.UTC(date.getUTCFullYear(), 0, 1)) / 86_400_000) + 1,
        ),
      UTC: () => utc,
      Local: () => this,
      IsZero: () => false,
    };
    return methods[name] ?? null;
  }

  /** Go's Time.Format in the time's location, for the layout elements templates use. */
  /** `MarshalJSON`: RFC 3339 with nanoseconds, quoted. */
  override json(): string {
    return `"${this.format('2006-01-02T15:04:05.999999999Z07:00')}"`;
  }

  format(layout: string): string {
    const { date, nanos, offset, abbreviation } = this.parts();
    const p2 = (n: number): string => String(n).padStart(2, '0');
    const h = date.getUTCHours();
    const sign = offset < 0 ? '-' : '+';
    const oh = p2(Math.trunc(Math.abs(offset) / 3600));
    const om = p2(Math.trunc((Math.abs(offset) % 3600) / 60));
    const os = p2(Math.abs(offset) % 60);
    const zulu =
      (numeric: string): (() => string) =>
      () =>
        offset === 0 ? 'Z' : numeric;
    const tokens: Array<[string, () => string]> = [
      ['January', () => MONTHS[date.getUTCMonth()]],
      ['Monday', () => DAYS[date.getUTCDay()]],
      ['2006', () => String(date.getUTCFullYear()).padStart(4, '0')],
      ['-07:00:00', () => `${sign}${oh}:${om}:${os}`],
      ['Z07:00:00', zulu(`${sign}${oh}:${om}:${os}`)],
      ['-0700', () => `${sign}${oh}${om}`],
      ['-07:00', () => `${sign}${oh}:${om}`],
      ['Z0700', zulu(`${sign}${oh}${om}`)],
      ['Z07:00', zulu(`${sign}${oh}:${om}`)],
      ['-07', () => `${sign}${oh}`],
      ['Z07', zulu(`${sign}${oh}`)],
      ['Jan', () => MONTHS[date.getUTCMonth()].slice(0, 3)],
      ['Mon', () => DAYS[date.getUTCDay()].slice(0, 3)],
      ['MST', () => abbreviation],
      [
        '002',
        () =>
          String(
            Math.floor((date.getTime() - Date.UTC(date.getUTCFullYear(), 0, 1)) / 86_400_000) + 1,
          ).padStart(3, '0'),
      ],
      ['01', () => p2(date.getUTCMonth() + 1)],
      ['02', () => p2(date.getUTCDate())],
      ['_2', () => String(date.getUTCDate()).padStart(2, ' ')],
      ['06', () => p2(date.getUTCFullYear() % 100)],
      ['15', () => p2(h)],
      ['03', () => p2(h % 12 === 0 ? 12 : h % 12)],
      ['04', () => p2(date.getUTCMinutes())],
      ['05', () => p2(date.getUTCSeconds())],
      ['PM', () => (h >= 12 ? 'PM' : 'AM')],
      ['pm', () => (h >= 12 ? 'pm' : 'am')],
      ['1', () => String(date.getUTCMonth() + 1)],
      ['2', () => String(date.getUTCDate())],
      ['3', () => String(h % 12 === 0 ? 12 : h % 12)],
      ['4', () => String(date.getUTCMinutes())],
      ['5', () => String(date.getUTCSeconds())],
    ];
    let out = '';
    for (let i = 0; i < layout.length;) {
      const frac = /^[.,](0+|9+)(?![0-9])/.exec(layout.slice(i));
      if (frac) {
        const digits = String(nanos).padStart(9, '0').slice(0, frac[1].length);
        if (frac[1][0] === '0') out += layout[i] + digits;
        else {
          const trimmed = digits.replace(/0+$/, '');
          if (trimmed !== '') out += layout[i] + trimmed;
        }
        i += frac[0].length;
        continue;
      }
      const tok = tokens.find(([t]) => layout.startsWith(t, i));
      if (tok) {
        out += tok[1]();
        i += tok[0].length;
      } else {
        out += layout[i];
        i++;
      }
    }
    return out;
  }
}
