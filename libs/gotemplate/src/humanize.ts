import { sprintf } from './fmt';
import { GoCallError, type GoFunc } from './funcs';
import { GoTime } from './go-time';
import { type GoValue, goTypeName } from './values';

/** Go's strconv.ParseFloat(s, 64) as Prometheus' convertToFloat uses it; throws Go's error. */
function parseGoFloat(s: string): number {
  const t = s.toLowerCase();
  if (/^[+-]?(inf|infinity)$/.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/.test(t)) return NaN;
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(t)) {
    const v = Number(s);
    if (!Number.isFinite(v))
      throw new GoCallError(`strconv.ParseFloat: parsing ${JSON.stringify(s)}: value out of range`);
    return v;
  }
  throw new GoCallError(`strconv.ParseFloat: parsing ${JSON.stringify(s)}: invalid syntax`);
}

/** Prometheus' convertToFloat: a number, or a string Go's ParseFloat takes; Go's error otherwise. */
export function goToFloat(v: GoValue): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string') return parseGoFloat(v);
  throw new GoCallError(
    `can't convert ${v === null || v === undefined ? '<nil>' : goTypeName(v)} to float`,
  );
}

const g4 = (v: number): string => sprintf('%.4g', [v]);

function humanize(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return g4(v);
  if (Math.abs(v) >= 1) {
    let prefix = '';
    for (const p of ['k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y']) {
      if (Math.abs(v) < 1000) break;
      prefix = p;
      v /= 1000;
    }
    return g4(v) + prefix;
  }
  let prefix = '';
  for (const p of ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y']) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return g4(v) + prefix;
}

function humanize1024(v: number): string {
  if (Math.abs(v) <= 1 || !Number.isFinite(v)) return g4(v);
  let prefix = '';
  for (const p of ['ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'Zi', 'Yi']) {
    if (Math.abs(v) < 1024) break;
    prefix = p;
    v /= 1024;
  }
  return g4(v) + prefix;
}

function humanizeDuration(v: number): string {
  if (!Number.isFinite(v)) return g4(v);
  if (v === 0) return `${g4(v)}s`;
  if (Math.abs(v) >= 1) {
    let sign = '';
    if (v < 0) {
      sign = '-';
      v = -v;
    }
    // Go converts to int64 seconds before splitting into units.
    const d = Math.trunc(v);
    const seconds = d % 60;
    const minutes = Math.trunc(d / 60) % 60;
    const hours = Math.trunc(d / 3600) % 24;
    const days = Math.trunc(d / 86400);
    if (days !== 0) return `${sign}${days}d ${hours}h ${minutes}m ${seconds}s`;
    if (hours !== 0) return `${sign}${hours}h ${minutes}m ${seconds}s`;
    if (minutes !== 0) return `${sign}${minutes}m ${seconds}s`;
    return `${sign}${g4(v)}s`;
  }
  let prefix = '';
  for (const p of ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y']) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return `${g4(v)}${prefix}s`;
}

/**
 * Prometheus' floatToTime: seconds since the epoch as a UTC time of whole milliseconds (it goes
 * through model.Time); null for NaN and infinities, Go's error when it overflows int64 nanoseconds.
 */
export function secondsToGoTime(v: number): GoTime | null {
  if (!Number.isFinite(v)) return null;
  const ns = v * 1e9;
  if (ns > 2 ** 63 || ns < -(2 ** 63)) {
    throw new GoCallError(
      `${sprintf('%v', [v])} cannot be represented as a nanoseconds timestamp since it overflows int64`,
    );
  }
  return new GoTime((BigInt(Math.trunc(ns)) / 1_000_000n) * 1_000_000n);
}

const any1 = { params: ['interface {}'] } as const;

/** Prometheus' `humanize*` template functions, shared by the ruler's and Alertmanager's templates. */
export const HUMANIZE_FUNCS: ReadonlyMap<string, GoFunc> = new Map<string, GoFunc>([
  ['humanize', { ...any1, call: ([v]) => humanize(goToFloat(v)) }],
  ['humanize1024', { ...any1, call: ([v]) => humanize1024(goToFloat(v)) }],
  ['humanizeDuration', { ...any1, call: ([v]) => humanizeDuration(goToFloat(v)) }],
  ['humanizePercentage', { ...any1, call: ([v]) => sprintf('%.4g%%', [goToFloat(v) * 100]) }],
  [
    'humanizeTimestamp',
    {
      ...any1,
      call: ([v]) => {
        const f = goToFloat(v);
        return secondsToGoTime(f)?.string() ?? g4(f);
      },
    },
  ],
]);
