/** Milliseconds per duration unit, in the only order Prometheus accepts them (largest first). */
const UNITS: ReadonlyArray<readonly [string, number]> = [
  ['y', 365 * 24 * 3600 * 1000],
  ['w', 7 * 24 * 3600 * 1000],
  ['d', 24 * 3600 * 1000],
  ['h', 3600 * 1000],
  ['m', 60 * 1000],
  ['s', 1000],
  ['ms', 1],
];

// time.Duration is int64 nanoseconds; anything above this many milliseconds overflows it.
const MAX_DURATION_MS = 2 ** 63 / 1e6;

function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * Parses a Prometheus duration such as `1h30m`, `5m` or `1y` into milliseconds, throwing an
 * Error whose message matches `model.ParseDuration`'s.
 */
export function parseDuration(input: string): number {
  if (input === '0') return 0;
  if (input === '') throw new Error('empty duration string');
  const invalid = (): Error => new Error(`not a valid duration string: ${JSON.stringify(input)}`);
  let total = 0;
  let lastUnit = -1;
  let i = 0;
  while (i < input.length) {
    if (!isDigitCode(input.charCodeAt(i))) throw invalid();
    const numStart = i;
    while (i < input.length && isDigitCode(input.charCodeAt(i))) i++;
    const value = Number(input.slice(numStart, i));
    const unitStart = i;
    while (i < input.length && !isDigitCode(input.charCodeAt(i))) i++;
    if (i === unitStart) throw invalid();
    const unit = input.slice(unitStart, i);
    const idx = UNITS.findIndex(([u]) => u === unit);
    if (idx < 0)
      throw new Error(`unknown unit ${JSON.stringify(unit)} in duration ${JSON.stringify(input)}`);
    if (idx <= lastUnit) throw invalid();
    lastUnit = idx;
    const mult = UNITS[idx][1];
    if (value > MAX_DURATION_MS / mult) throw new Error('duration out of range');
    total += value * mult;
    if (total >= MAX_DURATION_MS) throw new Error('duration out of range');
  }
  return total;
}

/**
 * Formats milliseconds like Prometheus' `model.Duration.String()`: years and weeks only when
 * exact, then days down to milliseconds, `0s` for zero.
 */
export function formatDuration(ms: number): string {
  let rest = Math.trunc(ms);
  if (rest === 0) return '0s';
  let out = '';
  for (const [unit, mult] of UNITS) {
    const exactOnly = unit === 'y' || unit === 'w';
    if (exactOnly && rest % mult !== 0) continue;
    const v = Math.trunc(rest / mult);
    if (v > 0) {
      out += `${v}${unit}`;
      rest -= v * mult;
    }
  }
  return out;
}
