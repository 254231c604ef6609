/** One part of a split range query: its own start and end, on the original step grid. */
export interface RangePart {
  startMs: number;
  endMs: number;
}

/**
 * The last step of the grid starting at `t` that falls before the next interval boundary, as
 * Cortex' and Mimir's `nextIntervalBoundary`: parts end on the original step grid, so each step is
 * evaluated by exactly one part at exactly the time the whole query would evaluate it.
 */
function lastStepBeforeBoundary(t: number, stepMs: number, intervalMs: number): number {
  const nextBoundary = (Math.floor(t / intervalMs) + 1) * intervalMs;
  const target = nextBoundary - ((nextBoundary - t) % stepMs);
  return target === nextBoundary ? target - stepMs : target;
}

/**
 * Splits `[startMs, endMs]` at `stepMs` into parts that each stay within one interval (a UTC day
 * for 24 h), as Thanos' and Mimir's query frontends split by interval. Every step of the original
 * range belongs to exactly one part; a range within one interval is one part.
 */
export function splitByInterval(
  startMs: number,
  endMs: number,
  stepMs: number,
  intervalMs: number,
): RangePart[] {
  // The last step the range evaluates: parts end there, so their keys do not depend on how far
  // past it the caller's end was.
  const lastMs = stepMs > 0 ? startMs + Math.floor((endMs - startMs) / stepMs) * stepMs : endMs;
  if (intervalMs <= 0 || stepMs <= 0) return [{ startMs, endMs: lastMs }];
  const parts: RangePart[] = [];
  for (let start = startMs; start <= lastMs;) {
    let end = lastStepBeforeBoundary(start, stepMs, intervalMs);
    // A step as long as the interval or longer: one step per part, still on the grid.
    if (end < start) end = start;
    if (end + stepMs > lastMs) end = lastMs;
    parts.push({ startMs: start, endMs: end });
    start = end + stepMs;
  }
  return parts;
}
