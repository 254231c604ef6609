import { readFileSync } from 'node:fs';
import { GoCallError } from './funcs';

/** A time zone as Go's `time.Location`: its name, and the offset and abbreviation at an instant. */
export interface GoLocation {
  readonly name: string;
  /** Seconds east of UTC at `unixMs`. */
  offsetAt(unixMs: number): number;
  /** The zone's abbreviation at `unixMs` (`CET`, `EDT`, `+0530` when the zone has none). */
  abbreviationAt(unixMs: number): string;
}

/** Go's `time.UTC`. */
export const GO_UTC: GoLocation = {
  name: 'UTC',
  offsetAt: () => 0,
  abbreviationAt: () => 'UTC',
};

const ZONEINFO = '/usr/share/zoneinfo';

interface ZoneType {
  offset: number;
  abbreviation: string;
}

/** The transitions and types of a TZif file (RFC 8536), 64-bit block when there is one; null when unreadable. */
function readTzif(name: string): { at: number[]; types: ZoneType[]; typeOf: number[] } | null {
  let buf: Buffer;
  try {
    buf = readFileSync(`${ZONEINFO}/${name}`);
  } catch {
    return null;
  }
  if (buf.length < 44 || buf.toString('latin1', 0, 4) !== 'TZif') return null;
  const counts = (at: number) => [0, 1, 2, 3, 4, 5].map((i) => buf.readUInt32BE(at + 20 + i * 4));
  let [isut, isstd, leap, timecnt, typecnt, charcnt] = counts(0);
  let p = 44;
  let timeSize = 4;
  if (buf[4] >= 0x32) {
    // Skip the 32-bit block: version 2+ repeats everything with 64-bit times.
    p += timecnt * 5 + typecnt * 6 + charcnt + leap * 8 + isstd + isut;
    [isut, isstd, leap, timecnt, typecnt, charcnt] = counts(p);
    p += 44;
    timeSize = 8;
  }
  const at: number[] = [];
  for (let i = 0; i < timecnt; i++, p += timeSize)
    at.push(timeSize === 8 ? Number(buf.readBigInt64BE(p)) : buf.readInt32BE(p));
  const typeOf = [...buf.subarray(p, p + timecnt)];
  p += timecnt;
  const raw: Array<{ offset: number; abbrIndex: number }> = [];
  for (let i = 0; i < typecnt; i++, p += 6)
    raw.push({ offset: buf.readInt32BE(p), abbrIndex: buf[p + 5] });
  const chars = buf.toString('latin1', p, p + charcnt);
  const types = raw.map((t) => ({
    offset: t.offset,
    abbreviation: chars.slice(t.abbrIndex, chars.indexOf('\0', t.abbrIndex)),
  }));
  return { at, types, typeOf };
}

/** Go's numeric zone name for a zone without an abbreviation: `+03`, `+0530`. */
function numericAbbreviation(offset: number): string {
  const sign = offset < 0 ? '-' : '+';
  const h = String(Math.trunc(Math.abs(offset) / 3600)).padStart(2, '0');
  const m = Math.trunc((Math.abs(offset) % 3600) / 60);
  return m === 0 ? `${sign}${h}` : `${sign}${h}${String(m).padStart(2, '0')}`;
}

/**
 * Go's `time.LoadLocation`: `""` and `UTC` are UTC; other names are IANA zones. Offsets come from
 * the runtime's time zone data; abbreviations from the system's zoneinfo, as Go reads them.
 */
export function loadGoLocation(name: string): GoLocation {
  if (name === '' || name === 'UTC') return GO_UTC;
  let offsetFormat: Intl.DateTimeFormat;
  try {
    offsetFormat = new Intl.DateTimeFormat('en-US', { timeZone: name, timeZoneName: 'longOffset' });
  } catch {
    throw new GoCallError(`unknown time zone ${name}`);
  }
  const offsetAt = (unixMs: number): number => {
    const text =
      offsetFormat.formatToParts(new Date(unixMs)).find((p) => p.type === 'timeZoneName')?.value ??
      'GMT';
    const m = /^GMT([+-])(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text);
    if (!m) return 0;
    const secs = Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4] ?? 0);
    return m[1] === '-' ? -secs : secs;
  };
  const tzif = readTzif(name);
  const abbreviationAt = (unixMs: number): string => {
    const offset = offsetAt(unixMs);
    if (tzif) {
      const secs = Math.floor(unixMs / 1000);
      let i = tzif.at.length - 1;
      while (i >= 0 && tzif.at[i] > secs) i--;
      // The type in force, else the newest type with this offset (times past the file's last transition).
      const candidates = [
        ...(i >= 0 ? [tzif.types[tzif.typeOf[i]]] : []),
        ...[...tzif.typeOf].reverse().map((t) => tzif.types[t]),
        ...tzif.types,
      ];
      const found = candidates.find((t) => t.offset === offset);
      if (found) return found.abbreviation;
    }
    return numericAbbreviation(offset);
  };
  return { name, offsetAt, abbreviationAt };
}
